package dev.netcost.iptables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The one thread native reads run on, which also serialises them (the readers reuse their buffers).
 * When {@code iptables.netns} is set this thread enters that network namespace with setns(2) once,
 * which moves only the calling thread, so the rest of the JVM stays where it is; sockets opened on
 * it belong to that namespace.
 */
final class NetnsThread implements AutoCloseable {
    private static volatile LibC libc;

    private final ExecutorService executor;

    NetnsThread(Path netns) throws IOException, InterruptedException {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netcost-iptables-native");
            t.setDaemon(true);
            return t;
        });
        if (netns != null) {
            try {
                call(() -> {
                    enter(netns);
                    return null;
                });
            } catch (IOException | InterruptedException | RuntimeException e) {
                executor.shutdownNow();
                throw e;
            }
        }
    }

    static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (NetnsThread.class) {
                l = libc;
                if (l == null) {
                    l = LibraryLoader.create(LibC.class).load("c");
                    libc = l;
                }
            }
        }
        return l;
    }

    static int errno() {
        return LastError.getLastError(Runtime.getRuntime(libc()));
    }

    private static void enter(Path netns) throws IOException {
        LibC c = libc();
        int fd = c.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            int err = errno();
            throw new IOException("cannot open network namespace " + netns + ": " + c.strerror(err));
        }
        try {
            if (c.setns(fd, LibC.CLONE_NEWNET) != 0) {
                int err = errno();
                throw new IOException("setns(" + netns + ") failed: " + c.strerror(err)
                        + " (possible fixes: run as root or with CAP_SYS_ADMIN)");
            }
        } finally {
            c.close(fd);
        }
    }

    /** Runs {@code task} on this thread and waits for it; its exceptions come back as thrown. */
    <T> T call(Callable<T> task) throws IOException, InterruptedException {
        Future<T> f = executor.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
