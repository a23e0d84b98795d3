package io.herald.event;

import io.herald.WireVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRecordTest {
    static final Target TARGET = new Target(Set.of("u-1"), Set.of(), Set.of());
    static final EventRecord RECORD = new EventRecord("e-1", 5, new JsonObject().put("total", 12), "u-1", "s-9", TARGET);

    @Test
    void versionOneIsWhatThePreviousReleaseWroteAndVersionTwoAddsTheMarkerFirst() {
        String one = EventRecord.encode(1, "e-1", 5, "{\"total\":12}", "u-1", "s-9", TARGET);
        assertEquals("{\"id\":\"e-1\",\"ts\":5,\"data\":{\"total\":12},\"userId\":\"u-1\",\"storeId\":\"s-9\",\"target\":"
                + TARGET.toJson().encode() + "}", one);
        String two = EventRecord.encode(2, "e-1", 5, "{\"total\":12}", "u-1", "s-9", TARGET);
        assertEquals("{\"v\":2," + one.substring(1), two);
        assertEquals(two, EventRecord.encode("e-1", 5, "{\"total\":12}", "u-1", "s-9", TARGET), "the current version by default");
    }

    @Test
    void readsBothVersions() {
        assertEquals(RECORD, EventRecord.decode(EventRecord.encode(1, "e-1", 5, "{\"total\":12}", "u-1", "s-9", TARGET)));
        assertEquals(RECORD, EventRecord.decode(EventRecord.encode(2, "e-1", 5, "{\"total\":12}", "u-1", "s-9", TARGET)));
    }

    /** After a rollback, history still holds what the newer release wrote: read by the fields this release knows. */
    @Test
    void readsAFutureVersionByTheFieldsItKnows() {
        EventRecord read = EventRecord.decode("{\"v\":3,\"id\":\"e-1\",\"ts\":5,\"data\":{\"a\":1},\"newField\":true}");
        assertEquals("e-1", read.id());
        assertEquals(5, read.ts());
    }

    @Test
    void refusesAFutureVersionWithoutTheFieldsItNeeds() {
        WireVersion.Unsupported refused = assertThrows(WireVersion.Unsupported.class,
                () -> EventRecord.decode("{\"v\":3,\"eventId\":\"e-1\",\"ts\":5,\"data\":{}}"));
        assertTrue(refused.getMessage().startsWith("history record of wire version 3 refused"), refused.getMessage());
    }
}
