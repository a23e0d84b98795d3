package io.herald.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for an outcome that another process reaches on its own time (a close seen by the server). */
public final class Eventually {
    private Eventually() {
    }

    /** Like {@link #assertEventually} with a longer wait, for what the cluster decides on its own time (a member dropped). */
    public static void assertWithin(long seconds, String what, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public static void assertEventually(String what, Supplier<Boolean> condition) {
        long end = System.nanoTime() + BridgeClient.WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(Duration.ofMillis(50).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("never happened within " + BridgeClient.WAIT + ": " + what);
    }
}
