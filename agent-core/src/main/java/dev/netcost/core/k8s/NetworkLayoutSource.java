package dev.netcost.core.k8s;

/**
 * A source of {@link NetworkLayout} that may change at run time (on EKS: IMDS + EC2, refreshed in the
 * background). Metadata reads {@link #current()} when it rebuilds and asks to be told of changes.
 */
public interface NetworkLayoutSource {
    /** Nothing learnt, never changes: standalone use and {@code aws.enabled: false}. */
    NetworkLayoutSource NONE = new NetworkLayoutSource() {
        @Override
        public NetworkLayout current() {
            return NetworkLayout.EMPTY;
        }

        @Override
        public void onChange(Runnable listener) {
        }
    };

    /** The last good layout; {@link NetworkLayout#EMPTY} until the first answer. Never blocks. */
    NetworkLayout current();

    /** Registers {@code listener} to run (on the source's thread) after {@link #current()} changed. */
    void onChange(Runnable listener);
}
