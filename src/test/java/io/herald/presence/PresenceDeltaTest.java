package io.herald.presence;

import io.herald.WireVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PresenceDeltaTest {
    static PresenceDelta delta() {
        Map<String, PresenceDelta.UserState> users = new HashMap<>();
        users.put("u-1", new PresenceDelta.UserState("customer", "s-1", 7, 2));
        users.put("u-2", null);
        return new PresenceDelta("node-a", "member-a", 4, false, users, Map.of("room:1", Map.of("u-1", 1)));
    }

    @Test
    void versionOneHasNoMarkerVersionTwoHasItAndBothReadBack() {
        JsonObject one = delta().toJson(1);
        assertFalse(one.containsKey("v"), "as the previous release wrote it");
        JsonObject two = delta().toJson(2);
        assertEquals(2, two.getInteger("v"));
        two.remove("v");
        assertEquals(one, two, "the same content");
        assertEquals(delta(), PresenceDelta.fromJson(new JsonObject(delta().toJson(1).encode())));
        assertEquals(delta(), PresenceDelta.fromJson(new JsonObject(delta().toJson(2).encode())));
    }

    @Test
    void refusesAFutureVersion() {
        assertThrows(WireVersion.Unsupported.class, () -> PresenceDelta.fromJson(delta().toJson(1).put("v", 3)));
    }
}
