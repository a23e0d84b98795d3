package io.herald.bridge;

import io.herald.auth.Principal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/** One authenticated browser connection: its socket, who it is, and what it has registered. Touched only on its event loop. */
public final class Connection {
    final ClientSocket socket;
    private final Principal principal;
    /** Event type → this connection's subscription to it. */
    final Map<String, Subscription> subscriptions = new HashMap<>();
    /** Frames that arrived while an earlier one was still being handled; handled in order after it. */
    final ArrayDeque<String> waitingFrames = new ArrayDeque<>();
    boolean handlingFrame;

    Connection(ClientSocket socket, Principal principal) {
        this.socket = socket;
        this.principal = principal;
    }

    public Principal principal() {
        return principal;
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    void send(String frameJson) {
        socket.send(frameJson);
    }
}
