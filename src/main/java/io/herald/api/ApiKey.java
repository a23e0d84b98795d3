package io.herald.api;

import io.herald.ErrorCode;
import io.herald.auth.BearerTokens;
import io.herald.stats.NodeStats;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The route handler that lets a request through only with {@code Authorization: Bearer <API key>} (compared in constant time). */
final class ApiKey implements Handler<RoutingContext> {
    private final byte[] key;
    private final NodeStats stats;

    ApiKey(String key, NodeStats stats) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.stats = stats;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String given = BearerTokens.fromHeader(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (!matches(given)) {
            stats.refused(ErrorCode.UNAUTHORIZED);
            HttpResponses.error(ctx, ErrorCode.UNAUTHORIZED, given == null ? "send the API key as Authorization: Bearer <key>" : "wrong API key", null);
            return;
        }
        ctx.next();
    }

    /** {@code given} is the key (constant-time comparison); false for null. */
    boolean matches(String given) {
        return given != null && MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8));
    }
}
