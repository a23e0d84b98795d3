package io.herald.sources.kafka;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ConfigException;
import io.herald.event.IdempotencyKey;
import io.herald.event.PublishRequest;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordMappingTest {
    private static final Set<String> CATALOG = Set.of("order:created", "order:updated", "payment:received", "inventory:low_stock");

    private static RecordMapping mapping() {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put("orders", "header:event-type");
        topics.put("payments", "payment:received");
        topics.put("bodies", "field:kind");
        topics.put("typed", "field:type");
        return new RecordMapping(topics, CATALOG::contains, 1024, request -> {
            if (!CATALOG.contains(request.type())) {
                throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + request.type() + "'");
            }
        });
    }

    private static RecordHeaders headers(String... pairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ErrorCode refused(String topic, RecordHeaders headers, String value) {
        return assertThrows(HeraldException.class, () -> mapping().map(topic, 0, 7, headers, value == null ? null : bytes(value))).code();
    }

    @Test
    void aHeaderRuleTakesTheTypeFromTheHeaderAndTheValueAsData() {
        RecordMapping.Mapped mapped = mapping().map("orders", 2, 41, headers("event-type", "order:created"), bytes("{\"orderId\":\"o-1\",\"total\":5}"));
        PublishRequest request = mapped.request();
        assertEquals("order:created", request.type());
        assertEquals(new JsonObject().put("orderId", "o-1").put("total", 5), request.data());
        assertNull(request.target());
        assertEquals(RecordMapping.SCOPE + "\norders/2/41", mapped.key().scoped(), "no key header: the record's position is the key");
    }

    @Test
    void aFixedTypeRuleTakesEveryRecordAsThatType() {
        RecordMapping.Mapped mapped = mapping().map("payments", 0, 3, headers(), bytes("{\"amount\":10}"));
        assertEquals("payment:received", mapped.request().type());
        assertEquals(10, mapped.request().data().getInteger("amount"));
    }

    @Test
    void aFieldRuleTakesTheValueAsAnHttpBody() {
        RecordMapping.Mapped mapped = mapping().map("bodies", 0, 1, headers(),
                bytes("{\"kind\":\"inventory:low_stock\",\"data\":{\"sku\":\"A\"},\"target\":{\"roles\":[\"staff\"]},\"storeId\":\"s-1\"}"));
        assertEquals("inventory:low_stock", mapped.request().type());
        assertEquals(new JsonObject().put("sku", "A"), mapped.request().data());
        assertEquals(List.of("staff"), mapped.request().target().toJson().getJsonArray("roles").getList());
        assertEquals("s-1", mapped.request().storeId());
        RecordMapping.Mapped typed = mapping().map("typed", 0, 1, headers(), bytes("{\"type\":\"order:updated\",\"data\":{\"orderId\":\"o\"}}"));
        assertEquals("order:updated", typed.request().type());
    }

    @Test
    void theIdempotencyKeyHeaderWinsAndTheHashCoversTypeAndValue() {
        RecordMapping m = mapping();
        RecordMapping.Mapped first = m.map("orders", 0, 1, headers("event-type", "order:created", "idempotency-key", "order-1-created"), bytes("{\"a\":1}"));
        RecordMapping.Mapped again = m.map("orders", 1, 9, headers("event-type", "order:created", "idempotency-key", "order-1-created"), bytes("{\"a\":1}"));
        RecordMapping.Mapped otherType = m.map("orders", 1, 9, headers("event-type", "order:updated", "idempotency-key", "order-1-created"), bytes("{\"a\":1}"));
        assertEquals(RecordMapping.SCOPE + "\norder-1-created", first.key().scoped());
        assertEquals(first.key(), again.key(), "the same key and body wherever it is: one event");
        assertNotEquals(first.key().hash(), otherType.key().hash(), "another type under the same key: a conflict");
        assertNotEquals(IdempotencyKey.HTTP, RecordMapping.SCOPE);
    }

    @Test
    void badRecordsAreRefusedWithTheApisCodes() {
        assertEquals(ErrorCode.INVALID_EVENT, refused("orders", headers(), "{\"a\":1}"), "no type header");
        assertEquals(ErrorCode.UNKNOWN_EVENT_TYPE, refused("orders", headers("event-type", "nope:x"), "{\"a\":1}"));
        assertEquals(ErrorCode.INVALID_JSON, refused("orders", headers("event-type", "order:created"), "not json"));
        assertEquals(ErrorCode.INVALID_JSON, refused("orders", headers("event-type", "order:created"), "[1,2]"), "not an object");
        assertEquals(ErrorCode.INVALID_JSON, refused("payments", headers(), null), "a tombstone");
        assertEquals(ErrorCode.BODY_TOO_LARGE, refused("payments", headers(), "{\"a\":\"" + "x".repeat(1100) + "\"}"));
        assertEquals(ErrorCode.INVALID_EVENT, refused("bodies", headers(), "{\"data\":{}}"), "no kind field");
        assertEquals(ErrorCode.INVALID_EVENT, refused("bodies", headers(), "{\"kind\":\"order:created\",\"data\":5}"), "data not an object");
        assertEquals(ErrorCode.INVALID_EVENT, refused("bodies", headers(), "{\"kind\":\"order:created\",\"target\":{\"users\":5}}"), "a bad target");
        assertEquals(ErrorCode.INVALID_PARAMETER, refused("payments", headers("idempotency-key", "bad\u0001key"), "{}"), "a key with a control character");
        assertEquals(ErrorCode.INVALID_EVENT, refused("unknown-topic", headers(), "{}"));
    }

    @Test
    void aFixedTypeTheCatalogLacksIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> new RecordMapping(Map.of("t", "order:nope"), CATALOG::contains, 1024, r -> { }));
        assertTrue(e.getMessage().startsWith("sources.kafka.topics.t: "), e.getMessage());
    }

    @Test
    void aDeadLetterKeepsTheRecordAndSaysWhy() {
        ProducerRecord<byte[], byte[]> dead = KafkaSource.deadLetter("orders", 2, 41, bytes("k"), bytes("not json"), headers("event-type", "order:created"),
                new HeraldException(ErrorCode.INVALID_JSON, "a record's value is not JSON"));
        assertEquals("orders.herald-dlq", dead.topic());
        assertEquals("not json", new String(dead.value(), StandardCharsets.UTF_8));
        assertEquals("k", new String(dead.key(), StandardCharsets.UTF_8));
        assertEquals("order:created", RecordMapping.header(dead.headers(), "event-type"));
        assertEquals("invalid_json: a record's value is not JSON", RecordMapping.header(dead.headers(), KafkaSource.ERROR_HEADER));
        assertEquals("invalid_json", RecordMapping.header(dead.headers(), KafkaSource.ERROR_CODE_HEADER));
        assertEquals("orders/2/41", RecordMapping.header(dead.headers(), KafkaSource.SOURCE_HEADER));
    }
}
