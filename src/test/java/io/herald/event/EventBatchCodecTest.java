package io.herald.event;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.impl.MemberImpl;
import io.herald.WireVersion;
import io.herald.cluster.ClusterWire;
import io.herald.cluster.HeraldMembers;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventBatchCodecTest {
    static final EventBatch BATCH = new EventBatch("order:created", "0abc12345wxyz", List.of(
            new BusEvent(41, 1_732_350_000_000L, "{\"id\":\"é✓\"}", "c-1", new Target(Set.of("u"), Set.of("staff"), Set.of("r"))),
            new BusEvent(42, 7, "{}", null, null)));

    @Test
    void roundTripsWithAndWithoutOptionalParts() {
        EventBatchCodec codec = new EventBatchCodec();
        Buffer wire = Buffer.buffer().appendString("prefix");
        codec.encodeToWire(wire, BATCH);
        assertEquals(BATCH, codec.decodeFromWire(6, wire));
        assertEquals(new EventBatch("product:updated", "e", List.of()),
                codec.decodeFromWire(0, encoded(codec, new EventBatch("product:updated", "e", List.of()))));
    }

    /** What the release before the versioning wrote (its encodeToWire, byte for byte): version 1. */
    static Buffer version1(EventBatch batch) {
        Buffer buffer = Buffer.buffer();
        string(buffer, batch.type());
        string(buffer, batch.epoch());
        buffer.appendInt(batch.events().size());
        for (BusEvent event : batch.events()) {
            buffer.appendLong(event.seq()).appendLong(event.ts());
            string(buffer, event.envelope());
            string(buffer, event.ownerId());
            string(buffer, event.target() == null ? null : event.target().toJson().encode());
        }
        return buffer;
    }

    private static void string(Buffer buffer, String value) {
        if (value == null) {
            buffer.appendInt(-1);
        } else {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            buffer.appendInt(bytes.length).appendBytes(bytes);
        }
    }

    @Test
    void readsVersionOneAndTwo() {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        EventBatchCodec codec = new EventBatchCodec(wire);
        assertEquals(BATCH, codec.decodeFromWire(0, version1(BATCH)), "the previous release's batches");
        Buffer two = Buffer.buffer().appendString("xy").appendByte((byte) 0x82).appendBuffer(version1(BATCH));
        assertEquals(BATCH, codec.decodeFromWire(2, two), "version 2: a marker byte, then the same content");
        assertEquals(1L, wire.toJson().getJsonObject("read").getLong("1"));
        assertEquals(1L, wire.toJson().getJsonObject("read").getLong("2"));
    }

    @Test
    void writesWhatTheClusterReads() throws Exception {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        EventBatchCodec codec = new EventBatchCodec(wire);
        Buffer current = encoded(codec, BATCH);
        assertEquals((byte) 0x82, current.getByte(0), "every member reads 2: the marker");
        assertArrayEquals(version1(BATCH).getBytes(), current.getBuffer(1, current.length()).getBytes());

        // a node of the previous release (no wire attribute) joined
        wire.update(List.of(new MemberImpl.Builder(new Address("127.0.0.1", 5701)).uuid(UUID.randomUUID())
                .attributes(Map.of(HeraldMembers.ATTRIBUTE, "true")).build()));
        assertArrayEquals(version1(BATCH).getBytes(), encoded(codec, BATCH).getBytes(), "version 1, byte for byte what that release reads");
    }

    @Test
    void aNodeForcedToVersionOneWritesItAndRefusesVersionTwoAsThePreviousReleaseWould() {
        ClusterWire forced = new ClusterWire(WireVersion.PREVIOUS);
        EventBatchCodec codec = new EventBatchCodec(forced);
        assertArrayEquals(version1(BATCH).getBytes(), encoded(codec, BATCH).getBytes());
        Buffer two = encoded(new EventBatchCodec(), BATCH);
        assertThrows(WireVersion.Unsupported.class, () -> codec.decodeFromWire(0, two));
        assertEquals(1L, forced.toJson().getLong("refused"));
    }

    @Test
    void refusesAnUnknownFutureVersionWithAClearError() {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        EventBatchCodec codec = new EventBatchCodec(wire);
        Buffer three = Buffer.buffer().appendByte((byte) 0x83).appendBuffer(version1(BATCH));
        WireVersion.Unsupported refused = assertThrows(WireVersion.Unsupported.class, () -> codec.decodeFromWire(0, three));
        assertEquals(3, refused.version());
        assertTrue(refused.getMessage().startsWith("event batch of wire version 3 refused: this node reads versions 1 to 2"), refused.getMessage());
        assertEquals(1L, wire.toJson().getLong("refused"));
    }

    private static Buffer encoded(EventBatchCodec codec, EventBatch batch) {
        Buffer wire = Buffer.buffer();
        codec.encodeToWire(wire, batch);
        return wire;
    }
}
