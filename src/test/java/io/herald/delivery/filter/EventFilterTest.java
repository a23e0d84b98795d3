package io.herald.delivery.filter;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter grammar, its limits and its evaluation, on envelopes as delivered: no node, no socket. */
class EventFilterTest {
    static final String ENVELOPE = "{\"id\":\"e-1\",\"type\":\"order:created\",\"ts\":1,\"seq\":42,\"epoch\":\"ep\","
            + "\"data\":{\"orderId\":\"o-1\",\"customerId\":\"c-1001\",\"total\":120.5,\"items\":3,\"express\":true,\"note\":null,"
            + "\"code\":\"5\",\"address\":{\"city\":\"Lyon\",\"zip\":\"69001\"},\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]},"
            + "\"userId\":\"u-7\",\"storeId\":\"s-1\"}";

    static boolean matches(String filter) {
        return EventFilter.parse(filter).matches("order:created", ENVELOPE);
    }

    static String cond(String field, String op, String valueJson) {
        return "{\"field\":\"" + field + "\",\"op\":\"" + op + "\"" + (valueJson == null ? "" : ",\"value\":" + valueJson) + "}";
    }

    static void assertInvalid(String filter, String messagePart) {
        HeraldException refused = assertThrows(HeraldException.class, () -> EventFilter.parse(filter), filter);
        assertEquals(ErrorCode.INVALID_FILTER, refused.code());
        assertTrue(refused.getMessage().contains(messagePart), refused.getMessage() + " should say " + messagePart);
    }

    /** The cases herald.js is held to as well (src/test/js/herald-filters.mjs): both evaluators decide alike. */
    @Test
    void theSharedCasesHeraldJsIsHeldToAsWell() throws Exception {
        JsonObject cases = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/filters/cases.json")));
        JsonObject envelope = cases.getJsonObject("envelope");
        for (Object item : cases.getJsonArray("matches")) {
            JsonObject row = (JsonObject) item;
            EventFilter filter = EventFilter.parse(row.getJsonObject("filter").encode());
            assertEquals(row.getBoolean("matches"), filter.matches("order:created", envelope.encode()), row.getString("why"));
            assertEquals(row.getBoolean("matches"), filter.matches(envelope), row.getString("why") + " (parsed envelope)");
        }
        for (Object item : cases.getJsonArray("invalid")) {
            JsonObject row = (JsonObject) item;
            HeraldException refused = assertThrows(HeraldException.class, () -> EventFilter.parse(row.getString("filter")), row.getString("why"));
            assertEquals(ErrorCode.INVALID_FILTER, refused.code(), row.getString("why"));
        }
        for (Object item : cases.getJsonArray("valid")) {
            JsonObject row = (JsonObject) item;
            EventFilter.parse(row.getString("filter"));
        }
    }

    // ---- each op

    @Test
    void eqAndNe() {
        assertTrue(matches(cond("storeId", "eq", "\"s-1\"")));
        assertFalse(matches(cond("storeId", "eq", "\"s-2\"")));
        assertTrue(matches(cond("storeId", "ne", "\"s-2\"")));
        assertFalse(matches(cond("storeId", "ne", "\"s-1\"")));
        assertTrue(matches(cond("data.express", "eq", "true")));
        assertFalse(matches(cond("data.express", "eq", "false")));
        assertTrue(matches(cond("data.missing", "ne", "\"x\"")), "ne matches an absent field");
        assertTrue(matches(cond("data.note", "eq", "null")), "eq null: a null field");
        assertTrue(matches(cond("data.missing", "eq", "null")), "eq null: an absent field");
        assertFalse(matches(cond("data.orderId", "eq", "null")));
    }

    @Test
    void in() {
        assertTrue(matches(cond("storeId", "in", "[\"s-9\",\"s-1\"]")));
        assertFalse(matches(cond("storeId", "in", "[\"s-9\",\"s-8\"]")));
        assertTrue(matches(cond("data.items", "in", "[1,2,3]")));
        assertFalse(matches(cond("data.missing", "in", "[\"x\"]")));
        assertTrue(matches(cond("data.missing", "in", "[\"x\",null]")));
    }

