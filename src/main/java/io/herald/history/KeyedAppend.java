package io.herald.history;

import io.herald.WireVersion;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.Ringbuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append of history records of which some carry idempotency keys, checked and appended in one step on the member
 * that owns the ring buffer's partition: under the ring's {@link KeyIndex} lock, the index first reads what was
 * appended since it last looked (by another owner before a member left, or by appends without keys), then answers
 * known keys with their events and appends the rest in one {@code addAll}. A key costs a look-up in memory, not a
 * Hazelcast operation of its own. Like {@link AppendTask}, an attempt that may be a retry (sent again, or older than
 * {@link IdempotentAppend#RETRY_SUSPECT_MS}) first looks for its events' ids among the ring's last records.
 *
 * <p>The owner needs Herald's classes and its {@link Indexes} (in the member's user context, put by the node before
 * the member starts): a member without them refuses the task, and the publish answers {@code unavailable}. Sent only
 * while every Herald node has the capability ({@link #ATTRIBUTE}).
 */
public final class KeyedAppend implements Callable<KeyedAppend.Result>, DataSerializable, HazelcastInstanceAware {
    /** The member attribute of a node that runs keyed appends (absent on the release before). */
    public static final String ATTRIBUTE = "herald.keyedAppend";

    /**
     * Makes this member one that runs keyed appends: its indexes in the user context, a listener that forgets the index
     * of a ring whose partition moves away, and the attribute that says so; on its config, before it starts.
     */
    public static void install(com.hazelcast.config.Config config, long windowMs, int maxKeys) {
        Indexes indexes = new Indexes(windowMs, maxKeys);
        config.getUserContext().put(Indexes.NAME, indexes);
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig(indexes));
        // a merge replaces this member's copies of its partitions by the other side's without a migration event
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig((com.hazelcast.core.LifecycleListener) event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                indexes.forgetAll();
            }
        }));
        config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, "1");
    }

    /** Whether the member runs keyed appends (a Herald node of this release or later). */
    public static boolean runsOn(com.hazelcast.cluster.Member member) {
        return member.getAttribute(ATTRIBUTE) != null;
    }

    /**
     * Every ring's index on this member, in its Hazelcast user context under {@link #NAME}. A ring whose partition this
     * member stops owning, and every ring after a merge, is forgotten: meanwhile its stream may be lost and begun again
     * (a new epoch), or be the other side's, and an index kept from before would answer a repeat with a seq of another
     * stream. Owning it again, the member learns its keys from history.
     */
    public static final class Indexes implements com.hazelcast.partition.MigrationListener {
        public static final String NAME = "herald.keyIndexes";
        private final long windowMs;
        private final int maxKeys;
        private final Map<String, KeyIndex> byRing = new ConcurrentHashMap<>();
        private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();

        public Indexes(long windowMs, int maxKeys) {
            this.windowMs = windowMs;
            this.maxKeys = maxKeys;
        }

        KeyIndex of(String ring, int partitionId) {
            partitionOf.putIfAbsent(ring, partitionId);
            return byRing.computeIfAbsent(ring, r -> new KeyIndex(windowMs, maxKeys));
        }

        /** Forgets the indexes of the rings of a partition (marks them: Hazelcast's event thread never waits for a lock). */
        void forget(int partitionId) {
            partitionOf.forEach((ring, partition) -> {
                KeyIndex index = partition == partitionId ? byRing.get(ring) : null;
                if (index != null) {
                    index.markStale();
                }
            });
        }

        void forgetAll() {
            byRing.values().forEach(KeyIndex::markStale);
        }

        @Override
        public void replicaMigrationCompleted(com.hazelcast.partition.ReplicaMigrationEvent event) {
            if (event.getReplicaIndex() == 0 && event.getSource() != null && event.getSource().localMember()) {
                forget(event.getPartitionId());
            }
        }

        @Override
        public void migrationStarted(com.hazelcast.partition.MigrationState state) {
        }

        @Override
        public void migrationFinished(com.hazelcast.partition.MigrationState state) {
        }

        @Override
        public void replicaMigrationFailed(com.hazelcast.partition.ReplicaMigrationEvent event) {
        }
    }

    private String ring;
    private List<Data> records;
    private List<String> ids;
    private List<String> keys;
    private List<String> hashes;
    private long createdAt;
    private boolean again;
    private transient HazelcastInstance hazelcast;

    /** For Hazelcast's deserialisation. */
    public KeyedAppend() {
    }

    KeyedAppend(String ring, List<Data> records, List<String> ids, List<String> keys, List<String> hashes, long createdAt, boolean again) {
        this.ring = ring;
        this.records = records;
        this.ids = ids;
        this.keys = keys;
        this.hashes = hashes;
        this.createdAt = createdAt;
        this.again = again;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public Result call() throws Exception {
        return Result.of(run(hazelcast, ring, records, ids, keys, hashes, createdAt, again));
    }

    /**
     * Checks the keys and appends on this member, which must own the ring; answers in ring sequences (seq - 1).
     * {@code records}: strings, or {@link Data} as the task ships them.
     */
    static KeyIndex.Answer run(HazelcastInstance hazelcast, String ring, List<?> records, List<String> ids, List<String> keys,
                               List<String> hashes, long createdAt, boolean again) throws Exception {
        com.hazelcast.partition.Partition partition = IdempotentAppend.requireOwner(hazelcast, ring);
        Object indexes = hazelcast.getUserContext().get(Indexes.NAME);
        if (!(indexes instanceof Indexes known)) {
            throw new IllegalStateException("this member keeps no idempotency keys (not a Herald node)");
        }
        KeyIndex index = known.of(ring, partition.getPartitionId());
        Ringbuffer<Object> buffer = hazelcast.getRingbuffer(ring);
        synchronized (index) {
            index.resetIfStale();
            long now = System.currentTimeMillis();
            catchUp(buffer, index, now);
            Map<String, Long> found = again || now - createdAt > IdempotentAppend.RETRY_SUSPECT_MS ? recentIds(buffer) : Map.of();
            long before = index.indexedTo();
            long[] appended = {Long.MIN_VALUE, 0};
            KeyIndex.Answer answer = index.decide(ids, keys, hashes, found, now, picked -> {
                List<Object> go = new ArrayList<>(picked.length);
                for (int i : picked) {
                    go.add(records.get(i));
                }
                // the catch-up may have taken a while: a partition that moved meanwhile would take this append remotely,
                // to an owner whose index never saw these keys
                IdempotentAppend.requireOwner(hazelcast, ring);
                long last = buffer.addAllAsync(go, OverflowPolicy.OVERWRITE).toCompletableFuture().get();
                appended[0] = last - go.size() + 1;
                appended[1] = last;
                return appended[0];
            });
            // appends without keys do not take the lock: if one came between the catch-up and this append, the next
            // catch-up reads it (and this append's records again, which changes nothing)
            if (appended[0] != Long.MIN_VALUE && appended[0] == before + 1) {
                int lastPicked = -1;
                for (int i = 0; i < ids.size(); i++) {
                    if (answer.seqs()[i] == appended[1] && ids.get(i).equals(answer.ids()[i])) {
                        lastPicked = i;
                    }
                }
                index.indexedTo(appended[1], lastPicked < 0 ? null : ids.get(lastPicked));
            }
            return answer;
        }
    }

    /**
     * Indexes the records appended since the index last looked. It first reads the record where it stopped again: another
     * event there (or none: the ring is shorter) means the stream began again, lost with its backup, and the index
     * starts over from the ring's head.
     */
    static void catchUp(Ringbuffer<Object> buffer, KeyIndex index, long now) throws Exception {
        long tail = buffer.tailSequence();
        if (tail == index.indexedTo()) {
            return; // nothing appended since (the usual case of one publisher with keys)
        }
        long indexed = index.indexedTo();
        if (indexed != Long.MIN_VALUE) {
            Object there = tail < indexed || indexed < buffer.headSequence() ? null : buffer.readOne(indexed);
            String id = there instanceof String record ? IdempotentAppend.eventId(record) : null;
            boolean dropped = there == null && tail >= indexed; // history dropped it: nothing to compare, nothing wrong
            if (!dropped && (id == null || !id.equals(index.idAtIndexedTo()))) {
                index.reset();
            }
        }
        long from = Math.max(buffer.headSequence(), index.indexedTo() == Long.MIN_VALUE ? 0 : index.indexedTo() + 1);
        String[] lastId = {index.idAtIndexedTo()};
        long[] lastSeq = {index.indexedTo()};
        IdempotentAppend.forEachRecord(buffer, from, tail, (record, seq) -> {
            index.indexRecord(seq, record, now);
            lastId[0] = IdempotentAppend.eventId(record);
            lastSeq[0] = seq;
        });
        index.indexedTo(tail, lastSeq[0] == tail ? lastId[0] : null);
    }

    /** The event ids of the ring's last {@link IdempotentAppend#WINDOW} records, with their ring sequences. */
    static Map<String, Long> recentIds(Ringbuffer<Object> buffer) throws Exception {
        long tail = buffer.tailSequence();
        Map<String, Long> ids = new HashMap<>();
        IdempotentAppend.forEachRecord(buffer, Math.max(buffer.headSequence(), tail - IdempotentAppend.WINDOW + 1), tail, (record, seq) -> {
            String id = IdempotentAppend.eventId(record);
            if (id != null) {
                ids.put(id, seq);
            }
        });
        return ids;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(WireVersion.CURRENT);
        out.writeString(ring);
        out.writeLong(createdAt);
        out.writeBoolean(again);
        SerializedRecords.write(out, records);
        writeStrings(out, ids);
        writeStrings(out, keys);
        writeStrings(out, hashes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        WireVersion.checkLeadingByte(in.readByte(), "keyed append task");
        ring = in.readString();
        createdAt = in.readLong();
        again = in.readBoolean();
        records = SerializedRecords.read(in);
        ids = readStrings(in);
        keys = readStrings(in);
        hashes = readStrings(in);
    }

    private static void writeStrings(ObjectDataOutput out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.writeString(s);
        }
    }

    private static List<String> readStrings(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        List<String> strings = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            strings.add(in.readString());
        }
        return strings;
    }

    /** {@link KeyIndex.Answer} on the wire. */
    public static final class Result implements DataSerializable {
        private long[] seqs;
        private String[] ids;

        /** For Hazelcast's deserialisation. */
        public Result() {
        }

        static Result of(KeyIndex.Answer answer) {
            Result result = new Result();
            result.seqs = answer.seqs();
            result.ids = answer.ids();
            return result;
        }

        KeyIndex.Answer answer() {
            return new KeyIndex.Answer(seqs, ids);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeByte(WireVersion.CURRENT);
            out.writeLongArray(seqs);
            out.writeInt(ids.length);
            for (String id : ids) {
                out.writeString(id);
            }
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            WireVersion.checkLeadingByte(in.readByte(), "keyed append answer");
            seqs = in.readLongArray();
            ids = new String[in.readInt()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.readString();
            }
        }
    }
}
