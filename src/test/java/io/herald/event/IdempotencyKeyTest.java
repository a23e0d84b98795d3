package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdempotencyKeyTest {
    @Test
    void theHashIsTheSha256OfTheBytes() {
        // SHA-256("abc"), the FIPS 180-2 example
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                IdempotencyKey.of(IdempotencyKey.HTTP, "k", "abc".getBytes(StandardCharsets.US_ASCII)).hash());
    }

    @Test
    void keysAreScopedAndBodiesCompareByTheirBytes() {
        byte[] body = "{\"type\":\"order:created\"}".getBytes(StandardCharsets.UTF_8);
        IdempotencyKey http = IdempotencyKey.of(IdempotencyKey.HTTP, "order-1", body);
        IdempotencyKey bus = IdempotencyKey.of(IdempotencyKey.BUS, "order-1", body);
        assertNotEquals(http.scoped(), bus.scoped());
        assertEquals(http.hash(), bus.hash());
        assertNotEquals(http.hash(), IdempotencyKey.of(IdempotencyKey.HTTP, "order-1",
                "{ \"type\":\"order:created\"}".getBytes(StandardCharsets.UTF_8)).hash(), "other bytes, another body");
    }

    @Test
    void aBatchItemHashesItsCompactJson() {
        JsonObject item = new JsonObject("{ \"type\" : \"order:created\", \"data\": {\"a\": 1}, \"idempotencyKey\": \"k\" }");
        assertEquals(IdempotencyKey.of(IdempotencyKey.HTTP, "k",
                        "{\"type\":\"order:created\",\"data\":{\"a\":1},\"idempotencyKey\":\"k\"}".getBytes(StandardCharsets.UTF_8)).hash(),
                IdempotencyKey.of(IdempotencyKey.HTTP, "k", item).hash());
    }

    @Test
    void keysAreOneTo255PrintableAsciiCharacters() {
        IdempotencyKey.check("a");
        IdempotencyKey.check(" ~!".repeat(85));
        for (String bad : new String[]{"", "x".repeat(256), "tab\there", "new\nline", "caf\u00e9", "\u007f"}) {
            HeraldException e = assertThrows(HeraldException.class, () -> IdempotencyKey.check(bad), bad);
            assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        }
        assertThrows(HeraldException.class, () -> IdempotencyKey.check(null));
    }

    @Test
    void aKeyHashedByThePublisherCoversTheEventsTypeDataTargetAndIdentity() {
        JsonObject asSent = new JsonObject().put("type", "order:created").put("data", new JsonObject().put("n", 1)).put("idempotencyKey", "k");
        IdempotencyKey key = IdempotencyKey.ofEvent(IdempotencyKey.HTTP, "k", asSent);
        assertEquals(IdempotencyKey.of(IdempotencyKey.HTTP, "k", asSent).hash(), key.hashedAsBefore().hash(),
                "for the map the release before shares: its hash of the JSON as sent");
        assertTrue(key.hashedByPublisher());
        String hash = key.ofEvent("order:created", "{\"n\":1}", null, "u", null, false).hash();
        assertEquals(hash, key.ofEvent("order:created", "{\"n\":1}", null, "u", null, false).hash());
        for (IdempotencyKey other : java.util.List.of(
                key.ofEvent("order:created", "{\"n\":2}", null, "u", null, false),
                key.ofEvent("order:updated", "{\"n\":1}", null, "u", null, false),
                key.ofEvent("order:created", "{\"n\":1}", Target.fromJson(new JsonObject().put("users", new io.vertx.core.json.JsonArray().add("x"))), "u", null, false),
                key.ofEvent("order:created", "{\"n\":1}", null, null, "u", false),
                key.ofEvent("order:created", "{\"n\":1}", null, "u\n", null, false),
                key.ofEvent("order:created", "{\"n\":1}", null, "u", null, true))) {
            assertNotEquals(hash, other.hash());
            assertEquals(key.scoped(), other.scoped());
        }
    }
}
