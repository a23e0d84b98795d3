package io.herald.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Events per second per API key on the publish API, per node ({@code limits.publishEventsPerSecond}):
 * a token bucket per key holding one second's worth, shared by the node's event loops. A batch takes a
 * token per event; a batch larger than the bucket goes when the bucket is full and leaves it in debt.
 */
public final class PublishRateLimit {
    private final TokenBucket.Rate rate;
    private final LongSupplier clock;
    private final Map<String, TokenBucket> byKey = new ConcurrentHashMap<>();

    public PublishRateLimit(int eventsPerSecond, LongSupplier clock) {
        this.rate = TokenBucket.Rate.perSecond(eventsPerSecond, eventsPerSecond);
        this.clock = clock;
    }

    /**
     * Takes {@code events} from the key's bucket: 0 when they may be published now, else how many
     * milliseconds until they could be (nothing is taken then).
     */
    public long take(String apiKey, int events) {
        return take(apiKey, events, clock.getAsLong());
    }

    public long take(String apiKey, int events, long now) {
        TokenBucket bucket = byKey.computeIfAbsent(apiKey, key -> new TokenBucket(rate, now));
        synchronized (bucket) {
            if (bucket.has(events, now)) {
                bucket.take(events);
                return 0;
            }
            return Math.max(1, bucket.millisUntil(events, now));
        }
    }

    public int eventsPerSecond() {
        return (int) Math.round(rate.perMilli() * 1000);
    }
}
