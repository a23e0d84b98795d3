package io.herald.access;

import io.herald.auth.RoleMatrix;
import io.herald.auth.RolePermissions;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.herald.bridge.PublishFrame;
import io.herald.delivery.RegisterFrame;
import io.herald.delivery.Refresh;

/**
 * The role matrix on the bridge: a register gets the access the connection's role has to the type
 * (all, own, or none, which the bridge refuses), decided at register time and again when the token is refreshed; a browser may publish
 * only the types its role lists, and what it publishes is stamped with its identity from the token.
 */
public final class RolePolicy implements ConnectionPolicy {
    private final RoleMatrix roles;

    public RolePolicy(RoleMatrix roles) {
        this.roles = roles;
    }

    private RolePermissions permissions(Connection connection) {
        return roles.forRole(connection.principal().role());
    }

    @Override
    public void onRegister(Connection connection, RegisterFrame register) {
        register.grant(permissions(connection).readAccess(register.type()));
    }

    /** A refreshed token: each registered type gets the access the new role has to it (none ends the subscription). */
    @Override
    public void onRefresh(Connection connection, Refresh refresh) {
        RolePermissions permissions = permissions(connection);
        for (String type : refresh.types()) {
            refresh.grant(type, permissions.readAccess(type));
        }
    }

    @Override
    public void onPublish(Connection connection, PublishFrame publish) {
        if (permissions(connection).mayPublish(publish.type())) {
            publish.data(IdentityStamp.stamp(publish.data(), publish.namespace().ownerField(), connection.principal()));
            publish.allow();
        }
    }
}
