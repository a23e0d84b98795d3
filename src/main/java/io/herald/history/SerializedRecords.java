package io.herald.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.nio.DataReader;
import com.hazelcast.internal.nio.DataWriter;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.impl.SerializationServiceSupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * History records in Hazelcast's serialised form ({@link Data}), so that a remote append ships each record's bytes as the
 * ring buffer will keep them: the owner adds them as they arrive ({@code Ringbuffer.addAllAsync} keeps a {@code Data} as
 * it is) instead of decoding every record to a {@code String} and encoding it again (two-node batch ingest paid that,
 * about a seventh of its CPU per event). The one place Herald uses Hazelcast's internal serialisation API
 * ({@link SerializationServiceSupport}, {@link DataWriter}, {@link DataReader}); {@code IdempotentAppendTest} fails if
 * a Hazelcast upgrade changes what this relies on.
 */
final class SerializedRecords {
    private SerializedRecords() {
    }

    /** The records serialised as the ring buffer keeps them. */
    static List<Data> of(HazelcastInstance hazelcast, List<String> records) {
        var serialization = ((SerializationServiceSupport) hazelcast).getSerializationService();
        List<Data> data = new ArrayList<>(records.size());
        for (String record : records) {
            data.add(serialization.toData(record));
        }
        return data;
    }

    /** One record back as text. */
    static String text(HazelcastInstance hazelcast, Data record) {
        return ((SerializationServiceSupport) hazelcast).getSerializationService().toObject(record);
    }

    static void write(ObjectDataOutput out, List<Data> records) throws IOException {
        out.writeInt(records.size());
        DataWriter writer = (DataWriter) out;
        for (Data record : records) {
            writer.writeData(record);
        }
    }

    static List<Data> read(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        DataReader reader = (DataReader) in;
        List<Data> records = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            records.add(reader.readData());
        }
        return records;
    }
}
