package io.herald.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@link StateRule} as a Hazelcast entry processor, run on the key's owner and then on its backup (the default
 * backup processor is this one: the rule is deterministic, so both copies end alike). A tombstone gets a time to live of
 * {@link StateRule#TOMBSTONE_MS}. Answers whether the entry changed.
 */
public final class KeepNewer implements EntryProcessor<String, StateEntry, Boolean>, DataSerializable {
    private StateEntry incoming;

    /** For Hazelcast's deserialisation. */
    public KeepNewer() {
    }

    KeepNewer(StateEntry incoming) {
        this.incoming = incoming;
    }

    @Override
    public Boolean process(Map.Entry<String, StateEntry> entry) {
        StateEntry next = StateRule.next(entry.getValue(), incoming);
        if (next == null) {
            return false;
        }
        if (next.deleted() && entry instanceof ExtendedMapEntry<String, StateEntry> extended) {
            extended.setValue(next, StateRule.TOMBSTONE_MS, TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(next);
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        incoming.writeData(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        incoming = new StateEntry();
        incoming.readData(in);
    }
}
