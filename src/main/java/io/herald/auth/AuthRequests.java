package io.herald.auth;

import io.herald.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * How the rest of the node asks the auth verticle to verify a token: from an event loop, the auth instance of
 * that loop ({@link Addresses#authVerifyOn}); elsewhere, or when that loop has none, any instance
 * ({@link Addresses#AUTH_VERIFY}). The reply is the principal as JSON, or a failure carrying the error code.
 */
public final class AuthRequests {
    private AuthRequests() {
    }

    public static Future<Message<JsonObject>> verify(EventBus bus, String token) {
        String body = token == null ? "" : token;
        if (!Context.isOnEventLoopThread()) {
            return bus.request(Addresses.AUTH_VERIFY, body);
        }
        return bus.<JsonObject>request(Addresses.authVerifyOn(Thread.currentThread().getName()), body)
                .recover(err -> err instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
                        ? bus.request(Addresses.AUTH_VERIFY, body)
                        : Future.failedFuture(err));
    }
}
