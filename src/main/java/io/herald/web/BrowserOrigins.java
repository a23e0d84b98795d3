package io.herald.web;

import io.herald.ErrorCode;
import io.herald.web.HttpResponses;
import io.herald.Counters;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;

import java.util.List;
import java.util.Set;

/**
 * The gate for browser requests to the SockJS endpoints and the HTTP API. A request whose {@code Origin} is
 * neither listed nor the node's own is refused with 403 {@code access_denied}; one from a listed origin gets
 * vertx-web's CORS headers (methods GET, POST, OPTIONS; headers Authorization, Content-Type; credentials,
 * which SockJS's XHR transports send) and its preflight answered; a page of the node itself (the console)
 * passes as it is. Requests without {@code Origin} (backends, curl) pass untouched. With a list, responses
 * may only be framed by the listed origins ({@code frame-ancestors}), so another site cannot wrap SockJS's
 * iframe transports, whose own requests are same-origin, around the origin check.
 */
public final class BrowserOrigins implements Handler<RoutingContext> {
    static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

    private final Origins origins;
    private final Counters stats;
    private final CorsHandler cors;
    private final String frameAncestors;

    public BrowserOrigins(Origins origins, Counters stats) {
        this.origins = origins;
        this.stats = stats;
        this.cors = CorsHandler.create()
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
                .allowedHeaders(Set.of("Authorization", "Content-Type"))
                .allowCredentials(true)
                .maxAgeSeconds(PREFLIGHT_MAX_AGE_SECONDS);
        if (!origins.any()) {
            cors.addOrigins(List.copyOf(origins.normalized())); // browsers send origins in this form
        }
        this.frameAncestors = origins.any() ? null : "frame-ancestors 'self' " + String.join(" ", origins.normalized());
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (frameAncestors != null) {
            ctx.response().putHeader("Content-Security-Policy", frameAncestors);
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null || origins.listed(origin)) {
            cors.handle(ctx); // CORS headers for a listed origin, preflights answered; then the next handler
            return;
        }
        HostAndPort authority = request.authority();
        if (authority != null && Origins.sameOrigin(origin, request.scheme(), authority.host(), authority.port())) {
            ctx.next();
            return;
        }
        stats.refused(ErrorCode.ACCESS_DENIED);
        HttpResponses.error(ctx, ErrorCode.ACCESS_DENIED, "origin " + origin + " is not in " + Origins.KEY, null);
    }
}
