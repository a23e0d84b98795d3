package io.herald.event;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventBatchCodecTest {
    @Test
    void roundTripsWithAndWithoutOptionalParts() {
        EventBatchCodec codec = new EventBatchCodec();
        EventBatch batch = new EventBatch("order:created", "0abc12345wxyz", List.of(
                new BusEvent(41, 1_732_350_000_000L, "{\"id\":\"é✓\"}", "c-1", new Target(Set.of("u"), Set.of("staff"), Set.of("r"))),
                new BusEvent(42, 7, "{}", null, null)));
        Buffer wire = Buffer.buffer().appendString("prefix");
        codec.encodeToWire(wire, batch);
        assertEquals(batch, codec.decodeFromWire(6, wire));
        assertEquals(new EventBatch("product:updated", "e", List.of()),
                codec.decodeFromWire(0, encoded(codec, new EventBatch("product:updated", "e", List.of()))));
    }

    private static Buffer encoded(EventBatchCodec codec, EventBatch batch) {
        Buffer wire = Buffer.buffer();
        codec.encodeToWire(wire, batch);
        return wire;
    }
}
