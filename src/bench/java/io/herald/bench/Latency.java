package io.herald.bench;

/**
 * A latency histogram in microseconds with log-linear buckets (about 1.5 % wide) from 1 µs to
 * ~17 minutes: enough for percentiles, fixed memory, thread-confined (one per event loop, merged).
 */
final class Latency {
    private static final int SUB_BUCKETS = 64;
    private final long[] counts = new long[40 * SUB_BUCKETS];
    private long total;
    private long max;

    void record(long micros) {
        long value = Math.max(1, micros);
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int index;
        if (exponent < 6) {
            index = (int) value;
        } else {
            int sub = (int) ((value >>> (exponent - 6)) & (SUB_BUCKETS - 1));
            index = (exponent - 5) * SUB_BUCKETS + sub;
        }
        counts[Math.min(index, counts.length - 1)]++;
        total++;
        max = Math.max(max, value);
    }

    private static long lowerBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = index / SUB_BUCKETS + 5;
        int sub = index % SUB_BUCKETS;
        return (1L << exponent) + ((long) sub << (exponent - 6));
    }

    void merge(Latency other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value (µs) at or below which {@code fraction} of the samples fall. */
    long percentile(double fraction) {
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                return lowerBound(i);
            }
        }
        return max;
    }
}
