package io.herald.webhooks;

/**
 * How long a failing webhook waits before the next attempt at the same event: {@code firstMs}, doubling with each
 * failure in a row, never more than {@code maxMs} (1 s, 2 s, 4 s, … 60 s by default). No jitter: one node sends each
 * webhook, so its retries never come in a herd.
 */
public record Backoff(long firstMs, long maxMs) {
    public static final Backoff DEFAULT = new Backoff(1000, 60_000);

    public Backoff {
        if (firstMs <= 0 || maxMs < firstMs) {
            throw new IllegalArgumentException("backoff " + firstMs + ".." + maxMs);
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    public long delayMs(int failures) {
        long delay = firstMs;
        for (int i = 1; i < failures && delay < maxMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxMs);
    }
}
