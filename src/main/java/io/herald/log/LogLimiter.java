package io.herald.log;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs what happens in floods (refused tokens, limits triggered) without flooding the log: per key, one line
 * at most every {@link #INTERVAL_MS}, saying how many like it were left out since the last one.
 */
public final class LogLimiter {
    static final long INTERVAL_MS = 10_000;

    private final Logger logger;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long loggedAt;
        final AtomicLong skipped = new AtomicLong();
    }

    public LogLimiter(Logger logger) {
        this.logger = logger;
    }

    /** Logs {@code message} at INFO unless a line of the same {@code key} was logged in the last interval. */
    public void info(String key, String message) {
        log(Level.INFO, key, message, System.currentTimeMillis());
    }

    void log(Level level, String key, String message, long now) {
        if (!logger.isLoggable(level)) {
            return;
        }
        Window window = windows.computeIfAbsent(key, k -> new Window());
        synchronized (window) {
            if (window.loggedAt != 0 && now - window.loggedAt < INTERVAL_MS) {
                window.skipped.incrementAndGet();
                return;
            }
            window.loggedAt = now;
        }
        long skipped = window.skipped.getAndSet(0);
        logger.log(level, skipped == 0 ? message : message + " (and " + skipped + " more like it in the last " + INTERVAL_MS / 1000 + " s)");
    }
}
