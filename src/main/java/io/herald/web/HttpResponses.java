package io.herald.web;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.herald.log.LogLimiter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/** JSON answers: successes, and refusals in the one error vocabulary {@code {"error":"<code>","message":"…"}}. */
public final class HttpResponses {
    private static final LogLimiter REFUSALS = new LogLimiter(Logger.getLogger(HttpResponses.class.getName()));

    private HttpResponses() {
    }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }

    /** A refusal with its code's status; {@code extra} fields (such as a batch's failing index) are added. */
    public static void error(RoutingContext ctx, ErrorCode code, String message, JsonObject extra) {
        if (code.status() == 401 || code.status() == 403 || code.status() == 429) {
            // who was refused and why, never the credentials
            REFUSALS.info("http:" + code.id(), "HTTP " + ctx.request().method() + " " + ctx.request().path() + " from "
                    + ctx.request().remoteAddress() + " refused: " + code.id() + ": " + message);
        }
        JsonObject body = new JsonObject().put("error", code.id()).put("message", message);
        if (extra != null) {
            body.mergeIn(extra);
        }
        json(ctx, code.status(), body);
    }

    /** A request's body as JSON (object or array), or {@code invalid_json}. */
    public static Object jsonBody(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw new HeraldException(ErrorCode.INVALID_JSON, "the body is empty");
        }
        try {
            return Json.decodeValue(body);
        } catch (DecodeException e) {
            throw new HeraldException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
        }
    }

    /** What a body handler's failure means to the client: over the limit, unreadable, or the failure itself. */
    public static HeraldException bodyFailure(RoutingContext ctx, int maxBodyBytes) {
        if (ctx.statusCode() == 413) {
            return new HeraldException(ErrorCode.BODY_TOO_LARGE, "bodies are limited to " + maxBodyBytes + " bytes");
        }
        if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // the body handler could not read the body (a form with a bad escape, a multipart body, …)
            return new HeraldException(ErrorCode.INVALID_JSON, "the body could not be read as JSON");
        }
        return HeraldException.from(ctx.failure());
    }
}
