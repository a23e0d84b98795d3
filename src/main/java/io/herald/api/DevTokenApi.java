package io.herald.api;

import io.herald.ErrorCode;
import io.herald.auth.RoleMatrix;
import io.herald.auth.TokenMinter;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code GET /api/dev/token?sub=&role=&storeId=} in dev mode only (never mounted in prod): a token for any user
 * and role, signed with the dev secret, so that the console can show the hub as each role sees it.
 */
public final class DevTokenApi {
    public static final String PATH = "/api/dev/token";
    static final long TTL_SECONDS = 8 * 3600;

    private final TokenMinter minter;
    private final RoleMatrix roles;

    public DevTokenApi(TokenMinter minter, RoleMatrix roles) {
        this.minter = minter;
        this.roles = roles;
    }

    public void mount(Router router) {
        router.get(PATH).handler(this::token);
    }

    private void token(RoutingContext ctx) {
        String sub = ctx.request().getParam("sub");
        String role = ctx.request().getParam("role");
        String storeId = ctx.request().getParam("storeId");
        if (sub == null || sub.isBlank() || sub.length() > 128 || role == null || !roles.hasRole(role)) {
            // the roles come along, so that the console can offer them
            HttpResponses.error(ctx, ErrorCode.INVALID_PARAMETER, "give sub (1 to 128 characters) and role (one of " + roles.roleNames() + ")",
                    new JsonObject().put("roles", new io.vertx.core.json.JsonArray(List.copyOf(roles.roleNames()))));
            return;
        }
        String token = minter.mint(sub, role, storeId == null || storeId.isBlank() ? null : storeId, List.of(), TTL_SECONDS);
        HttpResponses.json(ctx, 200, new JsonObject().put("token", token).put("sub", sub).put("role", role).put("expiresIn", TTL_SECONDS));
    }
}
