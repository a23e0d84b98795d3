package io.herald.auth;

import java.util.Map;
import java.util.Set;

/**
 * One role's rules compiled against the catalog: the read access of every known event type and the
 * types the role may publish from a browser. Looked up once per register or publish frame, never per
 * delivered event.
 */
public record RolePermissions(String role, Map<String, Access> readByType, Map<String, Access> readByNamespace,
                              Set<String> publishable) {

    public Access readAccess(String type) {
        return readByType.getOrDefault(type, Access.NONE);
    }

    public boolean mayPublish(String type) {
        return publishable.contains(type);
    }
}
