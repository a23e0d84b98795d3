package io.herald.event;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BusEventCodecTest {
    @Test
    void roundTripsWithAndWithoutOptionalParts() {
        BusEventCodec codec = new BusEventCodec();
        for (BusEvent event : new BusEvent[]{
                new BusEvent("order:created", "{\"id\":\"é✓\"}", "c-1", new Target(Set.of("u"), Set.of("staff"), Set.of("r"))),
                new BusEvent("product:updated", "{}", null, null)}) {
            Buffer wire = Buffer.buffer().appendString("prefix");
            codec.encodeToWire(wire, event);
            assertEquals(event, codec.decodeFromWire(6, wire));
        }
    }
}
