package io.herald.history;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream's idempotency keys, kept in memory where the stream is appended to (the ring buffer's owner, or a node
 * without a cluster): key → the event it published, for {@code api.idempotencyWindowSeconds}, at most
 * {@code api.idempotencyMaxKeys} per stream (the oldest go first). Keyed history records carry their key and hash
 * ({@link #KEY_FIELD}, {@link #HASH_FIELD}), so an owner that did not append them (a new owner after a member left,
 * or appends made while another member owned the ring) learns them by reading the records it has not indexed
 * ({@link #indexRecord}). Not thread-safe: its user holds its lock across a check and the append that follows.
 */
public final class KeyIndex {
    /** The history record's field with the event's idempotency key (scoped: {@code "<scope>\n<key>"}). */
    public static final String KEY_FIELD = "ik";
    /** The history record's field with the SHA-256 of the publish the key was given with. */
    public static final String HASH_FIELD = "ih";
    /** Marks a record that may carry a key, for a look without a JSON parse. */
    private static final String KEY_MARK = "\"" + KEY_FIELD + "\":";

    /** A key's event: where it is ({@code seq}, the stream's own numbering), its id, and when it was indexed. */
    record Entry(String hash, String id, long seq, long at) {
    }

    /** What an append of several records, some with keys, did with each: its seq and its event's id, or -1 and null. */
    public record Answer(long[] seqs, String[] ids) {
        /** Whether record {@code i} was refused: its key was used for another body. */
        public boolean conflict(int i) {
            return seqs[i] < 0;
        }
    }

    /** Appends the records at {@code indexes} (in that order) as one operation; answers the seq of the first. */
    @FunctionalInterface
    public interface Append {
        long append(int[] indexes) throws Exception;
    }

    private final long windowMs;
    private final int maxKeys;
    /** In the order indexed, which is the stream's: the oldest first. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    /** The seq up to which the stream's records are indexed; {@code Long.MIN_VALUE}: none yet. */
    private long indexedTo = Long.MIN_VALUE;
    /** The event id of the record at {@link #indexedTo}, to tell that the stream there is still the one indexed. */
    private String idAtIndexedTo;
    /** Set from outside the lock when what this index knows may no longer be the stream's (its owner changed, a merge). */
    private volatile boolean stale;

    public KeyIndex(long windowMs, int maxKeys) {
        this.windowMs = windowMs;
        this.maxKeys = maxKeys;
    }

    /** The seq up to which the stream is indexed, or {@code Long.MIN_VALUE}. */
    public long indexedTo() {
        return indexedTo;
    }

    /** The event id of the record at {@link #indexedTo()}, or null. */
    public String idAtIndexedTo() {
        return idAtIndexedTo;
    }

    /** Indexed up to {@code seq}, where the record of event {@code id} is. */
    public void indexedTo(long seq, String id) {
        indexedTo = seq;
        idAtIndexedTo = id;
    }

    /** Forgets everything: the stream began again (lost with its backup), so its seqs name other events now. */
    public void reset() {
        entries.clear();
        indexedTo = Long.MIN_VALUE;
        idAtIndexedTo = null;
        stale = false;
    }

    /** Marks the index to be reset by its next user, who holds the lock (safe to call without it). */
    public void markStale() {
        stale = true;
    }

    boolean stale() {
        return stale;
    }

    /** Resets the index if it was marked stale; its user holds the lock. */
    public void resetIfStale() {
        if (stale) {
            reset();
        }
    }

    public int size() {
        return entries.size();
    }

    /** The key's event if it is within the window, else null. */
    Entry find(String key, long now) {
        Entry entry = entries.get(key);
        return entry == null || entry.at() < now - windowMs ? null : entry;
    }

    void add(String key, String hash, String id, long seq, long at, long now) {
        entries.remove(key); // an expired entry of the same key: the new one goes to the end, in stream order
        entries.put(key, new Entry(hash, id, seq, at));
        long oldest = now - windowMs;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry eldest = it.next();
            if (entries.size() <= maxKeys && eldest.at() >= oldest) {
                break;
            }
            it.remove();
        }
    }

    /** Indexes a record read from the stream at {@code seq} if it carries a key (one that does not costs no parse). */
    public void indexRecord(long seq, String record, long now) {
        if (!record.contains(KEY_MARK)) {
            return;
        }
        JsonObject json;
        try {
            json = new JsonObject(record);
        } catch (RuntimeException unreadable) {
            return; // not a record this release wrote; a key it carried is not known here
        }
        if (json.getValue(KEY_FIELD) instanceof String key && json.getValue(HASH_FIELD) instanceof String hash
                && json.getValue("id") instanceof String id) {
            long ts = json.getValue("ts") instanceof Number n ? n.longValue() : now;
            add(key, hash, id, seq, Math.min(ts, now), now);
        }
    }

    /**
     * Decides each record of an append: one whose event id is in {@code found} (an earlier attempt of this append landed)
     * is answered where it is; one whose key is known gets its event (the same hash) or is refused (another hash:
     * {@link Answer#conflict}); a key that comes twice in the batch publishes once; the others (keyed or not) are
     * appended by {@code append} in one operation, in the batch's order, and their keys indexed. {@code keys} and
     * {@code hashes} have null for a record without a key.
     */
    public Answer decide(List<String> ids, List<String> keys, List<String> hashes, Map<String, Long> found, long now,
                         Append append) throws Exception {
        int n = ids.size();
        long[] seqs = new long[n];
        String[] answerIds = new String[n];
        int[] toAppend = new int[n];
        int appending = 0;
        Map<String, Integer> firstInBatch = null;
        int[] sameAs = null;
        for (int i = 0; i < n; i++) {
            Long landed = found.get(ids.get(i));
            if (landed != null) {
                seqs[i] = landed;
                answerIds[i] = ids.get(i);
                continue;
            }
            String key = keys.get(i);
            if (key == null) {
                toAppend[appending++] = i;
                continue;
            }
            Entry entry = find(key, now);
            if (entry != null) {
                seqs[i] = entry.hash().equals(hashes.get(i)) ? entry.seq() : -1;
                answerIds[i] = seqs[i] < 0 ? null : entry.id();
                continue;
            }
            if (firstInBatch == null) {
                firstInBatch = new HashMap<>();
            }
            Integer first = firstInBatch.putIfAbsent(key, i);
            if (first == null) {
                toAppend[appending++] = i;
            } else if (hashes.get(first).equals(hashes.get(i))) {
                if (sameAs == null) {
                    sameAs = new int[n];
                    java.util.Arrays.fill(sameAs, -1);
                }
                sameAs[i] = first;
            } else {
                seqs[i] = -1;
            }
        }
        if (appending > 0) {
            int[] indexes = java.util.Arrays.copyOf(toAppend, appending);
            long first = append.append(indexes);
            for (int j = 0; j < appending; j++) {
                int i = indexes[j];
                seqs[i] = first + j;
                answerIds[i] = ids.get(i);
                if (keys.get(i) != null) {
                    add(keys.get(i), hashes.get(i), ids.get(i), seqs[i], now, now);
                }
            }
        }
        if (sameAs != null) {
            for (int i = 0; i < n; i++) {
                if (sameAs[i] >= 0) {
                    seqs[i] = seqs[sameAs[i]];
                    answerIds[i] = answerIds[sameAs[i]];
                }
            }
        }
        return new Answer(seqs, answerIds);
    }
}
