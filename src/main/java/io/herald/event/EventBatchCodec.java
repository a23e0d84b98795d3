package io.herald.event;

import io.herald.WireVersion;
import io.herald.cluster.ClusterWire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire form of {@link EventBatch} between nodes: counts, longs and length-prefixed UTF-8 strings; passed as is within a
 * node. Version 1 (the release before the versioning) starts with the type's length, whose first byte is 0 (or 0xFF for
 * -1, never written); version 2 and later start with one byte {@code 0x80 | version}, then the same content. Writes the
 * version {@link ClusterWire} says; a batch of a version this node does not read throws {@link WireVersion.Unsupported}
 * from {@code body()} (the stream then fills the gap from history).
 */
public final class EventBatchCodec implements MessageCodec<EventBatch, EventBatch> {
    public static final String NAME = "herald.events";
    private static final int MARKED = 0x80;

    private final ClusterWire wire;

    /** Alone (no cluster): writes and reads the current version. */
    public EventBatchCodec() {
        this(new ClusterWire(WireVersion.CURRENT));
    }

    public EventBatchCodec(ClusterWire wire) {
        this.wire = wire;
    }

    @Override
    public void encodeToWire(Buffer buffer, EventBatch batch) {
        int version = wire.writes();
        if (version > WireVersion.PREVIOUS) {
            buffer.appendByte((byte) (MARKED | version));
        }
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
        int first = buffer.getByte(pos) & 0xFF;
        int version = first < MARKED || first == 0xFF ? WireVersion.PREVIOUS : first & 0x7F;
        wire.read(version, "event batch");
        int[] cursor = {version == WireVersion.PREVIOUS ? pos : pos + 1};
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
