package io.herald.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.partition.PartitionAwareKey;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link IdempotencyState} step on many keys of one bucket, run atomically on each key's entry by the member that
 * owns it (and again on its backup). Carries only its bucket's arguments (key → hash, or hash and answer), so a batch
 * ships each argument once. Every member that may own the map's partitions needs Herald's classes, as for
 * {@code IdempotentAppend}. Written as Hazelcast's {@link DataSerializable} (the operation, the TTL, then the pairs),
 * which is cheaper than Java serialization (no class descriptors, no object graph); a field added later goes at the end.
 */
public final class IdempotencyProcessor implements EntryProcessor<PartitionAwareKey<String, String>, String, String>, DataSerializable,
        com.hazelcast.core.HazelcastInstanceAware {
    static final int CLAIM = 0;
    static final int RECORD = 1;
    static final int RELEASE = 2;
    /**
     * Added after {@link #RELEASE}: a processor of the release before runs it as a release of hash {@code "<hash>\n<id>"},
     * which matches no claim and leaves it (it then ends with its lease).
     */
    static final int WITHDRAW = 3;
    /** In the op written: the member's UUID follows the pairs (not in the release before). */
    private static final int WITH_MEMBER = 0x100;

    private int op;
    /** Key → hash (release), {@code "<hash>\n<event id>"} (claim, withdraw) or {@code "<hash>\n<answer>"} (record). */
    private HashMap<String, String> args;
    /** How long the entry is kept: a claim's for the window (its lease is {@link IdempotencyStore#LEASE_MS}). */
    private long ttlMs;
    /** The UUID of the member that claims or releases (written after the pairs: a field added later goes at the end). */
    private String member = "";
    private transient com.hazelcast.core.HazelcastInstance hazelcast;

    /** For Hazelcast, which reads the fields with {@link #readData}. */
    public IdempotencyProcessor() {
    }

    IdempotencyProcessor(int op, HashMap<String, String> args, long ttlMs, String member) {
        this.op = op;
        this.args = args;
        this.ttlMs = ttlMs;
        this.member = member;
    }

    @Override
    public void setHazelcastInstance(com.hazelcast.core.HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    /**
     * Whether the member with this UUID has left the cluster, as the key's owner sees it (this runs there): its claim
     * is then taken over at once rather than after the lease. Without the instance (not injected), never.
     */
    private boolean gone(String uuid) {
        if (hazelcast == null || uuid.isEmpty() || "-".equals(uuid)) {
            return false;
        }
        for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(uuid)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(op | WITH_MEMBER);
        out.writeLong(ttlMs);
        out.writeInt(args.size());
        for (Map.Entry<String, String> arg : args.entrySet()) {
            out.writeString(arg.getKey());
            out.writeString(arg.getValue());
        }
        out.writeString(member); // after the pairs, flagged in op: a processor of the release before has none
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int flags = in.readInt();
        op = flags & ~WITH_MEMBER;
        ttlMs = in.readLong();
        int size = in.readInt();
        args = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            args.put(in.readString(), in.readString());
        }
        member = (flags & WITH_MEMBER) != 0 ? in.readString() : "";
    }

    @Override
    public String process(Map.Entry<PartitionAwareKey<String, String>, String> entry) {
        String arg = args.get(entry.getKey().getKey());
        if (arg == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        String current = entry.getValue();
        IdempotencyState.Step step = switch (op) {
            case CLAIM -> {
                int nl = arg.indexOf('\n');
                yield IdempotencyState.claim(current, arg.substring(0, nl), arg.substring(nl + 1), member, now,
                        IdempotencyStore.LEASE_MS, ttlMs, this::gone);
            }
            case RECORD -> {
                int nl = arg.indexOf('\n');
                yield IdempotencyState.record(current, arg.substring(0, nl), arg.substring(nl + 1), now, ttlMs);
            }
            case WITHDRAW -> {
                int nl = arg.indexOf('\n');
                yield IdempotencyState.withdraw(current, arg.substring(0, nl), arg.substring(nl + 1), member);
            }
            default -> IdempotencyState.release(current, arg, member.isEmpty() ? null : member, now, ttlMs);
        };
        if (step.remove()) {
            entry.setValue(null);
        } else if (step.value() != null) {
            ((ExtendedMapEntry<PartitionAwareKey<String, String>, String>) entry).setValue(step.value(), step.ttlMs(), TimeUnit.MILLISECONDS);
        }
        return step.outcome().encode();
    }
}
