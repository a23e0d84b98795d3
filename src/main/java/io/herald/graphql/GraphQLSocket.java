package io.herald.graphql;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.GraphQLClose;
import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code graphql-transport-ws} connection at {@code /graphql} (docs/graphql.md), as the bridge sees it: a
 * {@link ClientSocket} that speaks the bridge's protocol inside. {@code connection_init} hands the socket to the bridge
 * with the payload's token, so the connection is admitted as a bridge socket is (attempts per IP, token, caps, claims);
 * its first {@code resume} is the admission and sends {@code connection_ack}. Each {@code subscribe} becomes the bridge's
 * frames ({@code register} of each type with {@code since}, {@code epoch} and {@code filter}; a {@code send} to
 * {@code herald:state} for the state query), so the role matrix, ownership, limits, recovery and filters are the bridge's
 * own, and events reach it from the node's {@link io.herald.delivery.Fanout} like any socket's ({@link #deliver}); the
 * bridge's {@code err} frames become GraphQL errors with the code in {@code extensions}, its closes the WebSocket's.
 * A type's bridge subscription is shared by the operations that read it plainly (no recovery, no filter); one with
 * recovery or a filter has its types to itself. Every client message counts as one frame against the connection's rate.
 * Touched only on its event loop.
 */
final class GraphQLSocket implements ClientSocket {
    static final String PROTOCOL = "graphql-transport-ws";
    /** Reply addresses of the socket's state queries (never a catalog type nor a control address). */
    private static final String REPLY_PREFIX = "graphql.reply.";
    private static final String PING_FRAME = "{\"type\":\"ping\"}";

    private enum Phase { WAITING_INIT, ADMITTING, OPEN, CLOSED }

    /** One operation of the client, by its id. */
    private static final class Operation {
        final String id;
        /** The id as JSON text, encoded once for every message of the operation. */
        final String idJson;
        /** {@code {"id":<id>} as UTF-8: what a {@code next} message of an event has of its own ({@link GraphQLEndpoint#next}). */
        final byte[] nextHead;
        EventSchema.Events events;
        /** A state query's reply address, while it waits. */
        String replyAddress;
        CompletableFuture<Object> reply;
        boolean failed;

        Operation(String id) {
            this.id = id;
            this.idJson = Json.encode(id);
            this.nextHead = ("{\"id\":" + idJson).getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Wire wire;
    private final GraphQLEndpoint endpoint;
    private final long initTimer;
    private Phase phase = Phase.WAITING_INIT;
    private String token;
    private Handler<String> frameHandler = frame -> { };
    private Handler<Void> closeHandler = v -> { };
    private Handler<Void> pongHandler = v -> { };
    private Handler<Void> tooLargeHandler = v -> { };
    private boolean flushPending;
    private final Map<String, Operation> operations = new HashMap<>();
    /** Catalog type → the operations reading it (one, or several plain ones). */
    private final Map<String, List<Operation>> readers = new HashMap<>();
    private final Map<String, Operation> replies = new HashMap<>();
    private long replyCount;
    /** The operation whose frame the bridge is handling now: an err without address that comes meanwhile is its. */
    private Operation current;

    GraphQLSocket(Wire wire, GraphQLEndpoint endpoint) {
        this.wire = wire;
        this.endpoint = endpoint;
        this.initTimer = endpoint.timers().setTimer(endpoint.initTimeoutMs(), () -> {
            if (phase == Phase.WAITING_INIT) {
                closeProtocol(GraphQLClose.INIT_TIMEOUT);
            }
        });
    }

    /**
     * The transport under the protocol: a WebSocket in production ({@link NettyWire}), a fake in unit tests. It calls
     * {@link #onText}, {@link #onPong}, {@link #onTooLarge} and {@link #onClosed}.
     */
    interface Wire {
        String uri();

        String path();

        String remoteAddress();

        MultiMap headers();

        void pause();

        void resume();

        /** Writes one text message, not flushed yet. */
        void write(String text);

        /**
         * Writes one text message made of {@code head} and then {@code shared}'s bytes, not flushed yet: {@code shared} is
         * the same buffer for every socket (not consumed, the wire writes a retained duplicate), {@code head} the socket's own.
         */
        void write(byte[] head, ByteBuf shared);

        void flush();

        /** Runs {@code drained} once what was written so far has left the node (or the connection ended). */
        void whenDrained(Runnable drained);

        /** More than the outbound bound waits to be sent. */
        boolean overloaded();

        /** Hands a compressed message past the inflation cap to {@code handler} instead of the decoder's own close. */
        default void onTooLarge(Runnable handler) {
        }

        void ping();

        void close(int code, String reason);

        void abort();
    }

    void onPong() {
        pongHandler.handle(null);
    }

    void onTooLarge() {
        if (phase == Phase.OPEN) {
            tooLargeHandler.handle(null);
        } else {
            close(CloseReason.FRAME_TOO_LARGE.code(), CloseReason.FRAME_TOO_LARGE.id());
        }
    }

    void onClosed() {
        endpoint.timers().cancelTimer(initTimer);
        Phase was = phase;
        phase = Phase.CLOSED;
        if (was == Phase.WAITING_INIT) {
            endpoint.initWaitEnded();
        }
        if (was == Phase.ADMITTING || was == Phase.OPEN) {
            closeHandler.handle(null);
        }
    }

    // ---- the client's messages

    void onText(String text) {
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (RuntimeException notJson) {
            closeProtocol(GraphQLClose.BAD_MESSAGE);
            return;
        }
        String type = message.getValue("type") instanceof String t ? t : "";
        switch (type) {
            case "connection_init" -> init(message.getValue("payload"));
            case "ping" -> {
                if (phase == Phase.OPEN) {
                    feed(null, PING_FRAME); // counted against the rate, and shows the client is alive
                }
                write(new JsonObject().put("type", "pong").encode(), true);
            }
            case "pong" -> {
                if (phase == Phase.OPEN) {
                    pongHandler.handle(null);
                }
            }
            case "subscribe" -> subscribe(message);
            case "complete" -> {
                if (phase == Phase.OPEN && message.getValue("id") instanceof String id) {
                    feed(null, PING_FRAME);
                    Operation operation = operations.get(id);
                    if (operation != null) {
                        end(operation);
                    }
                }
            }
            default -> closeProtocol(GraphQLClose.BAD_MESSAGE);
        }
    }

    private void init(Object payload) {
        if (phase != Phase.WAITING_INIT) {
            closeProtocol(GraphQLClose.TOO_MANY_INITS);
            return;
        }
        endpoint.timers().cancelTimer(initTimer);
        if (payload instanceof JsonObject init && init.getValue("token") instanceof String t && !t.isEmpty()) {
            token = t;
        }
        endpoint.initWaitEnded();
        phase = Phase.ADMITTING;
        endpoint.admit(this); // the bridge's OpenChain: attempts, token, caps; its resume() is the ack
    }

    private void subscribe(JsonObject message) {
        if (phase != Phase.OPEN) {
            closeProtocol(GraphQLClose.UNAUTHORIZED);
            return;
        }
        if (!(message.getValue("id") instanceof String id) || id.isEmpty() || !(message.getValue("payload") instanceof JsonObject payload)
                || !(payload.getValue("query") instanceof String query)) {
            closeProtocol(GraphQLClose.BAD_MESSAGE);
            return;
        }
        if (operations.containsKey(id)) {
            closeProtocol(GraphQLClose.SUBSCRIBER_EXISTS);
            return;
        }
        Operation operation = new Operation(id);
        feed(operation, PING_FRAME); // every operation counts against the connection's frame rate before it costs anything
        if (operation.failed || phase != Phase.OPEN) {
            return;
        }
        if (operations.size() >= endpoint.maxOperations()) {
            error(operation, EventSchema.error(ErrorCode.TOO_MANY_SUBSCRIPTIONS.id(),
                    "at most " + endpoint.maxOperations() + " operations at once on one connection"));
            return;
        }
        Object variables = payload.getValue("variables");
        EventSchema.Plan plan = endpoint.schema().plan(query, payload.getValue("operationName") instanceof String name ? name : null,
                variables instanceof JsonObject vars ? vars.getMap() : null, body -> stateRequest(operation, body));
        if (plan instanceof EventSchema.Result result) {
            operations.remove(id);
            if (result.failed()) {
                write(message("error", operation, Json.encode(result.payload().get("errors"))), true);
            } else {
                write(message("next", operation, Json.encode(result.payload())), false);
                write(new JsonObject().put("id", id).put("type", "complete").encode(), true);
            }
        } else if (plan instanceof EventSchema.Pending pending) {
            operations.put(id, operation);
            pending.result().whenComplete((result, failure) -> endpoint.onLoop(() -> {
                if (operations.remove(id) != operation || phase != Phase.OPEN) {
                    return; // completed by the client, or closed, meanwhile
                }
                if (failure != null) {
                    error(operation, EventSchema.error(ErrorCode.INTERNAL_ERROR.id(), "the query failed"));
                    return;
                }
                write(message("next", operation, Json.encode(result.toSpecification())), false);
                write(new JsonObject().put("id", id).put("type", "complete").encode(), true);
            }));
        } else if (plan instanceof EventSchema.Events events) {
            startEvents(operation, events);
        }
    }

    private void startEvents(Operation operation, EventSchema.Events events) {
        for (String type : events.types()) {
            List<Operation> sharing = readers.get(type);
            if (sharing != null && !sharing.isEmpty() && (!events.plain() || !sharing.get(0).events.plain())) {
                error(operation, EventSchema.error(ErrorCode.INVALID_PARAMETER.id(), "another operation of this connection reads " + type
                        + (events.plain() ? " with recovery or a filter" : "") + ": an operation with since or filter has its types to itself"));
                return;
            }
        }
        operation.events = events;
        operations.put(operation.id, operation);
        for (String type : events.types()) {
            List<Operation> sharing = readers.computeIfAbsent(type, t -> new ArrayList<>(1));
            sharing.add(operation);
            if (sharing.size() == 1) {
                JsonObject headers = new JsonObject();
                if (events.since() != null) {
                    headers.put("since", events.since());
                    if (events.epoch() != null) {
                        headers.put("epoch", events.epoch());
                    }
                }
                if (events.filter() != null) {
                    headers.put("filter", events.filter());
                }
                JsonObject register = new JsonObject().put("type", "register").put("address", type);
                if (!headers.isEmpty()) {
                    register.put("headers", headers);
                }
                feed(operation, register.encode());
            }
            if (operation.failed || phase != Phase.OPEN) {
                return;
            }
        }
    }

    /** A state query's round trip through the bridge ({@code herald:state}): completes with the reply, or fails with its err. */
    private CompletableFuture<Object> stateRequest(Operation operation, Map<String, Object> body) {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        if (operation.reply != null) {
            // an operation waits for one reply: a second state field would take the first one's answer and leave itself waiting
            reply.completeExceptionally(new EventSchema.Refusal(io.herald.ErrorCode.INVALID_PARAMETER, "one state field per query"));
            return reply;
        }
        String address = REPLY_PREFIX + (++replyCount);
        operation.replyAddress = address;
        operation.reply = reply;
        replies.put(address, operation);
        feed(operation, new JsonObject().put("type", "send").put("address", io.herald.state.StatePolicy.STATE).put("replyAddress", address)
                .put("body", new JsonObject(body)).encode());
        return reply;
    }

    /** Hands one bridge frame to the bridge; what it refuses at once without an address is the operation's. */
    private void feed(Operation operation, String frame) {
        Operation before = current;
        current = operation;
        try {
            frameHandler.handle(frame);
        } finally {
            current = before;
        }
    }

    /** The operation is over (the client completed it, or it failed): its types are unregistered unless another reads them. */
    private void end(Operation operation) {
        operations.remove(operation.id);
        if (operation.replyAddress != null) {
            replies.remove(operation.replyAddress);
        }
        if (operation.events == null) {
            return;
        }
        for (String type : operation.events.types()) {
            List<Operation> sharing = readers.get(type);
            if (sharing != null && sharing.remove(operation) && sharing.isEmpty()) {
                readers.remove(type);
                if (phase == Phase.OPEN) {
                    feed(null, new JsonObject().put("type", "unregister").put("address", type).encode());
                }
            }
        }
    }

    private void error(Operation operation, Map<String, Object> error) {
        if (operation.failed) {
            return;
        }
        if (operation.reply != null) {
            // a state query: graphql-java answers with the error in the result
            replies.remove(operation.replyAddress);
            operation.reply.completeExceptionally(new EventSchema.Refusal(String.valueOf(((Map<?, ?>) error.get("extensions")).get("code")),
                    String.valueOf(error.get("message"))));
            return;
        }
        operation.failed = true;
        boolean running = operations.get(operation.id) == operation;
        end(operation);
        if (running || operation.events == null) {
            write(message("error", operation, Json.encode(List.of(error))), true);
        }
    }

    private static String message(String type, Operation operation, String payloadJson) {
        return "{\"id\":" + operation.idJson + ",\"type\":\"" + type + "\",\"payload\":" + payloadJson + "}";
    }

    // ---- the bridge's side

    @Override
    public String uri() {
        // the token of connection_init, when there is one, is the one: not a token of the URL's query
        return token != null ? wire.path() : wire.uri();
    }

    @Override
    public String transport() {
        return "graphql";
    }

    @Override
    public String remoteAddress() {
        return wire.remoteAddress();
    }

    @Override
    public MultiMap headers() {
        if (token == null) {
            return wire.headers();
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(wire.headers());
        return headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }

    @Override
    public void pause() {
        wire.pause();
    }

    @Override
    public void resume() {
        if (phase == Phase.ADMITTING) {
            phase = Phase.OPEN; // the bridge admitted the connection
            write(new JsonObject().put("type", "connection_ack").encode(), true);
        }
        wire.resume();
    }

    @Override
    public void frameHandler(Handler<String> handler) {
        this.frameHandler = handler;
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
    }

    /** The bridge's own frames: its {@code err} frames become the operations' errors, its replies their answers. */
    @Override
    public void send(String frameJson) {
        JsonObject frame;
        try {
            frame = new JsonObject(frameJson);
        } catch (RuntimeException e) {
            return;
        }
        String address = frame.getString("address");
        if ("rec".equals(frame.getString("type"))) {
            Operation waiting = address == null ? null : replies.remove(address);
            if (waiting != null && waiting.reply != null) {
                Object body = frame.getValue("body");
                waiting.reply.complete(body instanceof JsonObject page ? ((JsonObject) Json.decodeValue(page.encode())).getMap() : body);
            }
            return;
        }
        if (!"err".equals(frame.getString("type")) || frame.containsKey("reconnect")) {
            return; // a refusal or a closing notice: the close that follows says it
        }
        Map<String, Object> error = EventSchema.error(frame.getString("failureType"), frame.getString("message"));
        if (address == null) {
            if (current != null) {
                error(current, error);
            }
            return;
        }
        Operation waiting = replies.get(address);
        if (waiting != null) {
            error(waiting, error);
            return;
        }
        List<Operation> sharing = readers.get(address);
        if (sharing == null) {
            return;
        }
        if (ErrorCode.RECOVERY_INCOMPLETE.id().equals(frame.getString("failureType"))) {
            // the bridge's subscription goes on with live events: a result with the error, and the operation goes on
            String payload = new JsonObject().putNull("data").put("errors", new JsonArray().add(new JsonObject(error))).encode();
            for (Operation operation : sharing) {
                write(message("next", operation, payload), true);
            }
            return;
        }
        for (Operation operation : new ArrayList<>(sharing)) {
            error(operation, error);
        }
    }

    /**
     * An event frame of the node: each operation reading its type gets a {@code next}, whose bytes after the id are encoded
     * once per event and selection on this loop ({@link GraphQLEndpoint#next}) and shared by every socket.
     */
    @Override
    public boolean deliver(SharedFrame frame) {
        GraphQLEndpoint.Event event = endpoint.event(frame);
        List<Operation> sharing = event == null ? null : readers.get(event.type());
        if (sharing == null) {
            return false;
        }
        for (Operation operation : sharing) {
            wire.write(operation.nextHead, endpoint.next(event, operation.events.selection()));
        }
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    @Override
    public void flush() {
        flushPending = false;
        wire.flush();
    }

    @Override
    public void whenDrained(Runnable drained) {
        flushPending = false;
        wire.whenDrained(drained);
    }

    @Override
    public boolean overloaded() {
        return wire.overloaded();
    }

    @Override
    public void keepAlive() {
        wire.ping();
    }

    @Override
    public void tooLargeHandler(Handler<Void> handler) {
        this.tooLargeHandler = handler;
        wire.onTooLarge(this::onTooLarge); // the bridge takes the socket: its over-size compressed messages too
    }

    @Override
    public void pongHandler(Handler<Void> handler) {
        this.pongHandler = handler;
    }

    @Override
    public void close(int code, String reason) {
        wire.flush();
        wire.close(code, reason);
    }

    @Override
    public void abort() {
        wire.abort();
    }

    /**
     * A message of the protocol (ack, pong, a query's result, an error): never written past the outbound bound, so that
     * asking costs no memory; a client that reads nothing while more than the bound waits is closed as a slow consumer
     * (a result dropped silently would leave it waiting forever).
     */
    private void write(String text, boolean flush) {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (wire.overloaded()) {
            wire.flush();
            if (wire.overloaded()) {
                abort(); // as the bridge does a slow consumer: nothing more gets through to it, a close frame neither
                return;
            }
        }
        wire.write(text);
        if (flush) {
            flushPending = false;
            wire.flush();
        }
    }

    /**
     * A close of the protocol's own (4400 …, graphqlCloses of the vocabulary), as graphql-ws expects them, with the
     * vocabulary's name as the reason; the bridge hears of it as of any close.
     */
    private void closeProtocol(GraphQLClose close) {
        close(close.code(), close.id());
    }
}
