package io.herald.log;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs what happens in floods (refused tokens, limits triggered, sockets failing by the thousand) without flooding
 * the log: per key, one line at most every {@link #INTERVAL_MS}, saying how many like it were left out since the
 * last one. Keys come from a bounded set (codes, reasons, event types), never from a client. Messages have their
 * control characters escaped ({@link LogText}): a value from a client in one cannot forge a line.
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

    /** Logs {@code message} at WARNING unless a line of the same {@code key} was logged in the last interval. */
    public void warning(String key, String message) {
        log(Level.WARNING, key, message, null, System.currentTimeMillis());
    }

    /** As {@link #warning(String, String)}, with the error (and its stack) that caused it. */
    public void warning(String key, String message, Throwable error) {
        log(Level.WARNING, key, message, error, System.currentTimeMillis());
    }

    void log(Level level, String key, String message, long now) {
        log(level, key, message, null, now);
    }

    void log(Level level, String key, String message, Throwable error, long now) {
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
        String line = LogText.escape(message);
        logger.log(level, skipped == 0 ? line : line + " (and " + skipped + " more like it in the last " + INTERVAL_MS / 1000 + " s)", error);
    }
}
