package dev.netcost.iptables;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** The few libc calls the native readers need. Public only because jnr-ffi implements it at run time. */
public interface LibC {
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_NETFILTER = 12;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int IPPROTO_IP = 0;
    /** SOL_IPV6: the IP6T_SO_* options live at this level. */
    int IPPROTO_IPV6 = 41;
    int IPPROTO_RAW = 255;
    /** Also IP6T_SO_GET_INFO (at SOL_IPV6): the IPv6 options have the same numbers. */
    int IPT_SO_GET_INFO = 64;
    /** Also IP6T_SO_GET_ENTRIES. */
    int IPT_SO_GET_ENTRIES = 65;

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int setns(int fd, int nstype);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int setsockopt(int fd, int level, int name, Pointer value, int length);

    @SaveError
    int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    @SaveError
    long send(int fd, Pointer buf, long length, int flags);

    @SaveError
    long recv(int fd, Pointer buf, long length, int flags);

    String strerror(int errno);
}
