package io.herald.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Wire form of {@link EventBatch} between nodes: counts, longs and length-prefixed UTF-8 strings; passed as is within a node. */
public final class EventBatchCodec implements MessageCodec<EventBatch, EventBatch> {
    public static final String NAME = "herald.events";

    @Override
    public void encodeToWire(Buffer buffer, EventBatch batch) {
        write(buffer, batch.type());
        write(buffer, batch.epoch());
        buffer.appendInt(batch.events().size());
        for (BusEvent event : batch.events()) {
            buffer.appendLong(event.seq());
            buffer.appendLong(event.ts());
            write(buffer, event.envelope());
            write(buffer, event.ownerId());
            write(buffer, event.target() == null ? null : event.target().toJson().encode());
        }
    }

    @Override
    public EventBatch decodeFromWire(int pos, Buffer buffer) {
        int[] cursor = {pos};
        String type = read(buffer, cursor);
        String epoch = read(buffer, cursor);
        int count = buffer.getInt(cursor[0]);
        cursor[0] += 4;
        List<BusEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = buffer.getLong(cursor[0]);
            long ts = buffer.getLong(cursor[0] + 8);
            cursor[0] += 16;
            String envelope = read(buffer, cursor);
            String ownerId = read(buffer, cursor);
            String target = read(buffer, cursor);
            events.add(new BusEvent(seq, ts, envelope, ownerId, target == null ? null : Target.fromJson(new JsonObject(target))));
        }
        return new EventBatch(type, epoch, events);
    }

    private static void write(Buffer buffer, String value) {
        if (value == null) {
            buffer.appendInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    private static String read(Buffer buffer, int[] cursor) {
        int length = buffer.getInt(cursor[0]);
        cursor[0] += 4;
        if (length < 0) {
            return null;
        }
        String value = buffer.getString(cursor[0], cursor[0] + length, "UTF-8");
        cursor[0] += length;
        return value;
    }

    @Override
    public EventBatch transform(EventBatch batch) {
        return batch;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
