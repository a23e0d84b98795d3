package io.herald.history;

import io.herald.ErrorCode;
import io.herald.HeraldException;

/**
 * Where a page of a keyed state starts: entries are read bucket by bucket (a Hazelcast partition; one bucket on a
 * single node) and within a bucket in key order; a page starts after {@code key} in {@code bucket} (at the bucket's
 * start when {@code key} is null). Clients see it as the opaque text {@code "<bucket>:<key>"} (the paging word {@code next}).
 */
public record StateCursor(int bucket, String key) {
    public static final int MAX_TEXT = 1100;

    public static final StateCursor START = new StateCursor(0, null);

    /** Whether an entry of {@code bucket} with {@code entryKey} comes after this cursor. */
    public boolean before(int entryBucket, String entryKey) {
        return entryBucket > bucket || entryBucket == bucket && (key == null || entryKey.compareTo(key) > 0);
    }

    public String text() {
        return bucket + ":" + (key == null ? "" : key);
    }

    /** A client's {@code next}: null or empty for the first page; anything but a cursor this hub wrote is {@code invalid_parameter}. */
    public static StateCursor parse(Object next) {
        if (next == null || "".equals(next)) {
            return START;
        }
        if (!(next instanceof String text) || text.length() > MAX_TEXT) {
            throw invalid();
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || colon > 6) {
            throw invalid();
        }
        int bucket;
        try {
            bucket = Integer.parseInt(text.substring(0, colon));
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (bucket < 0) {
            throw invalid();
        }
        String key = text.substring(colon + 1);
        return new StateCursor(bucket, key.isEmpty() ? null : key);
    }

    private static HeraldException invalid() {
        return new HeraldException(ErrorCode.INVALID_PARAMETER, "next must be the next of the page before");
    }
}
