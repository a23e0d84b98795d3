package io.herald.bridge;

import io.herald.delivery.BridgeFrames;
import io.herald.delivery.ClientSocket;
import io.herald.delivery.Connection;
import io.herald.delivery.Fanout;
import io.herald.delivery.Refresh;
import io.herald.delivery.RegisterFrame;
import io.herald.delivery.Subscription;
import io.herald.delivery.Utf8;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.event.EventPublisher;
import io.herald.event.PublishRequest;
import io.herald.log.LogLimiter;
import io.herald.log.LogText;
import io.herald.Counters;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event-bus bridge protocol on client sockets of any transport: a socket is authenticated once, when
 * it opens ({@link OpenChain}: token from the query or the Authorization header, checked by the auth
 * verticle); its frames are decoded ({@link FrameDecoder}), then dispatched here one after the other,
 * and every refusal is answered with an {@code err} frame naming the address (the socket stays open). What a connection may do is not decided here: each step of its life goes
 * through the {@link ConnectionPolicy} chain (access rules, limits, …), and registered types are
 * delivered by the {@link Fanout}.
 *
 * <p>Frames: {@code register} (headers {@code since} and {@code epoch} to recover, {@code filter} to narrow; a second one
 * replaces the subscription's filter, docs/filters.md), {@code unregister},
 * {@code publish}, {@code send} (an event, or a control request to a {@code herald:} address), {@code ping}.
 */
public final class SocketBridge implements Handler<ClientSocket> {
    private static final Logger LOG = Logger.getLogger(SocketBridge.class.getName());
    /** Refused connections, limits triggered and the hub's closes: one line per kind every few seconds, never a token. */
    private static final LogLimiter NOTABLE = new LogLimiter(LOG);
    /** Addresses with this prefix are control requests answered by the policies, never events. */
    static final String CONTROL_PREFIX = FrameDecoder.CONTROL_PREFIX;
    private static final Future<Void> DONE = Future.succeededFuture();
    /** Messages up to this many times bridge.maxFrameBytes get a frame_too_large err; larger ones close the socket. */
    public static final int TRANSPORT_LIMIT_FACTOR = 4;
    /** Frames that may wait behind one not done yet (the socket is paused meanwhile; this bounds what was already read). */
    static final int MAX_WAITING_FRAMES = 1000;

    private final EventBus bus;
    private final EventCatalog catalog;
    private final EventPublisher publisher;
    private final Counters stats;
    private final HeraldConfig.Bridge limits;
    private final int leewaySeconds;
    private final Fanout fanout;
    private final List<ConnectionPolicy> policies;
    private final Map<String, ConnectionPolicy.ControlHandler> controls = new HashMap<>();
    /** Control addresses a connection may register (no catalog type): answered by the policy that declares them. */
    private final Map<String, ConnectionPolicy.ControlChannel> channels = new HashMap<>();
    private final Set<Connection> connections = new HashSet<>();
    private final FrameDecoder decoder;
    private final OpenChain openChain;
    /** The policies' checks of allowed publishes (the publish proxy); empty, a publish pays nothing for them. */
    private final ConnectionPolicy.PublishCheck[] publishChecks;

    /**
     * {@code refusing}: why the node takes no connection now ({@code shutdown}, or {@code unavailable} while cut off
     * from most of its cluster), or null: a connection is then refused with the err {@code unavailable} and closed
     * with that reason.
     */
    public SocketBridge(EventBus bus, EventCatalog catalog, EventPublisher publisher, Counters stats, HeraldConfig.Bridge limits,
                 int leewaySeconds, Fanout fanout, List<ConnectionPolicy> policies, Supplier<CloseReason> refusing) {
        this.bus = bus;
        this.catalog = catalog;
        this.publisher = publisher;
        this.stats = stats;
        this.limits = limits;
        this.leewaySeconds = leewaySeconds;
        this.fanout = fanout;
        this.policies = List.copyOf(policies);
        this.decoder = new FrameDecoder(limits.maxFrameBytes(), limits.maxAddressLength());
        this.openChain = new OpenChain(bus, stats, this.policies, refusing, this::open);
        this.publishChecks = this.policies.stream().map(ConnectionPolicy::publishCheck).filter(java.util.Objects::nonNull)
                .toArray(ConnectionPolicy.PublishCheck[]::new);
        for (ConnectionPolicy policy : policies) {
            policy.controls().forEach((address, handler) -> {
                if (!address.startsWith(CONTROL_PREFIX) || controls.putIfAbsent(address, handler) != null) {
                    throw new IllegalArgumentException("control address " + address + " is taken or not under " + CONTROL_PREFIX);
                }
            });
            policy.channels().forEach((address, channel) -> {
                if (!address.startsWith(CONTROL_PREFIX) || channels.putIfAbsent(address, channel) != null) {
                    throw new IllegalArgumentException("control channel " + address + " is taken or not under " + CONTROL_PREFIX);
                }
            });
        }
    }

    @Override
    public void handle(ClientSocket socket) {
        openChain.start(socket);
    }

    private void open(Connection connection) {
        connections.add(connection);
        stats.connectionOpened(connection.countedRole, connection.principal().isAnonymous(), connection.socket.transport());
        connection.refresher = refreshed -> refresh(connection, refreshed);
        ClientSocket socket = connection.socket;
        try {
            socket.closeHandler(v -> onClose(connection));
            socket.frameHandler(frame -> {
                if (connection.closedFor() != null) {
                    return; // closed by the hub, the client has not seen it yet
                }
                connection.lastSeen = System.currentTimeMillis();
                onFrame(connection, frame);
            });
            socket.pongHandler(v -> connection.lastSeen = System.currentTimeMillis());
            socket.tooLargeHandler(v -> connection.close(CloseReason.FRAME_TOO_LARGE,
                    "messages are limited to " + TRANSPORT_LIMIT_FACTOR * limits.maxFrameBytes() + " bytes"));
            socket.resume();
        } catch (IllegalStateException closed) {
            onClose(connection); // the client left while its token was checked: its close came before our handler
        }
    }

    private void onClose(Connection connection) {
        if (connections.remove(connection)) {
            connection.subscriptions.forEach(fanout::unsubscribe);
            forget(connection);
        }
    }

    /** What a closed connection leaves behind, its subscriptions aside: namespaces, stats, the policies' counts. */
    private void forget(Connection connection) {
        connection.subscriptions.keySet().stream().map(type -> catalog.namespaceOf(type).name()).distinct()
                .forEach(namespace -> stats.namespaceReaders(namespace, -1));
        connection.subscriptions.clear();
        stats.connectionClosed(connection.countedRole, connection.principal().isAnonymous(), connection.socket.transport());
        CloseReason reason = connection.closedFor();
        if (reason != null) {
            stats.closed(reason);
            if (reason != CloseReason.SHUTDOWN && reason != CloseReason.UNAVAILABLE) {
                NOTABLE.info("closed:" + reason.id(), "connection of " + who(connection) + " closed by the hub: " + reason.id());
            }
        }
        policies.forEach(policy -> policy.onClose(connection));
    }

    /**
     * Closes every socket of this bridge ({@code shutdown}, or {@code unavailable}): clients move to another node.
     * Linear in the connections: the streams drop all their subscribers at once instead of one unsubscribe each.
     */
    public void closeAll(CloseReason reason, String message) {
        fanout.closeAll();
        List<Connection> all = new ArrayList<>(connections);
        connections.clear();
        for (Connection connection : all) {
            connection.close(reason, message);
            forget(connection);
        }
    }

    public boolean isEmpty() {
        return connections.isEmpty();
    }

    /**
     * Once a second: closes connections whose token expired ({@code exp} + leeway, unless refreshed) or
     * that were silent for {@code bridge.idleTimeoutSeconds}; every {@code bridge.pingIntervalSeconds},
     * pings the others.
     */
    public void sweep(long now, boolean ping) {
        long idleLimit = limits.idleTimeoutSeconds() * 1000L;
        for (Connection connection : new ArrayList<>(connections)) {
            long expiresAt = connection.principal().expiresAt();
            if (expiresAt > 0 && (expiresAt + leewaySeconds) * 1000 < now) {
                connection.close(CloseReason.TOKEN_EXPIRED, "the token expired at " + expiresAt + "; refresh it with herald:token before it does");
            } else if (idleLimit > 0 && now - connection.lastSeen > idleLimit) {
                connection.close(CloseReason.IDLE_TIMEOUT, "nothing heard from the client for " + limits.idleTimeoutSeconds() + " s");
            } else if (ping) {
                connection.socket.keepAlive();
            }
        }
    }

    /**
     * Frames are handled one after the other: while one is not done (a register waiting for its stream to
     * start), the socket is paused and frames already read wait, so that a client that registers and
     * then publishes gets its own event. Every frame meets the frame rate when it arrives, waiting or not
     * ({@link #admit}); a frame that finds {@link #MAX_WAITING_FRAMES} waiting already is refused and counts
     * as a refused frame, so that a flood is closed the same way whatever the queue holds.
     */
    private void onFrame(Connection connection, String data) {
        FrameDecoder.Decoded frame;
        try {
            frame = admit(connection, data);
        } catch (HeraldException refusal) {
            deny(connection, null, refusal.code(), refusal.getMessage());
            return;
        }
        if (frame == null) {
            return;
        }
        if (connection.handlingFrame) {
            connection.waitingFrames.add(frame);
            return;
        }
        handleInTurn(connection, frame);
    }

    private void handleInTurn(Connection connection, FrameDecoder.Decoded frame) {
        Future<Void> handled = handleFrame(connection, frame);
        if (handled.isComplete()) {
            return;
        }
        connection.handlingFrame = true;
        connection.socket.pause();
        handled.onComplete(done -> {
            connection.handlingFrame = false;
            while (!connection.handlingFrame && !connection.waitingFrames.isEmpty() && served(connection)) {
                handleInTurn(connection, (FrameDecoder.Decoded) connection.waitingFrames.poll());
            }
            if (!served(connection)) {
                connection.waitingFrames.clear();
            } else if (!connection.handlingFrame) {
                connection.socket.resume();
            }
        });
    }

    /** Whether the connection is still served: not closed by the client nor by the hub. */
    private boolean served(Connection connection) {
        return connections.contains(connection) && connection.closedFor() == null;
    }

    /**
     * What happens to a frame as it arrives, before it waits for its turn: counted, decoded (size, JSON, shape:
     * {@link FrameDecoder}), met by the policies' frame rules (the frame rate). Answers the frame to handle in
     * its turn, or null when it was answered here (refused on arrival, or a {@code ping}, which needs no turn).
     */
    private FrameDecoder.Decoded admit(Connection connection, String data) {
        int bytes = Utf8.length(data);
        stats.frameIn(bytes);
        if (connection.handlingFrame && connection.waitingFrames.size() >= MAX_WAITING_FRAMES) {
            for (ConnectionPolicy policy : policies) {
                policy.onOverflow(connection);
            }
            if (connection.closedFor() == null) {
                deny(connection, null, ErrorCode.UNAVAILABLE, "frame dropped: " + MAX_WAITING_FRAMES + " frames wait for an earlier one already");
            }
            return null;
        }
        FrameDecoder.Decoded frame = decoder.decode(data, bytes);
        framePolicies(connection, frame.kind());
        if (frame instanceof FrameDecoder.Bad bad && bad.onArrival()) {
            deny(connection, bad.address(), bad.code(), bad.message());
            return null;
        }
        return frame instanceof FrameDecoder.Ping ? null : frame;
    }

    /** Handles one admitted frame; the future completes when the next one may be handled. */
    private Future<Void> handleFrame(Connection connection, FrameDecoder.Decoded frame) {
        try {
            return dispatch(connection, frame);
        } catch (HeraldException refusal) {
            deny(connection, null, refusal.code(), refusal.getMessage());
            return DONE;
        }
    }

    /** The protocol: one decoded frame, in its turn. A refusal is an {@code err} frame to the frame's (reply) address. */
    private Future<Void> dispatch(Connection connection, FrameDecoder.Decoded decoded) {
        if (decoded instanceof FrameDecoder.Bad bad) {
            deny(connection, bad.address(), bad.code(), bad.message());
            return DONE;
        }
        FrameDecoder.Frame frame = (FrameDecoder.Frame) decoded;
        try {
            if (frame instanceof FrameDecoder.Register register) {
                return register(connection, register);
            } else if (frame instanceof FrameDecoder.Unregister && channels.containsKey(frame.address())) {
                channels.get(frame.address()).unregister(connection);
            } else if (frame instanceof FrameDecoder.Unregister) {
                unregister(connection, frame.address());
            } else if (frame instanceof FrameDecoder.Publish publish) {
                return publish(connection, publish.address(), publish.body(), null);
            } else if (frame instanceof FrameDecoder.Send send && send.control()) {
                control(connection, send.address(), send.body(), send.replyAddress());
            } else if (frame instanceof FrameDecoder.Send send) {
                return publish(connection, send.address(), send.body(), send.replyAddress());
            }
        } catch (HeraldException refusal) {
            String replyAddress = frame instanceof FrameDecoder.Send send ? send.replyAddress() : null;
            deny(connection, replyAddress != null ? replyAddress : frame.address(), refusal.code(), refusal.getMessage());
        }
        return DONE;
    }

    private void framePolicies(Connection connection, String kind) {
        for (ConnectionPolicy policy : policies) {
            policy.onFrame(connection, kind);
        }
    }

    private EventCatalog.Namespace namespaceOf(String type) {
        EventCatalog.Namespace namespace = catalog.namespaceOf(type);
        if (namespace == null) {
            throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + type + "'");
        }
        return namespace;
    }

    private Future<Void> register(Connection connection, FrameDecoder.Register frame) {
        String type = frame.address();
        ConnectionPolicy.ControlChannel channel = channels.get(type);
        if (channel != null) {
            channel.register(connection);
            return DONE;
        }
        EventCatalog.Namespace catalogued = namespaceOf(type);
        if (frame.badResume() != null) {
            throw frame.badResume();
        }
        if (frame.badFilter() != null) {
            throw frame.badFilter();
        }
        RegisterFrame register = new RegisterFrame(type, catalogued, frame.resume(), frame.filter());
        for (ConnectionPolicy policy : policies) {
            policy.onRegister(connection, register);
        }
        if (register.access() == Access.NONE) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + connection.principal().role() + " may not read " + register.namespace().name());
        }
        Subscription existing = connection.subscriptions.get(type);
        if (existing != null) {
            // a second register of the type replaces its filter; a refused one (above) left the subscription as it was
            existing.access = register.access();
            if (register.resume() == null) {
                fanout.refilter(type, existing, register.filter()); // it keeps its place: nothing missed, nothing twice
                return DONE;
            }
            unregister(connection, type); // with since: from that position, as a first register
        }
        Subscription subscription = new Subscription(connection, register.access(), register.filter());
        String namespace = register.namespace().name();
        if (readers(connection, namespace) == 0) {
            stats.namespaceReaders(namespace, 1);
        }
        connection.subscriptions.put(type, subscription);
        return fanout.subscribe(type, subscription, register.resume());
    }

    /** How many types of {@code namespace} the connection is subscribed to. */
    private int readers(Connection connection, String namespace) {
        int count = 0;
        for (String type : connection.subscriptions.keySet()) {
            if (catalog.namespaceOf(type).name().equals(namespace)) {
                count++;
            }
        }
        return count;
    }

    /**
     * A refreshed token (same user, checked by the caller): the policies check its claims (a refusal changes
     * nothing), then everything decided from the old claims is decided again. A registered type the new claims
     * do not let it read is removed as by {@code unregister} and gets an {@code access_denied} err addressed to
     * it; the others keep their stream position with the access the new claims give (all or own only).
     */
    private Refresh refresh(Connection connection, Principal refreshed) {
        if (!connections.contains(connection)) {
            // closed while the new token was verified: what it held is given back already
            throw new HeraldException(ErrorCode.UNAVAILABLE, "the connection is closed");
        }
        for (ConnectionPolicy policy : policies) {
            policy.checkClaims(connection, refreshed);
        }
        Principal previous = connection.principal();
        Refresh refresh = new Refresh(previous, connection.subscriptions.keySet());
        connection.principal(refreshed);
        if (!connection.countedRole.equals(refreshed.role())) {
            stats.connectionRoleChanged(connection.countedRole, refreshed.role());
            connection.countedRole = refreshed.role();
        }
        for (ConnectionPolicy policy : policies) {
            policy.onRefresh(connection, refresh);
        }
        for (String type : refresh.types()) {
            Subscription subscription = connection.subscriptions.get(type);
            if (subscription == null) {
                continue;
            }
            Access access = refresh.access(type);
            if (access == Access.NONE) {
                unregister(connection, type);
                refresh.droppedType(type);
                deny(connection, type, ErrorCode.ACCESS_DENIED, "role " + refreshed.role() + " may not read "
                        + catalog.namespaceOf(type).name() + ": the refreshed token ended this subscription");
            } else {
                subscription.access = access;
            }
        }
        return refresh;
    }

    private void unregister(Connection connection, String type) {
        Subscription subscription = connection.subscriptions.remove(type);
        if (subscription != null) {
            fanout.unsubscribe(type, subscription);
            String namespace = catalog.namespaceOf(type).name();
            if (readers(connection, namespace) == 0) {
                stats.namespaceReaders(namespace, -1);
            }
        }
    }

    /**
     * publish and send: a browser-published event; send with a replyAddress gets {"id","seq","epoch"} back (plus
     * {@code data} when a publish check changed it). A publish a check waits for holds the connection's later frames
     * until the check answers (the future), so that a client's frames keep their order.
     */
    private Future<Void> publish(Connection connection, String type, Object body, String replyAddress) {
        String errAddress = replyAddress != null ? replyAddress : type;
        EventCatalog.Namespace namespace = namespaceOf(type);
        checkPendingReplies(connection, replyAddress);
        PublishFrame publish = new PublishFrame(type, namespace, body instanceof JsonObject data ? data : new JsonObject());
        for (ConnectionPolicy policy : policies) {
            policy.onPublish(connection, publish);
        }
        if (!publish.allowed()) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + connection.principal().role() + " may not publish " + type);
        }
        if (body != null && !(body instanceof JsonObject)) {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "the body of a published event must be a JSON object");
        }
        Future<Void> checked = checks(connection, publish, 0);
        if (checked == null) {
            publishAllowed(connection, publish, replyAddress);
            return DONE;
        }
        return awaitingReply(connection, replyAddress, checked).transform(done -> {
            if (done.failed()) {
                HeraldException refusal = HeraldException.from(done.cause());
                deny(connection, errAddress, refusal.code(), refusal.getMessage());
            } else if (served(connection)) {
                publishAllowed(connection, publish, replyAddress);
            }
            return DONE;
        });
    }

    /**
     * The publish checks from {@code index} on, one after the other (a later one sees what an earlier one rewrote):
     * null when none has anything to wait for (no allocation), else a future of them all.
     */
    private Future<Void> checks(Connection connection, PublishFrame publish, int index) {
        for (int i = index; i < publishChecks.length; i++) {
            Future<Void> check = publishChecks[i].check(connection, publish);
            if (check != null) {
                int next = i + 1;
                return check.compose(v -> {
                    Future<Void> rest = checks(connection, publish, next);
                    return rest == null ? DONE : rest;
                });
            }
        }
        return null;
    }

    /** Publishes what every policy and check allowed. */
    private void publishAllowed(Connection connection, PublishFrame publish, String replyAddress) {
        String type = publish.type();
        String errAddress = replyAddress != null ? replyAddress : type;
        Principal who = connection.principal();
        awaitingReply(connection, replyAddress, publisher.publish(new PublishRequest(type, publish.data(), null, who.userId(), who.storeId())))
                .onSuccess(published -> {
                    if (replyAddress != null) {
                        JsonObject reply = published.toJson();
                        if (publish.replyWithData()) {
                            reply.put("data", publish.data());
                        }
                        connection.send(BridgeFrames.rec(replyAddress, reply.encode()));
                    }
                })
                .onFailure(err -> {
                    HeraldException failure = HeraldException.from(err);
                    if (failure.code() == ErrorCode.INTERNAL_ERROR) {
                        NOTABLE.warning("publish-failed", "publish of " + LogText.escape(type) + " from " + LogText.escape(who.userId()) + " failed", err);
                    }
                    deny(connection, errAddress, failure.code(), failure.getMessage());
                });
    }

    /** Counts a reply the client waits for until it is sent; refuses one past {@code bridge.maxPendingReplies}. */
    private <T> Future<T> awaitingReply(Connection connection, String replyAddress, Future<T> result) {
        if (replyAddress == null) {
            return result;
        }
        connection.pendingReplies++;
        return result.andThen(done -> connection.pendingReplies--);
    }

    private void checkPendingReplies(Connection connection, String replyAddress) {
        if (replyAddress != null && connection.pendingReplies >= limits.maxPendingReplies()) {
            throw new HeraldException(ErrorCode.TOO_MANY_PENDING_REPLIES,
                    "at most " + limits.maxPendingReplies() + " replies may be awaited on one connection");
        }
    }

    private void control(Connection connection, String address, Object body, String replyAddress) {
        ConnectionPolicy.ControlHandler handler = controls.get(address);
        if (handler == null) {
            throw new HeraldException(ErrorCode.NOT_FOUND, "no control address " + address);
        }
        if (body != null && !(body instanceof JsonObject)) {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "the body of a control request must be a JSON object");
        }
        checkPendingReplies(connection, replyAddress);
        String errAddress = replyAddress != null ? replyAddress : address;
        awaitingReply(connection, replyAddress, handler.handle(connection, body == null ? new JsonObject() : (JsonObject) body))
                .onSuccess(reply -> {
                    if (replyAddress != null) {
                        connection.send(BridgeFrames.rec(replyAddress, reply.encode()));
                    }
                })
                .onFailure(err -> {
                    HeraldException failure = HeraldException.from(err);
                    deny(connection, errAddress, failure.code(), failure.getMessage());
                });
    }

    private static String who(Connection connection) {
        Principal principal = connection.principal();
        // the token's values are the client's: escaped, so that a sub with a line break cannot forge a log line
        return (principal.isAnonymous() ? "an anonymous " + LogText.escape(principal.role())
                : "user " + LogText.escape(principal.userId()) + " (" + LogText.escape(principal.role()) + ")")
                + " from " + connection.remoteAddress();
    }

    private void deny(Connection connection, String address, ErrorCode code, String message) {
        stats.refused(code);
        if (code.status() == 429 || code.status() == 401) {
            NOTABLE.info("denied:" + code.id(), "frame of " + who(connection) + " refused: " + code.id() + ": " + message);
        }
        connection.send(BridgeFrames.err(address, code, message));
    }
}
