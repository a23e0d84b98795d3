package io.herald.bridge;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Access;
import io.herald.auth.BearerTokens;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.event.EventPublisher;
import io.herald.event.PublishRequest;
import io.herald.stats.NodeStats;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event-bus bridge protocol on client sockets of any transport. A socket is authenticated once, when it opens
 * (token from the query or the Authorization header, checked by the auth verticle); then each frame
 * is answered from the role's compiled permissions: {@code register} and {@code unregister} change
 * the connection's subscriptions in the {@link Fanout}; {@code publish} and {@code send} publish an
 * event with the identity stamped from the token; {@code ping} keeps the socket alive. Every refusal
 * is an {@code err} frame naming the address, and the socket stays open.
 */
final class SocketBridge implements Handler<ClientSocket> {
    private static final Logger LOG = Logger.getLogger(SocketBridge.class.getName());
    /** Close codes: 4000 + the HTTP-style status of the refusal (4401 for a refused token). */
    static final int CLOSE_CODE_BASE = 4000;
    static final int CLOSE_SHUTDOWN = 1001;

    private final EventBus bus;
    private final EventCatalog catalog;
    private final RoleMatrix roles;
    private final EventPublisher publisher;
    private final NodeStats stats;
    private final HeraldConfig.Bridge limits;
    private final Fanout fanout;
    private final Set<Connection> connections = new HashSet<>();

    SocketBridge(Context context, EventCatalog catalog, RoleMatrix roles, EventPublisher publisher, NodeStats stats,
                 HeraldConfig.Bridge limits) {
        this.bus = context.owner().eventBus();
        this.catalog = catalog;
        this.roles = roles;
        this.publisher = publisher;
        this.stats = stats;
        this.limits = limits;
        this.fanout = new Fanout(context, stats);
    }

    @Override
    public void handle(ClientSocket socket) {
        socket.pause();
        boolean[] closedEarly = {false};
        socket.closeHandler(v -> closedEarly[0] = true);
        String token = BearerTokens.fromRequest(socket.uri(), socket.headers());
        bus.<JsonObject>request(Addresses.AUTH_VERIFY, token == null ? "" : token)
                .onSuccess(reply -> {
                    if (!closedEarly[0]) {
                        open(socket, Principal.fromJson(reply.body()));
                    }
                })
                .onFailure(err -> refuse(socket, HeraldException.from(err)));
    }

    private void open(ClientSocket socket, Principal principal) {
        Connection connection = new Connection(socket, principal, roles.forRole(principal.role()));
        connections.add(connection);
        stats.connectionOpened();
        socket.frameHandler(frame -> onFrame(connection, frame));
        socket.closeHandler(v -> onClose(connection));
        socket.resume();
    }

    private void refuse(ClientSocket socket, HeraldException refusal) {
        stats.refused(refusal.code());
        socket.send(BridgeFrames.err(null, refusal.code(), refusal.getMessage()));
        socket.close(CLOSE_CODE_BASE + refusal.code().status(), refusal.code().id());
    }

    private void onClose(Connection connection) {
        if (!connections.remove(connection)) {
            return;
        }
        connection.subscriptions.forEach(fanout::remove);
        connection.subscriptions.clear();
        stats.connectionClosed();
    }

    /** Closes every socket of this bridge with a reason (node shutdown). */
    void closeAll(String reason) {
        for (Connection connection : new ArrayList<>(connections)) {
            onClose(connection);
            connection.socket.close(CLOSE_SHUTDOWN, reason);
        }
    }

    /** Sends a heartbeat on every connection whose transport wants one. */
    void heartbeat() {
        connections.forEach(connection -> connection.socket.heartbeat());
    }

