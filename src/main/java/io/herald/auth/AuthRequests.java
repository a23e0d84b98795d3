package io.herald.auth;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
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
 * ({@link Addresses#AUTH_VERIFY}). The reply is the principal as JSON, or a failure carrying the error code;
 * a check that outlasted the request's timeout (an EC/EdDSA check waiting for a worker) fails {@code unavailable}.
 */
public final class AuthRequests {
    private AuthRequests() {
    }

    public static Future<Message<JsonObject>> verify(EventBus bus, String token) {
        String body = token == null ? "" : token;
        Future<Message<JsonObject>> reply;
        if (!Context.isOnEventLoopThread()) {
            reply = bus.request(Addresses.AUTH_VERIFY, body);
        } else {
            reply = bus.<JsonObject>request(Addresses.authVerifyOn(Thread.currentThread().getName()), body)
                    .recover(err -> err instanceof ReplyException failure && failure.failureType() == ReplyFailure.NO_HANDLERS
                            ? bus.request(Addresses.AUTH_VERIFY, body)
                            : Future.failedFuture(err));
        }
        return reply.recover(err -> Future.failedFuture(refusal(err)));
    }

    /**
     * The failure of a verification as the client is to see it: the code the auth verticle failed with; a
     * request that timed out (the check waited past the event-bus timeout) is {@code unavailable} (try again),
     * anything else {@code internal_error}.
     */
    static HeraldException refusal(Throwable failure) {
        if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
            return new HeraldException(ErrorCode.UNAVAILABLE, "the token could not be checked in time on this node; try again");
        }
        return HeraldException.from(failure);
    }
}
