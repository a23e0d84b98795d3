package io.herald.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/** Wire form of {@link BusEvent} between nodes: length-prefixed UTF-8 strings; passed as is within a node. */
public final class BusEventCodec implements MessageCodec<BusEvent, BusEvent> {
    public static final String NAME = "herald.event";

    @Override
    public void encodeToWire(Buffer buffer, BusEvent event) {
        write(buffer, event.type());
        write(buffer, event.envelope());
        write(buffer, event.ownerId());
        write(buffer, event.target() == null ? null : event.target().toJson().encode());
    }

    @Override
    public BusEvent decodeFromWire(int pos, Buffer buffer) {
        int[] cursor = {pos};
        String type = read(buffer, cursor);
        String envelope = read(buffer, cursor);
        String ownerId = read(buffer, cursor);
        String target = read(buffer, cursor);
        return new BusEvent(type, envelope, ownerId, target == null ? null : Target.fromJson(new JsonObject(target)));
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
    public BusEvent transform(BusEvent event) {
        return event;
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