    @Test
    void orderingOnNumbersAndStrings() {
        assertTrue(matches(cond("data.total", "gt", "100")));
        assertFalse(matches(cond("data.total", "gt", "120.5")));
        assertTrue(matches(cond("data.total", "gte", "120.5")));
        assertTrue(matches(cond("data.total", "lt", "121")));
        assertFalse(matches(cond("data.total", "lt", "120.5")));
        assertTrue(matches(cond("data.total", "lte", "120.5")));
        assertTrue(matches(cond("data.address.zip", "gte", "\"69000\"")), "strings compare as strings");
        assertTrue(matches(cond("data.address.city", "lt", "\"M\"")));
        assertFalse(matches(cond("data.address.city", "gt", "\"M\"")));
    }

    @Test
    void orderingNeverMatchesAcrossKindsNorAnAbsentField() {
        for (String op : List.of("gt", "gte", "lt", "lte")) {
            assertFalse(matches(cond("data.code", op, "5")), "\"5\" " + op + " 5: a string is not a number");
            assertFalse(matches(cond("data.items", op, "\"3\"")), "3 " + op + " \"3\"");
            assertFalse(matches(cond("data.missing", op, "1")), "absent " + op);
            assertFalse(matches(cond("data.note", op, "1")), "null " + op);
            assertFalse(matches(cond("data.address", op, "1")), "an object " + op);
        }
    }

    @Test
    void exists() {
        assertTrue(matches(cond("data.orderId", "exists", null)), "value true by default");
        assertTrue(matches(cond("data.orderId", "exists", "true")));
        assertFalse(matches(cond("data.missing", "exists", "true")));
        assertTrue(matches(cond("data.missing", "exists", "false")));
        assertFalse(matches(cond("data.note", "exists", "true")), "null counts as absent");
        assertTrue(matches(cond("data.address", "exists", "true")), "an object exists");
    }

    // ---- numbers against strings

    @Test
    void numbersCompareAsNumbersNeverAsStrings() {
        assertTrue(matches(cond("data.items", "eq", "3")));
        assertTrue(matches(cond("data.items", "eq", "3.0")), "3 equals 3.0");
        assertFalse(matches(cond("data.items", "eq", "\"3\"")), "a number is not a string");
        assertFalse(matches(cond("data.code", "eq", "5")), "a string is not a number");
        assertTrue(matches(cond("data.code", "eq", "\"5\"")));
        assertTrue(matches(cond("data.total", "eq", "120.50")));
        assertFalse(matches(cond("data.express", "eq", "1")), "true is not 1");
        assertEquals(EventFilter.parse(cond("data.items", "eq", "3")), EventFilter.parse(cond("data.items", "eq", "3.0")),
                "the same filter once normalized");
    }

    @Test
    void largeAndNegativeNumbers() {
        String envelope = "{\"type\":\"t\",\"data\":{\"big\":9007199254740993,\"neg\":-2,\"huge\":123456789012345678901234567890}}";
        assertTrue(EventFilter.parse(cond("data.big", "gt", "9007199254740992")).matches("t", envelope), "longs compare exactly");
        assertTrue(EventFilter.parse(cond("data.neg", "lt", "-1.5")).matches("t", envelope));
        assertTrue(EventFilter.parse(cond("data.huge", "gt", "1e29")).matches("t", envelope));
    }

    // ---- paths

    @Test
    void paths() {
        assertTrue(matches(cond("userId", "eq", "\"u-7\"")));
        assertTrue(matches(cond("type", "eq", "\"order:created\"")));
        assertTrue(matches(cond("data.address.city", "eq", "\"Lyon\"")), "a dotted path");
        assertTrue(matches(cond("data.lines.1.sku", "eq", "\"B\"")), "a key of digits indexes an array");
        assertFalse(matches(cond("data.lines.2.sku", "exists", null)), "past the end");
        assertFalse(matches(cond("data.orderId.x", "exists", null)), "into a string");
        assertFalse(matches(cond("data.lines.x", "exists", null)), "a name into an array");
        String noIdentity = "{\"type\":\"order:created\",\"data\":{}}";
        assertFalse(EventFilter.parse(cond("storeId", "exists", null)).matches("order:created", noIdentity));
        assertTrue(EventFilter.parse(cond("storeId", "ne", "\"s-1\"")).matches("order:created", noIdentity));
    }

    @Test
    void aFilterOnTheTypeAloneDoesNotParseTheEnvelope() {
        EventFilter.Input input = new EventFilter.Input("order:created", ENVELOPE);
        assertTrue(EventFilter.parse(cond("type", "eq", "\"order:created\"")).matches(input));
        assertFalse(input.parsed());
        assertTrue(EventFilter.parse(cond("storeId", "eq", "\"s-1\"")).matches(input));
        assertTrue(input.parsed());
    }

