package io.herald.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for an outcome that another process reaches on its own time (a close seen by the server). */
public final class Eventually {
    private Eventually() {
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
