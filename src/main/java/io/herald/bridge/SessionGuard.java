package io.herald.bridge;

import io.herald.ErrorCode;
import io.herald.web.HttpResponses;
import io.herald.auth.BearerTokens;
import io.herald.Counters;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * Mounted before vertx-web's SockJS router: every request of a fallback session (xhr, xhr_streaming, eventsource,
 * htmlfile, jsonp and their xhr_send / jsonp_send) must carry the token that opened the session ({@link SessionOwners});
 * another gets 403 {@code access_denied} and reaches nothing. The legacy transports (jsonp, htmlfile: script tags and
 * iframes that send no Origin) answer 404 unless {@code bridge.legacyTransports} is on.
 */
public final class SessionGuard implements Handler<RoutingContext> {
    static final Set<String> LEGACY = Set.of("jsonp", "jsonp_send", "htmlfile");
    private static final Set<String> SESSION_PATHS = Set.of("xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp", "xhr_send", "jsonp_send");

    private final String bridgePath;
    private final SessionOwners owners;
    private final boolean legacyTransports;
    private final Counters stats;

    public SessionGuard(String bridgePath, SessionOwners owners, boolean legacyTransports, Counters stats) {
        this.bridgePath = bridgePath;
        this.owners = owners;
        this.legacyTransports = legacyTransports;
        this.stats = stats;
    }

    /** Whether a request of this method on this transport path may create the session (vertx-web's routes). */
    static boolean opens(String transport, HttpMethod method) {
        return switch (transport) {
            case "xhr", "xhr_streaming" -> method == HttpMethod.POST;
            case "eventsource", "htmlfile", "jsonp" -> method == HttpMethod.GET;
            default -> false;
        };
    }

    @Override
    public void handle(RoutingContext ctx) {
        String[] session = SessionOwners.sessionAndTransport(bridgePath, ctx.normalizedPath());
        if (session == null || !SESSION_PATHS.contains(session[1])) {
            ctx.next();
            return;
        }
        String transport = session[1];
        if (!legacyTransports && LEGACY.contains(transport)) {
            HttpResponses.error(ctx, ErrorCode.NOT_FOUND, "the " + transport + " transport is off (bridge.legacyTransports)", null);
            return;
        }
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.OPTIONS) {
            // a CORS preflight touches no session (and carries no Authorization header)
            ctx.next();
            return;
        }
        String token = BearerTokens.fromRequest(ctx.request().uri(), ctx.request().headers());
        switch (owners.check(session[0], token, opens(transport, method))) {
            case ALLOWED -> ctx.next();
            case DENIED -> {
                stats.refused(ErrorCode.ACCESS_DENIED);
                HttpResponses.error(ctx, ErrorCode.ACCESS_DENIED, "this SockJS session belongs to the token that opened it", null);
            }
            case FULL -> {
                stats.refused(ErrorCode.TOO_MANY_CONNECTIONS);
                HttpResponses.error(ctx, ErrorCode.TOO_MANY_CONNECTIONS, "too many SockJS sessions on this node", null);
            }
        }
    }
}
