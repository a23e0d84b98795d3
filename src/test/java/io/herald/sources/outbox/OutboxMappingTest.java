package io.herald.sources.outbox;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.event.IdempotencyKey;
import io.herald.event.PublishRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A row to its publish, or to the reason it goes to the dead table: the checks of {@code POST /api/events}. */
class OutboxMappingTest {
    static final Set<String> TYPES = Set.of("order:created", "payment:received");
    static final OutboxMapping MAPPING = new OutboxMapping("herald_outbox", 1000, request -> {
        if (!TYPES.contains(request.type())) {
            throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + request.type() + "'");
        }
    });

    static OutboxMapping.Mapped map(long id, String type, String data, String target, String key) {
        return MAPPING.map(new OutboxRow(id, type, data, target, key));
    }

    @Test
    void aGoodRowIsItsPublishWithItsPositionAsTheIdempotencyKey() {
        OutboxMapping.Mapped m = map(7, "order:created", "{\"orderId\":\"o-1\",\"total\":42}", "{\"users\":[\"u-1\"],\"rooms\":[\"store:3\"]}", null);
        assertFalse(m.bad(), m.error());
        PublishRequest request = m.request();
        assertEquals("order:created", request.type());
        assertEquals(new JsonObject().put("orderId", "o-1").put("total", 42), request.data());
        assertEquals(Set.of("u-1"), request.target().users());
        assertEquals(Set.of("store:3"), request.target().rooms());
        assertNull(request.userId());
        assertEquals("outbox\nherald_outbox:7", m.key().scoped());
        assertEquals(7, m.id());
    }

    @Test
    void theKeyIsTheRowsOwnWhenItHasOneAndItsHashFollowsTheContent() {
        OutboxMapping.Mapped own = map(8, "order:created", "{\"orderId\":\"o-1\"}", null, "order-o-1-created");
        assertEquals("outbox\norder-o-1-created", own.key().scoped());
        IdempotencyKey same = map(9, "order:created", "{\"orderId\":\"o-1\"}", null, "order-o-1-created").key();
        assertEquals(own.key(), same, "the same key and content in another row: one event");
        assertNotEquals(own.key().hash(), map(10, "order:created", "{\"orderId\":\"o-2\"}", null, "order-o-1-created").key().hash(),
                "other content under the same key: a conflict for the publisher");
        assertNull(map(11, "order:created", "{}", "null", null).request().target(), "a JSON null target is none");
    }

    @Test
    void badRowsAreNamedWithTheApisErrorCodes() {
        assertEquals("unknown_event_type: unknown event type 'nope:x'", map(1, "nope:x", "{}", null, null).error());
        assertTrue(map(2, "order:created", "[1,2]", null, null).error().startsWith("invalid_event: 'data' must be a JSON object"));
        assertTrue(map(3, "order:created", "42", null, null).error().startsWith("invalid_event: 'data' must be a JSON object"));
        assertTrue(map(4, "order:created", "{not json", null, null).error().startsWith("invalid_event: 'data' is not JSON"));
        assertTrue(map(5, "order:created", "{}", "{\"users\":\"u-1\"}", null).error().startsWith("invalid_event: target.users"));
        assertTrue(map(6, "order:created", "{}", "[1]", null).error().startsWith("invalid_event: target must be an object"));
        assertTrue(map(7, "order:created", "{\"x\":\"" + "a".repeat(1200) + "\"}", null, null).error().startsWith("body_too_large: "));
        assertTrue(map(8, "", "{}", null, null).error().startsWith("invalid_event: "));
        assertTrue(map(9, "order:created", "{}", null, "bad\nkey").error().startsWith("invalid_parameter: "), "a key as the API takes it");
        assertTrue(map(10, "order:created", deep(40), null, null).error().startsWith("invalid_event: 'data' may nest at most"));
        assertTrue(map(11, "order:created", null, null, null).bad());
    }

    static String deep(int levels) {
        return "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
    }
}
