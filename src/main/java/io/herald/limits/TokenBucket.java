package io.herald.limits;

import java.util.function.LongSupplier;

/**
 * A token bucket: it holds up to {@code capacity} tokens (the burst) and refills continuously at its
 * rate; each accepted unit of work takes a token. The time is passed in (milliseconds on any monotonic
 * clock), so the bucket has no clock, no timer and no thread of its own. Not thread-safe: a bucket is
 * touched from one thread, or under its owner's lock.
 *
 * <p>A take of more tokens than the bucket can ever hold (a publish batch larger than the burst) is
 * accepted when the bucket is full and leaves it in debt, so the average rate still holds.
 */
public final class TokenBucket {
    /** Rounding slack: a refill computed in floating point may fall a hair short of a whole token. */
    private static final double EPSILON = 1e-9;
    /** The clock the node's buckets run on: monotonic milliseconds (never jumps with the wall clock). */
    public static final LongSupplier MONOTONIC_MILLIS = () -> System.nanoTime() / 1_000_000;

    private Rate rate;
    private double tokens;
    private long updatedAt;

    /** How fast a bucket refills and how much it holds. Immutable; share one between buckets of the same rate. */
    public record Rate(double perMilli, double capacity) {
        public Rate {
            if (!(perMilli > 0) || !(capacity >= 1)) {
                throw new IllegalArgumentException("a rate needs a positive refill and a capacity of at least 1");
            }
        }

        public static Rate perMinute(int tokens, int burst) {
            return new Rate(tokens / 60_000.0, burst);
        }

        public static Rate perSecond(int tokens, int burst) {
            return new Rate(tokens / 1_000.0, burst);
        }
    }

    /** A full bucket at {@code now}. */
    public TokenBucket(Rate rate, long now) {
        this.rate = rate;
        this.tokens = rate.capacity();
        this.updatedAt = now;
    }

    private void refill(long now) {
        if (now > updatedAt) {
            tokens = Math.min(rate.capacity(), tokens + (now - updatedAt) * rate.perMilli());
            updatedAt = now;
        }
    }

    /** Whether {@code count} tokens could be taken at {@code now} (refills first; takes nothing). */
    public boolean has(int count, long now) {
        refill(now);
        return tokens + EPSILON >= Math.min(count, rate.capacity());
    }

    /** Takes {@code count} tokens without looking (after {@link #has} said yes): the bucket may go into debt. */
    public void take(int count) {
        tokens -= count;
    }

    /** Takes one token if there is one. */
    public boolean tryTake(long now) {
        return tryTake(1, now);
    }

    /** Takes {@code count} tokens if there are that many (or the bucket is full, for a count larger than it holds). */
    public boolean tryTake(int count, long now) {
        if (!has(count, now)) {
            return false;
        }
        take(count);
        return true;
    }

    /** Milliseconds from {@code now} until {@code count} tokens could be taken (0: now). */
    public long millisUntil(int count, long now) {
        refill(now);
        double missing = Math.min(count, rate.capacity()) - tokens - EPSILON;
        return missing <= 0 ? 0 : (long) Math.ceil(missing / rate.perMilli() - EPSILON);
    }

    /** Whether the bucket is full at {@code now}: it then remembers nothing, and its owner may drop it. */
    public boolean full(long now) {
        refill(now);
        return tokens + EPSILON >= rate.capacity();
    }

    /** Refills at another rate from now on (a connection whose role changed); the tokens held stay, up to the new capacity. */
    public void rate(Rate newRate, long now) {
        refill(now);
        this.rate = newRate;
        this.tokens = Math.min(tokens, newRate.capacity());
    }

    public Rate rate() {
        return rate;
    }
}
