package io.herald.history;

import io.vertx.core.Future;

import java.util.List;

/**
 * Where events are numbered and kept: one stream per event type, whose sequence is the envelope's
 * {@code seq} (1 for a stream's first event, rising by one per event across the whole cluster), bounded
 * by count and age. Futures complete on the caller's context.
 */
public interface EventLog {
    /** The most events one {@link #read} answers. */
    int MAX_READ = 1000;

    /** Appends history records in order; they get consecutive seqs, the first of which is answered. */
    Future<Appended> append(String type, List<String> records);

    /**
     * As {@link #append}, but looks first: if an event with the same id as the first record is already among the
     * stream's last events (an append that ran on a node that then died, or a stalled one that came late), answers where
     * it is instead of appending it again. For one event published again after a takeover of its idempotency key.
     */
    default Future<Appended> appendLookingFirst(String type, List<String> records) {
        return append(type, records);
    }

    /**
     * Whether {@link #appendKeyed} checks idempotency keys now for {@code type}: false while a node of the release before
     * is in the cluster, or a member that is not a Herald node owns the stream (the publisher then claims keys in the
     * {@link IdempotencyStore}).
     */
    default boolean checksKeys(String type) {
        return false;
    }

    /**
     * Appends records of which some carry an idempotency key ({@code keys} and {@code hashes} null for those without),
     * checking the keys in the same step where the stream is appended to ({@link KeyIndex}): a key known within the
     * window answers its event and appends nothing, a key known with another hash is refused, the others are appended in
     * one operation in the batch's order. {@code ids} are the records' event ids, as in the records.
     */
    default Future<KeyedAppended> appendKeyed(String type, List<String> records, List<String> ids, List<String> keys,
                                              List<String> hashes) {
        return Future.failedFuture(new UnsupportedOperationException("this log does not check keys"));
    }

    /** Up to {@code limit} (at most {@link #MAX_READ}) kept events with {@code seq >= fromSeq}, oldest first. */
    Future<HistoryPage> read(String type, long fromSeq, int limit);

    Future<StreamPosition> position(String type);

    /**
     * Whether what this node reads from history now is the cluster's: false while it may be cut off or has just
     * resumed from a stall (it then serves nothing new from history, only what it had already released).
     */
    default boolean confirmed() {
        return true;
    }

    /**
     * How long a tail this node reads from history must stay read, {@link #confirmed} throughout, before delivery
     * takes it as the cluster's: 0 on a single node; past the heartbeat timeout in a cluster, by when a node cut off
     * knows it.
     */
    default long settleMs() {
        return 0;
    }

    /** Now, as a moment to ask {@link #confirmedSince} about later. */
    default long checkpoint() {
        return 0;
    }

    /**
     * {@link #confirmed}, and this node has heard from a quorum of the cluster since {@code checkpoint}: so it was not
     * cut off when it read what it read before the checkpoint.
     */
    default boolean confirmedSince(long checkpoint) {
        return confirmed();
    }

    /** Where an append landed: the stream's epoch and the seq of its first record. */
    record Appended(String epoch, long firstSeq) {
    }

    /**
     * Where each record of a keyed append is: its seq and the id of the event there (its own, or the first event
     * published with its key: then it was not appended), or seq -1 and id null where its key was used for another body.
     */
    record KeyedAppended(String epoch, long[] seqs, String[] ids) {
        public boolean conflict(int i) {
            return seqs[i] < 0;
        }
    }
}
