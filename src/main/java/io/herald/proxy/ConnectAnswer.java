package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Set;

/**
 * What the connect proxy's answer means for a connection, as a JWT's claims would: 200 with
 * {@code {"sub", "role", "storeId"?, "rooms"?, "exp"}} is who it is (checked as a token's claims are: a known role, a
 * {@code sub}, {@code exp} required when {@code auth.requireExpiry} and not past); 401 is no identity (null: a guest
 * when {@code auth.allowAnonymous}, else refused as without a token); 403 refuses it as an invalid token is.
 */
final class ConnectAnswer {
    static final int ALLOW = 200;
    static final int NO_IDENTITY = 401;
    static final int REFUSE = 403;

    private ConnectAnswer() {
    }

    /** The claims of the answer, or null for no identity; throws a {@link HeraldException} to refuse. */
    static Principal principal(ProxyClient.Answer answer, RoleMatrix roles, HeraldConfig.Auth auth, long nowSeconds) {
        return switch (answer.status()) {
            case NO_IDENTITY -> null;
            case REFUSE -> throw new HeraldException(ErrorCode.TOKEN_INVALID, "the connect proxy refused this connection");
            default -> claims(answer.body(), roles, auth, nowSeconds);
        };
    }

    static Principal claims(JsonObject claims, RoleMatrix roles, HeraldConfig.Auth auth, long nowSeconds) {
        if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty()) {
            throw invalid("no sub");
        }
        if (!(claims.getValue("role") instanceof String role) || !roles.hasRole(role)) {
            throw invalid("role must be one of " + roles.roleNames());
        }
        Object exp = claims.getValue("exp");
        long expiresAt = 0;
        if (exp == null) {
            if (auth.requireExpiry()) {
                throw invalid("no exp (auth.requireExpiry)");
            }
        } else if (!(exp instanceof Number expiry)) {
            throw invalid("exp is not a number");
        } else if (expiry.longValue() + auth.leewaySeconds() < nowSeconds) {
            throw new HeraldException(ErrorCode.TOKEN_EXPIRED, "the connect proxy's claims expired at " + expiry.longValue());
        } else {
            expiresAt = expiry.longValue();
        }
        Object store = claims.getValue("storeId");
        if (store != null && !(store instanceof String) && !(store instanceof Number)) {
            throw invalid("storeId is neither a string nor a number");
        }
        Set<String> rooms = new HashSet<>();
        Object roomList = claims.getValue("rooms");
        if (roomList instanceof JsonArray array) {
            for (Object room : array) {
                if (!(room instanceof String name)) {
                    throw invalid("rooms must be strings");
                }
                rooms.add(name);
            }
        } else if (roomList != null) {
            throw invalid("rooms is not an array");
        }
        // issued now: the backend is asked at each connection, so a revocation before now does not apply to it
        return new Principal(sub, role, store == null ? null : String.valueOf(store), Set.copyOf(rooms), expiresAt, nowSeconds);
    }

    private static HeraldException invalid(String why) {
        return new HeraldException(ErrorCode.TOKEN_INVALID, "the connect proxy's claims are invalid: " + why);
    }
}
