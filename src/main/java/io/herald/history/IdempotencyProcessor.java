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
public final class IdempotencyProcessor implements EntryProcessor<PartitionAwareKey<String, String>, String, String>, DataSerializable {
    static final int CLAIM = 0;
    static final int RECORD = 1;
    static final int RELEASE = 2;

    private int op;
    /** Key → hash (claim, release) or key → {@code "<hash>\n<answer>"} (record). */
    private HashMap<String, String> args;
    private long ttlMs;

    /** For Hazelcast, which reads the fields with {@link #readData}. */
    public IdempotencyProcessor() {
    }

    IdempotencyProcessor(int op, HashMap<String, String> args, long ttlMs) {
        this.op = op;
        this.args = args;
        this.ttlMs = ttlMs;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(op);
        out.writeLong(ttlMs);
        out.writeInt(args.size());
        for (Map.Entry<String, String> arg : args.entrySet()) {
            out.writeString(arg.getKey());
            out.writeString(arg.getValue());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        op = in.readInt();
        ttlMs = in.readLong();
        int size = in.readInt();
        args = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            args.put(in.readString(), in.readString());
        }
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
            case CLAIM -> IdempotencyState.claim(current, arg, now, ttlMs);
            case RECORD -> {
                int nl = arg.indexOf('\n');
                yield IdempotencyState.record(current, arg.substring(0, nl), arg.substring(nl + 1), now, ttlMs);
            }
            default -> IdempotencyState.release(current, arg);
        };
        if (step.remove()) {
            entry.setValue(null);
        } else if (step.value() != null) {
            ((ExtendedMapEntry<PartitionAwareKey<String, String>, String>) entry).setValue(step.value(), step.ttlMs(), TimeUnit.MILLISECONDS);
        }
        return step.outcome().encode();
    }
}