    @Test
    void theSameInputServesManyFiltersWithOneParse() {
        EventFilter.Input input = new EventFilter.Input("order:created", ENVELOPE);
        assertTrue(EventFilter.parse(cond("storeId", "eq", "\"s-1\"")).matches(input));
        java.util.Map<String, Object> parsedOnce = input.envelope();
        assertTrue(EventFilter.parse(cond("data.total", "gt", "1")).matches(input));
        assertTrue(parsedOnce == input.envelope(), "one parse for both");
    }

    // ---- combinators

    @Test
    void andOrNot() {
        String store = cond("storeId", "eq", "\"s-1\"");
        String big = cond("data.total", "gt", "100");
        String small = cond("data.total", "lt", "10");
        assertTrue(matches("{\"and\":[" + store + "," + big + "]}"));
        assertFalse(matches("{\"and\":[" + store + "," + small + "]}"));
        assertTrue(matches("{\"or\":[" + small + "," + big + "]}"));
        assertFalse(matches("{\"or\":[" + small + "," + cond("storeId", "eq", "\"s-2\"") + "]}"));
        assertTrue(matches("{\"not\":" + small + "}"));
        assertFalse(matches("{\"not\":{\"not\":" + small + "}}"));
        assertTrue(matches("{\"and\":[{\"or\":[" + small + "," + store + "]},{\"not\":" + small + "}]}"));
    }

    @Test
    void orOfFiltersMatchesWhatAnyMatches() {
        EventFilter s1 = EventFilter.parse(cond("storeId", "eq", "\"s-1\""));
        EventFilter s2 = EventFilter.parse(cond("storeId", "eq", "\"s-2\""));
        EventFilter either = EventFilter.or(List.of(s2, s1));
        assertTrue(either.matches("order:created", ENVELOPE));
        assertFalse(EventFilter.or(List.of(s2)).matches("order:created", ENVELOPE));
        assertEquals(EventFilter.parse("{\"or\":[" + cond("storeId", "eq", "\"s-2\"") + "," + cond("storeId", "eq", "\"s-1\"") + "]}"), either);
    }

    @Test
    void anEnvelopeObjectMatchesAsItsText() {
        JsonObject envelope = new JsonObject(ENVELOPE);
        assertTrue(EventFilter.parse(cond("data.address.city", "eq", "\"Lyon\"")).matches(envelope));
        assertTrue(EventFilter.parse(cond("type", "eq", "\"order:created\"")).matches(envelope));
        assertFalse(EventFilter.parse(cond("storeId", "eq", "\"s-2\"")).matches(envelope));
    }

    @Test
    void normalizedTextIgnoresKeyOrderAndDefaults() {
        EventFilter a = EventFilter.parse("{\"op\":\"exists\",\"field\":\"data.x\"}");
        EventFilter b = EventFilter.parse("{ \"field\" : \"data.x\", \"value\": true, \"op\": \"exists\" }");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("{\"field\":\"data.x\",\"op\":\"exists\",\"value\":true}", a.normalized());
        assertNotEquals(a, EventFilter.parse(cond("data.x", "exists", "false")));
        assertEquals(EventFilter.parse(new JsonObject(cond("storeId", "eq", "\"s-1\""))), EventFilter.parse(cond("storeId", "eq", "\"s-1\"")),
                "the header as an object or as a string");
    }

    // ---- each bad filter

    @Test
    void unknownOp() {
        assertInvalid(cond("storeId", "like", "\"s-%\""), "unknown op 'like'");
        assertInvalid("{\"field\":\"storeId\",\"value\":\"s-1\"}", "needs an op");
        assertInvalid("{\"field\":\"storeId\",\"op\":3,\"value\":\"s-1\"}", "needs an op");
    }

    @Test
    void unknownFieldOrKey() {
        assertInvalid(cond("customerId", "eq", "\"c-1\""), "unknown field 'customerId'");
        assertInvalid(cond("data", "eq", "\"c-1\""), "unknown field 'data'");
        assertInvalid(cond("data.", "exists", null), "unknown field");
        assertInvalid(cond("data..x", "exists", null), "unknown field");
        assertInvalid(cond("data.x.", "exists", null), "unknown field");
        assertInvalid("{\"op\":\"eq\",\"value\":1}", "needs a field");
        assertInvalid("{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"s-1\",\"extra\":1}", "unknown key 'extra'");
        assertInvalid("{\"and\":[" + cond("storeId", "exists", null) + "],\"field\":\"storeId\"}", "may hold nothing else");
        assertInvalid("{}", "needs a field");
    }

