package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.ErrorCode;
import io.herald.auth.RoleMatrix;
import io.herald.auth.TokenMinter;
import io.herald.web.Origins;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code GET /api/dev/token?sub=&role=&storeId=} in dev mode with the shipped development secret only (never
 * mounted otherwise): a token for any user and role, so that the console can show the hub as each role sees
 * it. Only the node's own pages may ask: a request from another origin (a page the developer happens to visit,
 * which dev mode's open CORS would otherwise let read the answer) is refused, and so is a request that names the node
 * by anything but a loopback name (DNS rebinding: a foreign name re-pointed at 127.0.0.1 passes the Origin check).
 */
public final class DevTokenApi {
    public static final String PATH = "/api/dev/token";
    static final long TTL_SECONDS = 8 * 3600;
    static final int MAX_SUB_LENGTH = 128;

    private final TokenMinter minter;
    private final RoleMatrix roles;

    public DevTokenApi(TokenMinter minter, RoleMatrix roles) {
        this.minter = minter;
        this.roles = roles;
    }

    public void mount(Router router) {
        router.get(PATH).handler(this::token);
    }

    /**
     * Whether a request names the node by a loopback name ({@code localhost}, {@code 127.0.0.1}, {@code ::1}), any port.
     * A page of another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) still sends its own name as Host.
     */
    static boolean loopbackHost(HostAndPort authority) {
        if (authority == null || authority.host() == null) {
            return false;
        }
        String host = authority.host();
        return host.equalsIgnoreCase("localhost") || host.equals("127.0.0.1") || host.equals("::1") || host.equals("[::1]");
    }

    private void token(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        HostAndPort authority = ctx.request().authority();
        if (!loopbackHost(authority)) {
            HttpResponses.error(ctx, ErrorCode.ACCESS_DENIED, "dev tokens are served only to localhost, 127.0.0.1 or [::1]; "
                    + "on another address, paste a token (java -jar herald.jar token --sub you --role admin)", null);
            return;
        }
        if (origin != null && (authority == null || !Origins.sameOrigin(origin, ctx.request().scheme(), authority.host(), authority.port()))) {
            HttpResponses.error(ctx, ErrorCode.ACCESS_DENIED, "dev tokens are for the node's own console only", null);
            return;
        }
        String sub = ctx.request().getParam("sub");
        String role = ctx.request().getParam("role");
        String storeId = ctx.request().getParam("storeId");
        if (sub == null || sub.isBlank() || sub.length() > MAX_SUB_LENGTH || role == null || !roles.hasRole(role)) {
            // the roles come along, so that the console can offer them
            HttpResponses.error(ctx, ErrorCode.INVALID_PARAMETER, "give sub (1 to " + MAX_SUB_LENGTH + " characters) and role (one of "
                    + roles.roleNames() + ")", new JsonObject().put("roles", new JsonArray(List.copyOf(roles.roleNames()))));
            return;
        }
        String token = minter.mint(sub, role, storeId == null || storeId.isBlank() ? null : storeId, List.of(), TTL_SECONDS);
        HttpResponses.json(ctx, 200, new JsonObject().put("token", token).put("sub", sub).put("role", role).put("expiresIn", TTL_SECONDS));
    }
}
