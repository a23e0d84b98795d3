package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The checks of a herald:signal request and the code each bad one gets. */
class SignalRequestTest {
    static ErrorCode refused(JsonObject body) {
        return assertThrows(HeraldException.class, () -> SignalRequest.parse(body)).code();
    }

    @Test
    void aGoodRequest() {
        SignalRequest request = SignalRequest.parse(new JsonObject().put("room", "chat:c-1").put("data", new JsonObject().put("typing", true)).put("ttlMs", 3000));
        assertEquals("chat:c-1", request.room());
        assertEquals("{\"typing\":true}", request.dataJson());
        assertEquals(3000, request.ttlMs());
    }

    @Test
    void dataAndTtlMayBeLeftOut() {
        SignalRequest request = SignalRequest.parse(new JsonObject().put("room", "chat:c-1"));
        assertEquals("null", request.dataJson());
        assertEquals(SignalRequest.DEFAULT_TTL_MS, request.ttlMs());
        assertEquals("\"typing\"", SignalRequest.parse(new JsonObject().put("room", "r").put("data", "typing")).dataJson(), "any JSON value");
    }

    @Test
    void theBounds() {
        assertEquals(1, SignalRequest.parse(new JsonObject().put("room", "r").put("ttlMs", 1)).ttlMs());
        assertEquals(10_000, SignalRequest.parse(new JsonObject().put("room", "r").put("ttlMs", 10_000)).ttlMs());
        String exactly1KiB = "x".repeat(SignalRequest.MAX_DATA_BYTES - 2); // with its quotes
        assertEquals(SignalRequest.MAX_DATA_BYTES, SignalRequest.parse(new JsonObject().put("room", "r").put("data", exactly1KiB)).dataJson().length());
    }

    @Test
    void badRequestsAndTheirCodes() {
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject()), "no room");
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", 7)));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "")));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "no spaces")));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "r").put("ttlMs", 0)));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "r").put("ttlMs", 10_001)));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "r").put("ttlMs", -1)));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "r").put("ttlMs", 1.5)));
        assertEquals(ErrorCode.INVALID_FRAME, refused(new JsonObject().put("room", "r").put("ttlMs", "1000")));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, refused(new JsonObject().put("room", "r").put("data", "x".repeat(SignalRequest.MAX_DATA_BYTES - 1))));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, refused(new JsonObject().put("room", "r").put("data", new JsonArray().add("é".repeat(520)))),
                "counted in UTF-8 bytes");
    }
}
