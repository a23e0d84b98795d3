package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PublishRequestTest {
    @Test
    void parsesTypeDataAndTarget() {
        PublishRequest request = PublishRequest.fromJson(new JsonObject("{\"type\":\"order:created\",\"data\":{\"a\":1},"
                + "\"target\":{\"users\":[\"u1\"],\"rooms\":[\"r1\"]},\"storeId\":\"s1\"}"));
        assertEquals("order:created", request.type());
        assertEquals(new JsonObject().put("a", 1), request.data());
        assertEquals(new Target(Set.of("u1"), Set.of(), Set.of("r1")), request.target());
        assertEquals("s1", request.storeId());
        assertEquals(request, PublishRequest.fromJson(request.toJson()));
        assertNull(PublishRequest.fromJson(new JsonObject("{\"type\":\"a:b\",\"target\":{}}")).target(), "an empty target aims at no one in particular");
    }

    @Test
    void refusesMalformedEvents() {
        for (String bad : new String[]{"{}", "{\"type\":3}", "{\"type\":\"a:b\",\"data\":\"x\"}", "{\"type\":\"a:b\",\"target\":[]}",
                "{\"type\":\"a:b\",\"target\":{\"roles\":[1]}}", "{\"type\":\"a:b\",\"userId\":5}",
                "{\"type\":\"a:b\",\"delete\":\"yes\"}", "{\"type\":\"a:b\",\"delete\":1}"}) {
            HeraldException e = assertThrows(HeraldException.class, () -> PublishRequest.fromJson(new JsonObject(bad)), bad);
            assertEquals(ErrorCode.INVALID_EVENT, e.code());
        }
    }

    @Test
    void aDeleteIsAFlagBesideTypeAndDataThatTheEnvelopeAndTheRecordCarry() {
        PublishRequest delete = PublishRequest.fromJson(new JsonObject("{\"type\":\"inventory:updated\",\"data\":{\"productId\":\"p-1\"},\"delete\":true}"));
        assertEquals(true, delete.delete());
        assertEquals(delete, PublishRequest.fromJson(delete.toJson()));
        assertEquals(false, PublishRequest.fromJson(new JsonObject("{\"type\":\"a:b\",\"delete\":false}")).delete());
        JsonObject envelope = new JsonObject(Envelope.encode("i", "inventory:updated", 1, 2, "e", "{}", null, null, true));
        assertEquals(true, envelope.getBoolean("delete"));
        assertNull(new JsonObject(Envelope.encode("i", "inventory:updated", 1, 2, "e", "{}", null, null, false)).getValue("delete"));
        EventRecord record = EventRecord.decode(EventRecord.encode(io.herald.WireVersion.CURRENT, "i", 1, "{}", null, null, null, true));
        assertEquals(true, record.delete());
        assertEquals(true, record.envelope("inventory:updated", 2, "e").getBoolean("delete"), "a replay carries the delete too");
    }
}
