package io.herald.bench;

import java.util.function.Supplier;

/**
 * Measuring windows opened and closed through a warmup, one second each way, their figures thrown away, so that the
 * generator has run and compiled every path of the window's code (the branch that counts, the one that skips what was
 * published before the window) when the real window opens. Without them the window's first messages deoptimised the
 * generator's message handler: in a fan-out of 1,000 × 100/s Herald's events of the window's first second were
 * delivered in 16 ms on average against 6.3 ms for the rest, the floor's in 5.5 against 4.5 ({@code --stalls}).
 */
final class Rehearsals implements AutoCloseable {
    private static final long HALF_PERIOD_MS = 1000;

    private final LoadClient clients;
    private final Supplier<Stalls> stalls;
    private final Thread thread;

    /** {@code stalls}: what each rehearsal records stalls with, as the window will (or null). */
    Rehearsals(LoadClient clients, Supplier<Stalls> stalls) {
        this.clients = clients;
        this.stalls = stalls;
        this.thread = new Thread(this::run, "bench-rehearsals");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                LoadClient.Window window = clients.startMeasuring(stalls.get());
                try {
                    Thread.sleep(HALF_PERIOD_MS);
                } finally {
                    end(window);
                }
                Thread.sleep(HALF_PERIOD_MS);
            }
        } catch (InterruptedException done) {
            // the warmup is over
        }
    }

    private void end(LoadClient.Window window) {
        clients.stopMeasuring();
        if (window.stalls != null) {
            window.stalls.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}
