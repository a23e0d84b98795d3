package io.herald.graphql;

import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;
import io.herald.delivery.Timers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /graphql} on one event loop (docs/graphql.md): WebSockets speaking {@code graphql-transport-ws}
 * ({@link GraphQLSocket}), admitted and served by the loop's bridge. Each event's {@code rec} frame is read once per
 * loop, and each distinct selection's payload encoded once per event: only the message around it (the operation's id)
 * is written per operation. Touched only on its event loop.
 */
public final class GraphQLEndpoint {
    public static final String PATH = "/graphql";
    /** The WebSocket subprotocol the server offers (graphql-ws's client asks for it). */
    public static final String PROTOCOL = GraphQLSocket.PROTOCOL;
    /** How long a socket may stay open without {@code connection_init} (graphql-ws's server waits 3 s; browsers on slow links need more). */
    static final long INIT_TIMEOUT_MS = 10_000;

    private final Timers timers;
    private final Consumer<Runnable> loop;
    private final Handler<ClientSocket> bridge;
    private final EventSchema schema;
    private final int maxOutboundBytes;
    private final int maxOperations;
    private final long initTimeoutMs;
    /**
     * The event whose rec frame was read last, and the rest of its {@code next} message by selection: read and encoded
     * once per event. The buffers are released when the next event comes (each socket wrote a retained duplicate), or at {@link #close}.
     */
    private SharedFrame lastFrame;
    private Event lastEvent;
    private final Map<Selection, ByteBuf> nexts = new HashMap<>();
    /** How many times a {@code next} message's shared part was encoded (GraphQLSocketTest counts them). */
    private long encodes;

    /** An event as the operations read it: its type and envelope. */
    record Event(String type, JsonObject envelope) {
    }

    /**
     * {@code bridge}: the loop's bridge, which admits each socket once its client sent {@code connection_init};
     * {@code maxOperations}: operations at once on one connection (the bridge's {@code maxSubscriptionsPerSocket}).
     */
    public GraphQLEndpoint(Context context, Handler<ClientSocket> bridge, EventSchema schema, int maxOutboundBytes, int maxOperations,
                           int maxWaitingInit) {
        this(Timers.of(context.owner()), task -> context.runOnContext(v -> task.run()), bridge, schema, maxOutboundBytes, maxOperations,
                INIT_TIMEOUT_MS);
        this.maxWaitingInit = maxWaitingInit;
    }

    /** {@code timers} and {@code loop} (runs a task on the event loop, later): Vert.x's, or a hand-moved clock in unit tests. */
    GraphQLEndpoint(Timers timers, Consumer<Runnable> loop, Handler<ClientSocket> bridge, EventSchema schema, int maxOutboundBytes,
                    int maxOperations, long initTimeoutMs) {
        this.timers = timers;
        this.loop = loop;
        this.bridge = bridge;
        this.schema = schema;
        this.maxOutboundBytes = maxOutboundBytes;
        this.maxOperations = maxOperations;
        this.initTimeoutMs = initTimeoutMs;
    }

    /** Whether a WebSocket upgrade to {@code path} is this endpoint's. */
    public static boolean serves(String path) {
        return PATH.equals(path) || (PATH + "/").equals(path);
    }

    /**
     * Sockets of this event loop that have not sent {@code connection_init} yet, at most ({@code limits.graphqlWaitingInitPerLoop}):
     * the bridge counts a connection's attempt and caps it only at its init, so until then (at most the init timeout)
     * this bounds what they hold.
     */
    private int maxWaitingInit = 2000;
    private int waitingInit;

    /** A WebSocket accepted at {@link #PATH} (its handshake passed the origin check). */
    public void handle(ServerWebSocket ws) {
        if (waitingInit >= maxWaitingInit) {
            ws.close((short) io.herald.CloseReason.TOO_MANY_CONNECTIONS.code(), io.herald.CloseReason.TOO_MANY_CONNECTIONS.id());
            return;
        }
        NettyWire wire = new NettyWire(ws, maxOutboundBytes);
        waitingInit++;
        wire.attach(new GraphQLSocket(wire, this));
    }

    /** A socket left its wait for {@code connection_init} (it sent one, or closed). */
    void initWaitEnded() {
        waitingInit--;
    }

    void admit(GraphQLSocket socket) {
        bridge.handle(socket);
    }

    EventSchema schema() {
        return schema;
    }

    int maxOperations() {
        return maxOperations;
    }

    long initTimeoutMs() {
        return initTimeoutMs;
    }

    Timers timers() {
        return timers;
    }

    void onLoop(Runnable task) {
        loop.accept(task);
    }

    /**
     * The loop's HTTP verticle stops (node shutdown): the last event's encoded buffers are released now, not at a next
     * event that will not come, and an event still delivered after (a socket not closed yet) is read for nobody.
     */
    public void close() {
        closed = true;
        nexts.values().forEach(ByteBuf::release);
        nexts.clear();
        lastFrame = null;
        lastEvent = null;
    }

    private boolean closed;

    /** The event a rec frame carries, read once per frame on this loop; null for a frame that is not one, or once closed. */
    Event event(SharedFrame frame) {
        if (closed) {
            return null;
        }
        if (frame != lastFrame) {
            lastFrame = frame;
            nexts.values().forEach(ByteBuf::release);
            nexts.clear();
            try {
                JsonObject rec = new JsonObject(frame.text());
                lastEvent = rec.getValue("body") instanceof JsonObject envelope ? new Event(rec.getString("address"), envelope) : null;
            } catch (RuntimeException e) {
                lastEvent = null;
            }
        }
        return lastEvent;
    }

    /**
     * A {@code next} message of an event for a selection, but for its head {@code {"id":"<operation>"}}: the bytes
     * {@code ,"type":"next","payload":{"data":{…}}}} encoded once per event for every operation that selects alike
     * (equal {@link Selection}s: the same fields under the same keys), on every socket of this loop.
     */
    ByteBuf next(Event event, Selection selection) {
        ByteBuf next = nexts.get(selection);
        if (next == null) {
            encodes++;
            byte[] bytes = (NEXT_AFTER_ID + selection.payload(event.envelope()) + "}").getBytes(StandardCharsets.UTF_8);
            next = ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            nexts.put(selection, next);
        }
        return next;
    }

    private static final String NEXT_AFTER_ID = ",\"type\":\"next\",\"payload\":";

    long encodes() {
        return encodes;
    }
}
