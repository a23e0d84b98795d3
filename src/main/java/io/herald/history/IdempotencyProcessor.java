package io.herald.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.partition.PartitionAwareKey;

import java.io.Serial;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link IdempotencyState} step on many keys of one bucket, run atomically on each key's entry by the member that
 * owns it (and again on its backup). Carries only its bucket's arguments (key → hash, or hash and answer), so a batch
 * ships each argument once. Every member that may own the map's partitions needs Herald's classes, as for
 * {@code IdempotentAppend}.
 */
final class IdempotencyProcessor implements EntryProcessor<PartitionAwareKey<String, String>, String, String>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    static final int CLAIM = 0;
    static final int RECORD = 1;
    static final int RELEASE = 2;

    private final int op;
    /** Key → hash (claim, release) or key → {@code "<hash>\n<answer>"} (record). */
    private final HashMap<String, String> args;
    private final long ttlMs;

    IdempotencyProcessor(int op, HashMap<String, String> args, long ttlMs) {
        this.op = op;
        this.args = args;
        this.ttlMs = ttlMs;
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
