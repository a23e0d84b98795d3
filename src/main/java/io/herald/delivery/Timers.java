package io.herald.delivery;

import io.vertx.core.Vertx;

/**
 * The timers delivery runs on (holds, tail checks, lingering streams, replay stalls): Vert.x's in production,
 * a clock moved by hand in unit tests, so that what a hold or a stall does is tested without waiting for it.
 * Tasks run on the event loop that set them.
 */
public interface Timers {
    long setTimer(long delayMs, Runnable task);

    long setPeriodic(long periodMs, Runnable task);

    void cancelTimer(long id);

    /** Vert.x's timers. */
    static Timers of(Vertx vertx) {
        return new Timers() {
            @Override
            public long setTimer(long delayMs, Runnable task) {
                return vertx.setTimer(delayMs, id -> task.run());
            }

            @Override
            public long setPeriodic(long periodMs, Runnable task) {
                return vertx.setPeriodic(periodMs, id -> task.run());
            }

            @Override
            public void cancelTimer(long id) {
                vertx.cancelTimer(id);
            }
        };
    }
}
