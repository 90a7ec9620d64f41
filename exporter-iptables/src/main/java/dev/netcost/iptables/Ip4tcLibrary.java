package dev.netcost.iptables;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/**
 * The part of libip4tc (iptables-legacy's table library) the legacy reader uses. Chain names are
 * passed as the pointers libip4tc returned, so no string is converted. Public only because jnr-ffi
 * implements it at run time.
 */
public interface Ip4tcLibrary {
    @SaveError
    Pointer iptc_init(String table);

    void iptc_free(Pointer handle);

    Pointer iptc_first_chain(Pointer handle);

    Pointer iptc_next_chain(Pointer handle);

    Pointer iptc_first_rule(Pointer chain, Pointer handle);

    Pointer iptc_next_rule(Pointer previous, Pointer handle);

    Pointer iptc_get_target(Pointer entry, Pointer handle);

    String iptc_strerror(int errno);
}
