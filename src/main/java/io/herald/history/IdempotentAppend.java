package io.herald.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * One append of history records, run on the member that owns the ring buffer's partition, that is not done twice.
 *
 * <p>Hazelcast retries an operation whose target member left (a SIGKILL, or a stall past the heartbeat timeout) on
 * the member that took over its partition. If the first attempt had run, and its synchronous backup made, before
 * the member went, the promoted backup already holds the records and the retry appended them a second time: one
 * acknowledged publish became two events with two seqs (issue 22). This task looks first: an attempt that arrives
 * late (a retry comes at least a member-removal later, over a second; a first attempt within milliseconds) reads
 * the ring buffer's last {@link #WINDOW} items for its records and, if they are there, answers where they are
 * instead of appending them again. Every record carries its event's unique id, so equal records are the same events.
 *
 * <p>Runs on Hazelcast's executor {@value #EXECUTOR} of the owner (every member needs Herald's classes, as for
 * {@code HeraldClient}). Answers the ring sequence of the last record, as {@link Ringbuffer#addAllAsync} does.
 *
 * <p>Wire version: Java serialization with the same {@code serialVersionUID}; version 1 (the release before the
 * versioning) has no {@code wire} field (read as 0), which that release skips when it is there. A task of a version
 * this release does not read is refused (the append fails, the publish gets 503), with a log line.
 */
final class IdempotentAppend implements Callable<Long>, Serializable, HazelcastInstanceAware {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(IdempotentAppend.class.getName());
    /** The Hazelcast executor appends run on. */
    static final String EXECUTOR = "herald.append";
    /** An attempt older than this may be a retry: it looks before it appends. */
    static final long RETRY_SUSPECT_MS = 500;
    /** How far back a suspected retry looks for its records (events appended between the attempts: a few batches). */
    static final int WINDOW = 1000;
    /** Hazelcast's page limit for one {@code readMany}. */
    private static final int READ_PAGE = 1000;

    private final String ring;
    private final List<String> records;
    private final long createdAt;
    /** Sent again by Herald after an attempt failed (it may have appended before it failed): always looks first. */
    private final boolean again;
    /** The wire version the task was written in; 0 in tasks of the release before the versioning (version 1). */
    private final int wire;
    private transient HazelcastInstance hazelcast;

    IdempotentAppend(String ring, List<String> records, long createdAt) {
        this(ring, records, createdAt, false, io.herald.WireVersion.CURRENT);
    }

    IdempotentAppend(String ring, List<String> records, long createdAt, boolean again, int wire) {
        this.ring = ring;
        this.records = List.copyOf(records);
        this.createdAt = createdAt;
        this.again = again;
        this.wire = wire > io.herald.WireVersion.PREVIOUS ? wire : 0; // version 1 as that release wrote it
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public Long call() throws Exception {
        try {
            io.herald.WireVersion.check(wireVersion(), "append task");
        } catch (io.herald.WireVersion.Unsupported refused) {
            LOG.warning(refused.getMessage());
            throw refused;
        }
        return append(hazelcast, ring, records, () -> records.get(0), createdAt, again);
    }

    /**
     * Appends {@code records} (strings, or {@link com.hazelcast.internal.serialization.Data} as {@link AppendTask} ships
     * them) to {@code ring} on this member, unless an attempt that may be a retry finds them there already; answers the
     * ring sequence of the last record. {@code first} gives the first record as text, read only by an attempt that looks.
     */
    static long append(HazelcastInstance hazelcast, String ring, List<?> records, java.util.function.Supplier<String> first,
                       long createdAt, boolean again) throws Exception {
        requireOwner(hazelcast, ring);
        Ringbuffer<Object> buffer = hazelcast.getRingbuffer(ring);
        if (again || System.currentTimeMillis() - createdAt > RETRY_SUSPECT_MS) {
            long found = find(buffer, first.get());
            if (found >= 0) {
                LOG.warning("an append to " + ring + " came again (a retry after a member left): its " + records.size()
                        + " events are already at seq " + (found + 1) + "; not appending them twice");
                return found + records.size() - 1;
            }
        }
        return buffer.addAllAsync(records, OverflowPolicy.OVERWRITE).toCompletableFuture().get();
    }

    /**
     * The ring's partition, which this member must own: if it moved after the sender chose this member, appending from
     * here would be a remote call that Hazelcast sends again by itself if its target leaves (one publish at two seqs);
     * this fails instead, and the sender sends it again to the owner as an attempt that looks first.
     */
    static com.hazelcast.partition.Partition requireOwner(HazelcastInstance hazelcast, String ring) {
        com.hazelcast.partition.Partition partition = hazelcast.getPartitionService().getPartition(ring);
        com.hazelcast.cluster.Member owner = partition.getOwner();
        if (owner == null || !owner.localMember()) {
            throw new IllegalStateException(ring + " is no longer owned by this member");
        }
        return partition;
    }

    /** The wire version this task was written in. */
    int wireVersion() {
        return wire == 0 ? io.herald.WireVersion.PREVIOUS : wire;
    }

    /**
     * The event id of a history record ({@code {"v":2,"id":"…",…}} or {@code {"id":"…",…}}: the id comes before the
     * data, so the first {@code "id":"} is it), or null. No JSON parse: a look reads up to {@link #WINDOW} records.
     */
    static String eventId(String record) {
        int at = record.indexOf("\"id\":\"");
        if (at < 0 || at > 12) { // {"id": at 1, {"v":N,"id": at 7 or 8
            return null;
        }
        int start = at + 6;
        int end = record.indexOf('"', start);
        return end < 0 ? null : record.substring(start, end);
    }

    /** The ring sequence where the records starting with {@code first} (the same event id) already are, or -1. */
    static long find(Ringbuffer<Object> buffer, String first) throws Exception {
        long tail = buffer.tailSequence();
        // by event id, not the whole record: an event taken over after its first claimant's node died is published again
        // with the same id but another ts (docs/backends.md), and whichever of the two comes late must find the other
        String id = eventId(first);
        long[] found = {-1};
        forEachRecord(buffer, Math.max(buffer.headSequence(), tail - WINDOW + 1), tail, (record, seq) -> {
            if (found[0] < 0 && (first.equals(record) || id != null && id.equals(eventId(record)))) {
                // the rest follow it (one addAll is one operation); if history already dropped some, the first suffices
                found[0] = seq;
            }
        });
        return found[0];
    }

    /** Reads the ring's records from {@code from} to {@code to} (ring sequences) in pages, oldest first. */
    static void forEachRecord(Ringbuffer<Object> buffer, long from, long to, java.util.function.ObjLongConsumer<String> each)
            throws Exception {
        while (from <= to) {
            ReadResultSet<Object> read = buffer.readManyAsync(from, 0, (int) Math.min(READ_PAGE, to - from + 1), null)
                    .toCompletableFuture().get();
            if (read.size() == 0) {
                return;
            }
            for (int i = 0; i < read.size(); i++) {
                if (read.get(i) instanceof String record) {
                    each.accept(record, read.getSequence(i));
                }
            }
            from = read.getSequence(read.size() - 1) + 1;
        }
    }
}