    private void onFrame(Connection connection, String data) {
        if (data.length() > limits.maxFrameBytes()) {
            deny(connection, null, ErrorCode.FRAME_TOO_LARGE, "frames are limited to " + limits.maxFrameBytes() + " bytes");
            return;
        }
        JsonObject frame;
        try {
            frame = new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            deny(connection, null, ErrorCode.INVALID_JSON, "a frame must be a JSON object");
            return;
        }
        Object type = frame.getValue("type");
        if ("ping".equals(type)) {
            return;
        }
        if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
            deny(connection, null, type instanceof String ? ErrorCode.MISSING_ADDRESS : ErrorCode.INVALID_FRAME,
                    type instanceof String ? "a " + type + " frame needs an address" : "a frame needs a type");
            return;
        }
        if (!(type instanceof String frameType)) {
            deny(connection, address, ErrorCode.INVALID_FRAME, "a frame needs a type");
            return;
        }
        switch (frameType) {
            case "register" -> register(connection, address);
            case "unregister" -> unregister(connection, address);
            case "publish" -> publish(connection, address, frame.getValue("body"), null);
            case "send" -> publish(connection, address, frame.getValue("body"), frame.getValue("replyAddress") instanceof String r ? r : null);
            default -> deny(connection, address, ErrorCode.INVALID_FRAME, "unknown frame type '" + frameType + "'");
        }
    }

    private void register(Connection connection, String type) {
        EventCatalog.Namespace namespace = catalog.namespaceOf(type);
        if (namespace == null) {
            deny(connection, type, ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + type + "'");
            return;
        }
        Access access = connection.permissions.readAccess(type);
        if (access == Access.NONE) {
            deny(connection, type, ErrorCode.ACCESS_DENIED, "role " + connection.principal.role() + " may not read " + namespace.name());
            return;
        }
        if (connection.subscriptions.containsKey(type)) {
            return;
        }
        if (connection.subscriptions.size() >= limits.maxSubscriptionsPerSocket()) {
            deny(connection, type, ErrorCode.TOO_MANY_SUBSCRIPTIONS, "at most " + limits.maxSubscriptionsPerSocket() + " subscriptions per connection");
            return;
        }
        Subscription subscription = new Subscription(connection, access);
        connection.subscriptions.put(type, subscription);
        fanout.add(type, subscription);
    }

    private void unregister(Connection connection, String type) {
        Subscription subscription = connection.subscriptions.remove(type);
        if (subscription != null) {
            fanout.remove(type, subscription);
        }
    }

    /** publish and send: a browser-published event; send with a replyAddress gets {"id","seq"} back. */
    private void publish(Connection connection, String type, Object body, String replyAddress) {
        String errAddress = replyAddress != null ? replyAddress : type;
        EventCatalog.Namespace namespace = catalog.namespaceOf(type);
        if (namespace == null) {
            deny(connection, errAddress, ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + type + "'");
            return;
        }
        if (!connection.permissions.mayPublish(type)) {
            deny(connection, errAddress, ErrorCode.ACCESS_DENIED, "role " + connection.principal.role() + " may not publish " + type);
            return;
        }
        if (body != null && !(body instanceof JsonObject)) {
            deny(connection, errAddress, ErrorCode.INVALID_FRAME, "the body of a published event must be a JSON object");
            return;
        }
        Principal who = connection.principal;
        JsonObject data = IdentityStamp.stamp(body == null ? new JsonObject() : (JsonObject) body, namespace.ownerField(), who);
        publisher.publish(new PublishRequest(type, data, null, who.userId(), who.storeId()))
                .onSuccess(published -> {
                    if (replyAddress != null) {
                        connection.send(BridgeFrames.rec(replyAddress, published.toJson().encode()));
                    }
                })
                .onFailure(err -> {
                    HeraldException failure = HeraldException.from(err);
                    if (failure.code() == ErrorCode.INTERNAL_ERROR) {
                        LOG.log(Level.WARNING, "publish of " + type + " from " + who.userId() + " failed", err);
                    }
                    deny(connection, errAddress, failure.code(), failure.getMessage());
                });
    }

    private void deny(Connection connection, String address, ErrorCode code, String message) {
        stats.refused(code);
        connection.send(BridgeFrames.err(address, code, message));
    }
}
