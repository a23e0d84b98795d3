package io.herald.bridge;

import io.herald.auth.Principal;
import io.herald.auth.RolePermissions;

import java.util.HashMap;
import java.util.Map;

/** One authenticated browser connection: its socket, who it is, and what it has registered. */
final class Connection {
    final ClientSocket socket;
    final Principal principal;
    final RolePermissions permissions;
    /** Event type → this connection's subscription to it. Touched only on the bridge's event loop. */
    final Map<String, Subscription> subscriptions = new HashMap<>();

    Connection(ClientSocket socket, Principal principal, RolePermissions permissions) {
        this.socket = socket;
        this.principal = principal;
        this.permissions = permissions;
    }

    void send(String frameJson) {
        socket.send(frameJson);
    }
}
