package io.herald.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Builds one page of a keyed state from buckets offered in order, each with its entries: keeps those after the cursor,
 * in key order, that are not tombstones and that the reader may read, up to the page's limit. Looking costs too: past
 * {@link #MAX_SCANNED_PER_ENTRY} entries looked at per entry of the limit (a customer paging through everyone's orders
 * for their own), the page ends early, fuller pages follow. Pure; both stores use it.
 */
public final class StatePager {
    static final int MAX_SCANNED_PER_ENTRY = 20;
    private static final Comparator<StateEntry> BY_KEY = Comparator.comparing(StateEntry::key);

    private final StateCursor after;
    private final int limit;
    private final Predicate<StateEntry> readable;
    private final List<StateEntry> entries = new ArrayList<>();
    private final long maxScanned;
    private long scanned;
    private StateCursor last;
    private boolean stopped;

    public StatePager(StateCursor after, int limit, Predicate<StateEntry> readable) {
        this.after = after == null ? StateCursor.START : after;
        this.limit = limit;
        this.readable = readable;
        this.maxScanned = (long) MAX_SCANNED_PER_ENTRY * limit;
        this.last = this.after;
    }

    /** Whether the page is done (full, or looked at enough): no more buckets need offering. */
    public boolean done() {
        return stopped;
    }

    /** Offers one bucket's entries (in any order; sorted here), buckets in rising order. */
    public void offer(int bucket, List<StateEntry> bucketEntries) {
        if (stopped || bucket < after.bucket()) {
            return;
        }
        List<StateEntry> sorted = new ArrayList<>(bucketEntries);
        sorted.sort(BY_KEY);
        for (StateEntry entry : sorted) {
            if (!after.before(bucket, entry.key())) {
                continue;
            }
            scanned++;
            if (!entry.deleted() && readable.test(entry)) {
                entries.add(entry);
            }
            last = new StateCursor(bucket, entry.key());
            if (entries.size() >= limit || scanned >= maxScanned) {
                stopped = true;
                return;
            }
        }
        // the whole bucket looked at: the next page starts at the next bucket
        last = new StateCursor(bucket + 1, null);
    }

    /** The page: {@code next} is where it stopped, or null when every one of the {@code buckets} buckets was looked at whole. */
    public StatePage page(int buckets) {
        return new StatePage(List.copyOf(entries), !stopped && last.bucket() >= buckets ? null : last);
    }

    /** Where the page stopped (the first bucket not looked at yet when it was not stopped). */
    public StateCursor last() {
        return last;
    }
}
