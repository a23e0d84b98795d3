package io.herald.history;

import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Inbox entries and keyed-state entries share one stored-envelope type ({@link StoredEvent}) and keep the bytes they
 * were stored as before it (the hex below is what the classes before it wrote, through Hazelcast's serialisation): a
 * node of either release reads what the other wrote in the same Hazelcast map (a rolling upgrade).
 */
class StoredEventWireTest {
    static final SerializationService SERIALIZATION = new DefaultSerializationServiceBuilder().build();

    static String bytes(Object value) {
        return HexFormat.of().formatHex(SERIALIZATION.toData(value).toByteArray());
    }

    static <T> T read(String hex) {
        return SERIALIZATION.toObject(new com.hazelcast.internal.serialization.impl.HeapData(HexFormat.of().parseHex(hex)));
    }

    static final String INBOX_TARGETED = "00000000fffffffe000000001c696f2e686572616c642e686973746f72792e496e626f78456e747279010000000469642d31000000146f726465723a7374617475735f6368616e676564000000000000000700000002657000000000000004d200000003632d31000000117b227573657273223a5b22632d31225d7d0000000d7b226964223a2269642d31227d";
    static final String INBOX_PLAIN = "00000000fffffffe000000001c696f2e686572616c642e686973746f72792e496e626f78456e747279010000000469642d320000001373797374656d3a6e6f74696669636174696f6e00000000000000080000000265700000000000000063ffffffffffffffff000000027b7d";
    static final String STATE_TOMBSTONE = "00000000fffffffe000000001c696f2e686572616c642e686973746f72792e5374617465456e74727901000000036b2d31000000000000000500000002657000000000000010e10100000003632d32000000137b22726f6c6573223a5b227374616666225d7d0000000f7b2264656c657465223a747275657d";
    static final String STATE_PLAIN = "00000000fffffffe000000001c696f2e686572616c642e686973746f72792e5374617465456e74727901000000036b2d320000000000000006000000026570000000000000000100ffffffffffffffff000000027b7d";

    @Test
    void anInboxEntryIsWrittenAsBefore() {
        assertEquals(INBOX_TARGETED, bytes(new InboxEntry("id-1", "order:status_changed", 7, "ep", 1234, "c-1", "{\"users\":[\"c-1\"]}", "{\"id\":\"id-1\"}")));
        assertEquals(INBOX_PLAIN, bytes(new InboxEntry("id-2", "system:notification", 8, "ep", 99, null, null, "{}")));
        InboxEntry read = read(INBOX_TARGETED);
        assertEquals("id-1", read.id());
        assertEquals("order:status_changed", read.type());
        assertEquals(7, read.seq());
        assertEquals("ep", read.epoch());
        assertEquals(1234, read.ts());
        assertEquals("c-1", read.ownerId());
        assertEquals("{\"users\":[\"c-1\"]}", read.target());
        assertEquals("{\"id\":\"id-1\"}", read.envelope());
    }

    @Test
    void aStateEntryIsWrittenAsBefore() {
        assertEquals(STATE_TOMBSTONE, bytes(new StateEntry("k-1", 5, "ep", 4321, true, "c-2", "{\"roles\":[\"staff\"]}", "{\"delete\":true}")));
        assertEquals(STATE_PLAIN, bytes(new StateEntry("k-2", 6, "ep", 1, false, null, null, "{}")));
        StateEntry read = read(STATE_TOMBSTONE);
        assertEquals("k-1", read.key());
        assertEquals(5, read.seq());
        assertEquals(4321, read.updatedAt());
        assertEquals(true, read.deleted());
        assertEquals("c-2", read.ownerId());
        assertEquals("{\"roles\":[\"staff\"]}", read.target());
        assertEquals("{\"delete\":true}", read.envelope());
    }
}
