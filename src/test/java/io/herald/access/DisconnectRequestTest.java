package io.herald.access;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DisconnectRequestTest {
    static final long NOW = 1_800_000_000L;

    static ErrorCode refusal(Object body) {
        return assertThrows(HeraldException.class, () -> DisconnectRequest.fromJson(body, 3, NOW)).code();
    }

    @Test
    void usersAndAnOptionalCutoff() {
        DisconnectRequest request = DisconnectRequest.fromJson(new JsonObject().put("users", new JsonArray().add("u-1").add("u-2").add("u-1")), 3, NOW);
        assertEquals(List.of("u-1", "u-2"), request.users(), "duplicates count once");
        assertEquals(0, request.revokeBefore());
        DisconnectRequest revoking = DisconnectRequest.fromJson(new JsonObject().put("users", new JsonArray().add("u-1"))
                .put("revokeTokensIssuedBefore", NOW - 5), 3, NOW);
        assertEquals(NOW - 5, revoking.revokeBefore());
        assertEquals(revoking, DisconnectRequest.fromJson(revoking.toJson(), 3, NOW));
    }

    @Test
    void badInputGetsItsCode() {
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonArray()));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject()));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject().put("users", new JsonArray())));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject().put("users", "u-1")));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject().put("users", new JsonArray().add(7))));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject().put("users", new JsonArray().add(""))));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(new JsonObject().put("users", new JsonArray().add("x".repeat(257)))));
        assertEquals(ErrorCode.BATCH_TOO_LARGE, refusal(new JsonObject().put("users", new JsonArray().add("a").add("b").add("c").add("d"))));
        JsonObject one = new JsonObject().put("users", new JsonArray().add("u-1"));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(one.copy().put("revokeTokensIssuedBefore", "yesterday")));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(one.copy().put("revokeTokensIssuedBefore", 1.5)));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(one.copy().put("revokeTokensIssuedBefore", -1)));
        assertEquals(ErrorCode.INVALID_PARAMETER, refusal(one.copy().put("revokeTokensIssuedBefore", NOW + 3600)), "a future cutoff refuses new tokens too");
    }
}
