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
 * {@code GET /api/dev/token?sub=&role=&storeId=} (and {@code GET /api/dev/roles}, what the console asks first) in dev mode with the shipped development secret only (never
 * mounted otherwise): a token for any user and role, so that the console can show the hub as each role sees
 * it. Only the node's own pages may ask: a request from another origin (a page the developer happens to visit,
 * which dev mode's open CORS would otherwise let read the answer) is refused, and so is a request that names the node
 * by anything but a loopback name (DNS rebinding: a foreign name re-pointed at 127.0.0.1 passes the Origin check).
 */
public final class DevTokenApi {
    public static final String PATH = "/api/dev/token";
    /** What the console asks first (it used to ask {@link #PATH} bare, and logged a 400): the roles, and whether this page may mint. */
    public static final String ROLES_PATH = "/api/dev/roles";
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
        router.get(ROLES_PATH).handler(this::roles);
    }

    /**
     * {@code GET /api/dev/roles}: {@code {"roles":[…],"tokens":true}} with 200, the roles the console's dev form offers and
     * whether {@link #PATH} would mint for this page (false, with the reason as {@code message}, on a non-loopback name or
     * for another origin: the console then asks for a pasted token). Role names are no secret; tokens stay guarded.
     */
    private void roles(RoutingContext ctx) {
        String refused = refusal(ctx);
        JsonObject answer = new JsonObject().put("roles", new JsonArray(List.copyOf(roles.roleNames()))).put("tokens", refused == null)
                .put("ttlSeconds", TTL_SECONDS);
        if (refused != null) {
            answer.put("message", refused);
        }
        HttpResponses.json(ctx, 200, answer);
    }

    /** Why this request may not mint a dev token, or null when it may. */
    private static String refusal(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        HostAndPort authority = ctx.request().authority();
        if (!loopbackHost(authority)) {
            return "dev tokens are served only to localhost, 127.0.0.1 or [::1]; "
                    + "on another address, paste a token (java -jar herald.jar token --sub you --role admin)";
        }
        if (origin != null && (authority == null || !Origins.sameOrigin(origin, ctx.request().scheme(), authority.host(), authority.port()))) {
            return "dev tokens are for the node's own console only";
        }
        return null;
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
        String refused = refusal(ctx);
        if (refused != null) {
            HttpResponses.error(ctx, ErrorCode.ACCESS_DENIED, refused, null);
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
