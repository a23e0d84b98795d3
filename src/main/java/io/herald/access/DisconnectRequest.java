package io.herald.access;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A disconnect ({@code POST /api/disconnect}, {@code HeraldClient.disconnect}):
 * {@code {"users":["u-1",…],"revokeTokensIssuedBefore":<unix seconds, optional>}}, validated: 1 to {@code maxUsers}
 * distinct non-empty user ids of at most {@value #MAX_USER_ID_LENGTH} characters, and a cutoff that is a positive
 * whole number no later than {@value #MAX_FUTURE_SECONDS} s from now (a later one would refuse the new tokens too).
 * {@code revokeBefore} is 0 when absent.
 */
public record DisconnectRequest(List<String> users, long revokeBefore) {
    public static final String USERS = "users";
    public static final String REVOKE_BEFORE = "revokeTokensIssuedBefore";
    public static final int MAX_USER_ID_LENGTH = 256;
    public static final long MAX_FUTURE_SECONDS = 60;

    public static DisconnectRequest fromJson(Object body, int maxUsers, long nowSeconds) {
        if (!(body instanceof JsonObject json)) {
            throw invalid("the body is {\"users\":[…],\"revokeTokensIssuedBefore\":<unix seconds, optional>}");
        }
        if (!(json.getValue(USERS) instanceof JsonArray array) || array.isEmpty()) {
            throw invalid("users must be a non-empty array of user ids");
        }
        if (array.size() > maxUsers) {
            throw new HeraldException(ErrorCode.BATCH_TOO_LARGE, "at most " + maxUsers + " users per disconnect");
        }
        Set<String> users = new LinkedHashSet<>();
        for (Object user : array) {
            if (!(user instanceof String id) || id.isEmpty() || id.length() > MAX_USER_ID_LENGTH) {
                throw invalid("each user is a user id (a token's sub) of 1 to " + MAX_USER_ID_LENGTH + " characters");
            }
            users.add(id);
        }
        long before = 0;
        Object cutoff = json.getValue(REVOKE_BEFORE);
        if (cutoff != null) {
            if (!(cutoff instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() <= 0) {
                throw invalid(REVOKE_BEFORE + " must be a time in unix seconds");
            }
            if (n.longValue() > nowSeconds + MAX_FUTURE_SECONDS) {
                throw invalid(REVOKE_BEFORE + " is in the future: it would refuse the new tokens too");
            }
            before = n.longValue();
        }
        return new DisconnectRequest(List.copyOf(users), before);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put(USERS, new JsonArray(users));
        return revokeBefore > 0 ? json.put(REVOKE_BEFORE, revokeBefore) : json;
    }

    private static HeraldException invalid(String message) {
        return new HeraldException(ErrorCode.INVALID_PARAMETER, message);
    }
}
