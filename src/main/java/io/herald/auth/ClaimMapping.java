package io.herald.auth;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Where a verified token's user, role and store are ({@code auth.claims.*}), for tokens an identity provider issues:
 * Keycloak's roles in {@code realm_access.roles}, Auth0's in a namespaced claim, Cognito's in {@code cognito:groups}.
 * A claim is found by its whole name first (so {@code https://shop.example.com/roles} works), else by its dotted path.
 * The role claim may hold a string or a list: with a {@code roleMap}, the first of the token's values (in the token's
 * order) that the map names wins and becomes the mapped Herald role; without one, the first that is a Herald role.
 * Paths are split once, here; {@link #map} allocates only the result.
 */
public final class ClaimMapping {
    /** What a token's claims map to; {@code error} non-null when they do not. */
    public record Mapped(String user, String role, String storeId, String error) {
        static Mapped refused(String error) {
            return new Mapped(null, null, null, error);
        }
    }

    private final Claim user;
    private final Claim role;
    private final Claim storeId;
    private final Map<String, String> roleMap;
    private final RoleMatrix roles;

    private ClaimMapping(HeraldConfig.Claims claims, RoleMatrix roles) {
        this.user = new Claim(claims.user());
        this.role = new Claim(claims.role());
        this.storeId = new Claim(claims.storeId());
        this.roleMap = Map.copyOf(claims.roleMap());
        this.roles = roles;
    }

    /** The mapping of {@code claims}; a {@code roleMap} value that is not a Herald role is a configuration error. */
    public static ClaimMapping of(HeraldConfig.Claims claims, RoleMatrix roles) {
        HeraldConfig.Claims config = claims == null ? HeraldConfig.Claims.DEFAULT : claims;
        for (Map.Entry<String, String> entry : config.roleMap().entrySet()) {
            if (!roles.hasRole(entry.getValue())) {
                throw new ConfigException("auth.claims.roleMap." + entry.getKey(), "'" + entry.getValue() + "' is not a Herald role ("
                        + roles.roleNames() + ")");
            }
        }
        return new ClaimMapping(config, roles);
    }

    public Mapped map(JsonObject claims) {
        Object sub = user.in(claims);
        if (sub instanceof Number number) {
            sub = String.valueOf(number);
        }
        if (!(sub instanceof String userId) || userId.isEmpty()) {
            return Mapped.refused("token has no " + user.path + " claim (the user id)");
        }
        String herald = role(role.in(claims));
        if (herald == null) {
            return Mapped.refused(roleMap.isEmpty()
                    ? "token role (" + role.path + ") must be one of " + roles.roleNames()
                    : "no value of the token's " + role.path + " claim is in auth.claims.roleMap");
        }
        Object store = storeId.in(claims);
        return new Mapped(userId, herald, store == null || store instanceof JsonObject || store instanceof JsonArray ? null : String.valueOf(store), null);
    }

    private String role(Object value) {
        if (value instanceof String name) {
            return heraldRole(name);
        }
        if (value instanceof JsonArray list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.getValue(i) instanceof String name) {
                    String mapped = heraldRole(name);
                    if (mapped != null) {
                        return mapped;
                    }
                }
            }
        }
        return null;
    }

    private String heraldRole(String name) {
        if (roleMap.isEmpty()) {
            return roles.hasRole(name) ? name : null;
        }
        return roleMap.get(name);
    }

    /** One claim: its whole name, else its dotted path (split once). */
    private static final class Claim {
        final String path;
        final List<String> segments;

        Claim(String path) {
            this.path = path;
            this.segments = List.of(path.split("\\."));
        }

        Object in(JsonObject claims) {
            Object whole = claims.getValue(path);
            if (whole != null || segments.size() == 1) {
                return whole;
            }
            Object node = claims;
            for (String segment : segments) {
                if (!(node instanceof JsonObject object)) {
                    return null;
                }
                node = object.getValue(segment);
            }
            return node;
        }
    }
}
