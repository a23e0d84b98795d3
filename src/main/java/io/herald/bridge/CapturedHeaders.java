package io.herald.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Mounted before vertx-web's SockJS router when the connect proxy is on: keeps the named request headers (the
 * connect proxy's allow-list: {@code cookie}, {@code user-agent}, …) in the routing context, because the SockJS
 * sockets vertx-web hands over carry no {@code Cookie} header. {@link SockJsFallbackSocket} reads them back for the
 * request that opened its session. (Herald's own WebSocket transports keep every header of the upgrade.)
 */
public final class CapturedHeaders implements Handler<RoutingContext> {
    /** The routing context's key of the captured headers. */
    static final String KEY = "herald.capturedHeaders";

    private final List<String> names;

    public CapturedHeaders(List<String> names) {
        this.names = List.copyOf(names);
    }

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap captured = MultiMap.caseInsensitiveMultiMap();
        MultiMap headers = ctx.request().headers();
        for (String name : names) {
            List<String> values = headers.getAll(name);
            if (!values.isEmpty()) {
                captured.set(name, values);
            }
        }
        ctx.put(KEY, captured);
        ctx.next();
    }
}
