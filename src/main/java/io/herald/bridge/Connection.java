package io.herald.bridge;

import io.herald.auth.Principal;
import io.herald.auth.RolePermissions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashMap;
import java.util.Map;

/** One authenticated browser connection: its socket, who it is, and what it has registered. */
final class Connection {
    final SockJSSocket socket;
    final Principal principal;
    final RolePermissions permissions;
    /** Event type → this connection's subscription to it. Touched only on the bridge's event loop. */
    final Map<String, Subscription> subscriptions = new HashMap<>();

    Connection(SockJSSocket socket, Principal principal, RolePermissions permissions) {
        this.socket = socket;
        this.principal = principal;
        this.permissions = permissions;
    }

    void write(String frame) {
        socket.write(frame);
    }
}
