package dev.netcost.demo;

import java.util.List;

/**
 * The demo's command line.
 *
 * @param check   verify every figure and exit 1 if one is off
 * @param keep    leave Prometheus and the namespaces up until Ctrl-C
 * @param backend the node agents' {@code iptables.backend}
 * @param help    print the usage
 */
record DemoOptions(boolean check, boolean keep, String backend, boolean help) {
    static DemoOptions parse(List<String> args) {
        boolean check = false;
        boolean keep = false;
        boolean help = false;
        String backend = "auto";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--check" -> check = true;
                case "--keep" -> keep = true;
                case "--help", "-h" -> help = true;
                case "--backend" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--backend needs a value: auto, nft or legacy");
                    }
                    backend = args.get(++i);
                    if (!List.of("auto", "nft", "legacy").contains(backend)) {
                        throw new IllegalArgumentException("--backend '" + backend + "': use auto, nft or legacy");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return new DemoOptions(check, keep, backend, help);
    }
}
