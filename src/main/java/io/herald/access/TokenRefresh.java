package io.herald.access;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.AuthRequests;
import io.herald.auth.Principal;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.Refresh;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * {@code send} to {@code herald:token} with {@code {"token":"<JWT>"}}: a connection swaps its token for a
 * fresh one before the old one expires (the bridge closes it with {@code token_expired} otherwise). The
 * new token must be valid and for the same user; its claims apply at once to everything decided from the
 * old ones (see {@link Connection#replacePrincipal}). Replies
 * {@code {"exp":…,"dropped":{"types":[…],"rooms":[…]}}}: the subscriptions and rooms the new claims ended.
 */
public final class TokenRefresh implements ConnectionPolicy {
    public static final String ADDRESS = "herald:token";

    private final EventBus bus;

    public TokenRefresh(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public Map<String, ControlHandler> controls() {
        return Map.of(ADDRESS, this::refresh);
    }

    private Future<JsonObject> refresh(Connection connection, JsonObject body) {
        if (!(body.getValue("token") instanceof String token) || token.isEmpty()) {
            return Future.failedFuture(new HeraldException(ErrorCode.INVALID_FRAME, "send {\"token\":\"<JWT>\"} to " + ADDRESS));
        }
        String userId = connection.principal().userId();
        return AuthRequests.verify(bus, token)
                .recover(err -> Future.failedFuture(HeraldException.from(err)))
                .map(reply -> Principal.fromJson(reply.body()))
                .map(refreshed -> {
                    if (refreshed.userId() == null || !refreshed.userId().equals(userId)) {
                        throw new HeraldException(ErrorCode.TOKEN_INVALID, "the new token is for another user");
                    }
                    Refresh refresh = connection.replacePrincipal(refreshed);
                    return new JsonObject().put("exp", refreshed.expiresAt()).put("dropped", refresh.droppedJson());
                });
    }
}