    @Test
    void wrongValueTypes() {
        assertInvalid(cond("storeId", "eq", "{\"a\":1}"), "eq needs a value");
        assertInvalid(cond("storeId", "eq", "[\"s-1\"]"), "eq needs a value");
        assertInvalid(cond("storeId", "eq", null), "eq needs a value");
        assertInvalid(cond("storeId", "ne", "{}"), "ne needs a value");
        assertInvalid(cond("storeId", "in", "\"s-1\""), "in needs a non-empty array");
        assertInvalid(cond("storeId", "in", "[]"), "in needs a non-empty array");
        assertInvalid(cond("storeId", "in", "[[\"s-1\"]]"), "in needs a non-empty array");
        assertInvalid(cond("data.total", "gt", "true"), "gt needs a value that is a number or a string");
        assertInvalid(cond("data.total", "gte", "null"), "gte needs");
        assertInvalid(cond("data.total", "lt", "[1]"), "lt needs");
        assertInvalid(cond("data.total", "lte", null), "lte needs");
        assertInvalid(cond("data.total", "exists", "\"yes\""), "exists takes true or false");
        assertInvalid("{\"and\":{}}", "must be a non-empty array");
        assertInvalid("{\"and\":[]}", "must be a non-empty array");
        assertInvalid("{\"or\":" + cond("storeId", "exists", null) + "}", "must be a non-empty array");
        assertInvalid("{\"not\":[" + cond("storeId", "exists", null) + "]}", "must be a JSON object");
        assertInvalid("{\"and\":[\"storeId\"]}", "must be a JSON object");
    }

    @Test
    void notJsonOrNotAnObject() {
        assertInvalid("{\"field\":", "must be JSON");
        assertInvalid("storeId = s-1", "must be JSON");
        assertInvalid("[]", "must be a JSON object");
        assertInvalid("\"storeId\"", "must be a JSON object");
        HeraldException refused = assertThrows(HeraldException.class, () -> EventFilter.parse((Object) 42));
        assertEquals(ErrorCode.INVALID_FILTER, refused.code());
    }

    @Test
    void nestingDeeperThanEightLevels() {
        String leaf = cond("storeId", "exists", null);
        String eight = leaf;
        for (int i = 0; i < 8; i++) {
            eight = (i % 3 == 0 ? "{\"not\":" + eight + "}" : "{\"" + (i % 3 == 1 ? "and" : "or") + "\":[" + eight + "]}");
        }
        EventFilter.parse(eight); // 8 levels: allowed
        assertInvalid("{\"and\":[" + eight + "]}", "at most 8 levels");
        assertInvalid("{\"not\":" + eight + "}", "at most 8 levels");
        String deep = "{\"not\":".repeat(400) + leaf + "}".repeat(400); // under 4 KiB, 400 levels: stopped at the ninth
        assertInvalid(deep, "at most 8 levels");
    }

    @Test
    void moreThanSixtyFourNodes() {
        String leaf = cond("storeId", "eq", "\"s\"");
        JsonArray children = new JsonArray();
        for (int i = 0; i < 63; i++) {
            children.add(new JsonObject(leaf));
        }
        EventFilter.parse(new JsonObject().put("or", children).encode()); // 64 nodes: allowed
        children.add(new JsonObject(leaf));
        assertInvalid(new JsonObject().put("or", children).encode(), "at most 64 nodes");
    }

    @Test
    void overFourKiB() {
        String value = "x".repeat(EventFilter.MAX_BYTES - cond("storeId", "eq", "\"\"").length());
        EventFilter.parse(cond("storeId", "eq", "\"" + value + "\"")); // exactly 4096 bytes
        assertInvalid(cond("storeId", "eq", "\"" + value + "x\""), "at most 4096 bytes");
        String wide = "é".repeat(2100); // 2 bytes each in UTF-8: over 4 KiB though under 4096 characters
        assertInvalid(cond("storeId", "eq", "\"" + wide + "\""), "at most 4096 bytes");
    }
}
