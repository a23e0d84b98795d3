package io.herald.auth;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.List;

/** Finds a token where clients put it: the {@code token} query parameter or {@code Authorization: Bearer}. */
public final class BearerTokens {
    public static final String QUERY_PARAM = "token";
    private static final String BEARER = "Bearer ";

    private BearerTokens() {
    }

    /** The bearer token of an Authorization header, or null. */
    public static String fromHeader(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    /** The token of a bridge connection: query parameter first, then the header; null for none. */
    public static String fromRequest(String uri, MultiMap headers) {
        if (uri != null && uri.contains(QUERY_PARAM + "=")) {
            List<String> values = new QueryStringDecoder(uri).parameters().get(QUERY_PARAM);
            if (values != null && !values.isEmpty() && !values.get(0).isEmpty()) {
                return values.get(0);
            }
        }
        return headers == null ? null : fromHeader(headers.get(HttpHeaders.AUTHORIZATION));
    }
}
