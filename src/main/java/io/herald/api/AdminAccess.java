package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.AuthRequests;
import io.herald.auth.BearerTokens;
import io.herald.auth.Principal;
import io.herald.stats.NodeStats;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The route handler for what only backends and admins may do ({@code /api/stats}, {@code /api/presence},
 * {@code /api/history}, publishing):
 * it lets a request through with the API key ({@code Authorization: Bearer <key>}) or a token of role
 * {@value #ADMIN_ROLE} ({@code Authorization: Bearer <JWT>} or the {@code token} query parameter, verified by
 * the auth verticle). No or bad credentials: 401 {@code unauthorized}; a valid token of another role: 403
 * {@code access_denied}.
 */
public final class AdminAccess implements Handler<RoutingContext> {
    public static final String ADMIN_ROLE = "admin";

    private final EventBus bus;
    private final ApiKey apiKey;
    private final NodeStats stats;

    public AdminAccess(EventBus bus, String apiKey, NodeStats stats) {
        this.bus = bus;
        this.apiKey = new ApiKey(apiKey);
        this.stats = stats;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String bearer = BearerTokens.fromHeader(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (apiKey.matches(bearer)) {
            ctx.next();
            return;
        }
        String token = bearer != null ? bearer : ctx.request().getParam(BearerTokens.QUERY_PARAM);
        if (token == null || token.isEmpty()) {
            refuse(ctx, ErrorCode.UNAUTHORIZED, "send the API key or an admin token as Authorization: Bearer <key or token>");
            return;
        }
        // the token is checked asynchronously: hold the body until a BodyHandler after this one reads it
        ctx.request().pause();
        AuthRequests.verify(bus, token).onComplete(verified -> {
            if (verified.failed()) {
                HeraldException e = HeraldException.from(verified.cause());
                if (e.code().status() == 401) {
                    refuse(ctx, ErrorCode.UNAUTHORIZED, "neither the API key nor a valid token (" + e.getMessage() + ")");
                } else {
                    refuse(ctx, ErrorCode.UNAVAILABLE, "tokens cannot be checked now");
                }
                return;
            }
            Principal principal = Principal.fromJson(verified.result().body());
            if (!ADMIN_ROLE.equals(principal.role())) {
                refuse(ctx, ErrorCode.ACCESS_DENIED, "role " + principal.role() + " may not read this; it needs the API key or an admin token");
                return;
            }
            ctx.next(); // a BodyHandler next in line takes the body from here; for the others the request flows again
            ctx.request().resume();
        });
    }

    private void refuse(RoutingContext ctx, ErrorCode code, String message) {
        ctx.request().resume(); // a body nobody will read is drained, so the connection stays usable
        stats.refused(code);
        HttpResponses.error(ctx, code, message, null);
    }
}
