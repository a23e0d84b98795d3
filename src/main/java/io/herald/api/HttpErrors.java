package io.herald.api;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** HTTP answers in the one error vocabulary: {@code {"error":"<code>","message":"…"}}. */
public final class HttpErrors {
    private HttpErrors() {
    }

    public static void send(RoutingContext ctx, HeraldException error) {
        send(ctx, error.code(), error.getMessage(), null);
    }

    public static void send(RoutingContext ctx, ErrorCode code, String message, JsonObject extra) {
        JsonObject body = new JsonObject().put("error", code.id()).put("message", message);
        if (extra != null) {
            body.mergeIn(extra);
        }
        ctx.response().setStatusCode(code.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.encode());
    }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
}
