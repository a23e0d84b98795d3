package io.herald.auth;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The role × namespace matrix of conf/roles.json, compiled at start into a {@link RolePermissions} per
 * role. A role's {@code read} maps a namespace (or a single event type, which wins over its namespace)
 * to {@code all}, {@code own} or {@code none}; anything not named is denied.
 */
public final class RoleMatrix {
    private final Map<String, RolePermissions> roles;
    private final String anonymousRole;

    private RoleMatrix(Map<String, RolePermissions> roles, String anonymousRole) {
        this.roles = Collections.unmodifiableMap(roles);
        this.anonymousRole = anonymousRole;
    }

    public static RoleMatrix compile(JsonObject json, EventCatalog catalog) {
        if (!(json.getValue("roles") instanceof JsonObject roleRules) || roleRules.isEmpty()) {
            throw new ConfigException("roles.roles", "must be a non-empty object of role → rules");
        }
        Map<String, RolePermissions> compiled = new LinkedHashMap<>();
        for (String role : roleRules.fieldNames()) {
            if (!(roleRules.getValue(role) instanceof JsonObject rules)) {
                throw new ConfigException("roles.roles." + role, "must be an object");
            }
            compiled.put(role, compileRole(role, rules, catalog));
        }
        String anonymousRole = json.getString("anonymousRole", "guest");
        if (!compiled.containsKey(anonymousRole)) {
            throw new ConfigException("roles.anonymousRole", "'" + anonymousRole + "' is not a role defined under roles");
        }
        return new RoleMatrix(compiled, anonymousRole);
    }

    private static RolePermissions compileRole(String role, JsonObject rules, EventCatalog catalog) {
        String key = "roles.roles." + role;
        Map<String, Access> byNamespace = new LinkedHashMap<>();
        catalog.namespaces().keySet().forEach(ns -> byNamespace.put(ns, Access.NONE));
        Map<String, Access> typeOverrides = new HashMap<>();
        JsonObject read = rules.getJsonObject("read", new JsonObject());
        for (String target : read.fieldNames()) {
            Access access = parseAccess(key + ".read." + target, read.getValue(target));
            if (catalog.namespace(target) != null) {
                if (access == Access.OWN && catalog.namespace(target).ownerField() == null) {
                    throw new ConfigException(key + ".read." + target, "'own' needs an ownerField on namespace " + target);
                }
                byNamespace.put(target, access);
            } else if (catalog.contains(target)) {
                if (access == Access.OWN && catalog.namespaceOf(target).ownerField() == null) {
                    throw new ConfigException(key + ".read." + target, "'own' needs an ownerField on its namespace");
                }
                typeOverrides.put(target, access);
            } else {
                throw new ConfigException(key + ".read." + target, "is neither a namespace nor an event type of the catalog");
            }
        }
        Map<String, Access> byType = new HashMap<>();
        for (String type : catalog.types()) {
            byType.put(type, typeOverrides.getOrDefault(type, byNamespace.get(catalog.namespaceOf(type).name())));
        }
        Set<String> publishable = new HashSet<>();
        Object publish = rules.getValue("publish");
        if (publish != null && !(publish instanceof JsonArray)) {
            throw new ConfigException(key + ".publish", "must be an array of event types");
        }
        for (Object type : publish == null ? new JsonArray() : (JsonArray) publish) {
            if (!(type instanceof String t) || !catalog.contains(t)) {
                throw new ConfigException(key + ".publish", "'" + type + "' is not an event type of the catalog");
            }
            publishable.add(t);
        }
        return new RolePermissions(role, Map.copyOf(byType), Collections.unmodifiableMap(byNamespace), Set.copyOf(publishable));
    }

    private static Access parseAccess(String key, Object value) {
        if (value instanceof String s) {
            try {
                return Access.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw new ConfigException(key, "must be \"all\", \"own\" or \"none\", not " + value);
    }

    /** The role's permissions, or null for a role the matrix does not define. */
    public RolePermissions forRole(String role) {
        return roles.get(role);
    }

    public boolean hasRole(String role) {
        return roles.containsKey(role);
    }

    public String anonymousRole() {
        return anonymousRole;
    }

    public Set<String> roleNames() {
        return roles.keySet();
    }
}
