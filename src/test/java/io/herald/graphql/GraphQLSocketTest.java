package io.herald.graphql;

import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;
import io.herald.delivery.Timers;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * graphql-transport-ws on a fake wire, a fake bridge and a hand-moved clock: the protocol's closes, admission through
 * the bridge, operations to the bridge's frames and back, types shared by plain operations, payloads encoded once.
 */
class GraphQLSocketTest {
    static final EventSchema SCHEMA = new EventSchema(EventSchemaTest.SHIPPED);

    /** The bridge as the socket sees it: the frames it gets, and its hand to answer. */
    final List<String> bridgeFrames = new ArrayList<>();
    ClientSocket admitted;
    final FakeWire wire = new FakeWire();
    final Clock clock = new Clock();
    final List<Runnable> later = new ArrayList<>();
    final GraphQLEndpoint endpoint = new GraphQLEndpoint(clock, later::add, socket -> {
        admitted = socket;
        socket.frameHandler(bridgeFrames::add);
    }, SCHEMA, 1 << 20, 4, 10_000);
    final GraphQLSocket socket = new GraphQLSocket(wire, endpoint);

    /** Not final: src/bench's GraphQLFanoutTiming does the bytes' work in its writes. */
    static class FakeWire implements GraphQLSocket.Wire {
        final List<String> sent = new ArrayList<>();
        int flushes;
        Integer closeCode;
        String closeReason;
        boolean paused;
        boolean overloaded;

        public String uri() {
            return "/graphql?token=from-the-query";
        }

        public String path() {
            return "/graphql";
        }

        public String remoteAddress() {
            return "127.0.0.9";
        }

        public MultiMap headers() {
            return MultiMap.caseInsensitiveMultiMap().add("User-Agent", "test");
        }

        public void pause() {
            paused = true;
        }

        public void resume() {
            paused = false;
        }

        public void write(String text) {
            sent.add(text);
        }

        /** The shared buffers written, as written (the same instance for every socket that selects alike). */
        final List<io.netty.buffer.ByteBuf> shared = new ArrayList<>();

        public void write(byte[] head, io.netty.buffer.ByteBuf rest) {
            shared.add(rest);
            sent.add(new String(head, java.nio.charset.StandardCharsets.UTF_8) + rest.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        public void flush() {
            flushes++;
        }

        public void whenDrained(Runnable drained) {
            drained.run();
        }

        public boolean overloaded() {
            return overloaded;
        }

        public void ping() {
        }

        public void close(int code, String reason) {
            if (closeCode == null) {
                closeCode = code;
                closeReason = reason;
            }
        }

        public void abort() {
            close(-1, "aborted");
        }

        JsonObject last() {
            return new JsonObject(sent.get(sent.size() - 1));
        }

        List<JsonObject> all() {
            return sent.stream().map(JsonObject::new).toList();
        }
    }

    static final class Clock implements Timers {
        long now;
        long ids;
        final TreeMap<Long, Map.Entry<Long, Runnable>> timers = new TreeMap<>();

        public long setTimer(long delayMs, Runnable task) {
            long id = ++ids;
            timers.put(id, Map.entry(now + delayMs, task));
            return id;
        }

        public long setPeriodic(long periodMs, Runnable task) {
            throw new UnsupportedOperationException();
        }

        public void cancelTimer(long id) {
            timers.remove(id);
        }

        void advance(long ms) {
            now += ms;
            new ArrayList<>(timers.entrySet()).stream().filter(e -> e.getValue().getKey() <= now).forEach(e -> {
                timers.remove(e.getKey());
                e.getValue().getValue().run();
            });
        }
    }

    void send(JsonObject message) {
        socket.onText(message.encode());
    }

    void openAs(String token) {
        send(new JsonObject().put("type", "connection_init").put("payload", new JsonObject().put("token", token)));
        assertSame(socket, admitted, "connection_init hands the socket to the bridge");
        admitted.resume(); // the bridge admitted it
    }

    void subscribe(String id, String query) {
        send(new JsonObject().put("id", id).put("type", "subscribe").put("payload", new JsonObject().put("query", query)));
    }

    /** The bridge frames other than the ping that every client message is counted as. */
    List<JsonObject> frames() {
        return bridgeFrames.stream().map(JsonObject::new).filter(f -> !"ping".equals(f.getString("type"))).toList();
    }

    static SharedFrame rec(String type, JsonObject envelope) throws Exception {
        Constructor<SharedFrame> make = SharedFrame.class.getDeclaredConstructor(String.class);
        make.setAccessible(true);
        return make.newInstance(new JsonObject().put("type", "rec").put("address", type).put("body", envelope).encode());
    }

    @Test
    void connectionInitIsAdmittedByTheBridgeWithItsTokenAndAckedOnAdmission() {
        send(new JsonObject().put("type", "connection_init").put("payload", new JsonObject().put("token", "jwt-1")));
        assertSame(socket, admitted);
        assertEquals("Bearer jwt-1", admitted.headers().get(HttpHeaders.AUTHORIZATION), "the payload's token is the one");
        assertEquals("/graphql", admitted.uri(), "not the query's");
        assertEquals("test", admitted.headers().get("User-Agent"));
        assertEquals("graphql", admitted.transport());
        assertTrue(wire.sent.isEmpty(), "no ack before the bridge admits");
        admitted.pause();
        admitted.resume();
        assertEquals("connection_ack", wire.last().getString("type"));
        admitted.resume();
        assertEquals(1, wire.sent.size(), "acked once");
        clock.advance(60_000);
        assertNull(wire.closeCode, "the init timer was cancelled");
    }

    @Test
    void withoutATokenInThePayloadTheUpgradesOwnIsUsed() {
        send(new JsonObject().put("type", "connection_init"));
        assertEquals("/graphql?token=from-the-query", admitted.uri());
        assertNull(admitted.headers().get(HttpHeaders.AUTHORIZATION));
    }

    @Test
    void theProtocolsOwnCloses() {
        clock.advance(10_000);
        assertEquals(4408, wire.closeCode, "no connection_init in time");

        FakeWire second = new FakeWire();
        GraphQLSocket early = new GraphQLSocket(second, endpoint);
        early.onText(new JsonObject().put("id", "1").put("type", "subscribe").put("payload", new JsonObject().put("query", "{ types }")).encode());
        assertEquals(4401, second.closeCode, "subscribe before the ack");

        FakeWire third = new FakeWire();
        GraphQLSocket twice = new GraphQLSocket(third, endpoint);
        twice.onText(new JsonObject().put("type", "connection_init").encode());
        twice.onText(new JsonObject().put("type", "connection_init").encode());
        assertEquals(4429, third.closeCode);

        FakeWire fourth = new FakeWire();
        new GraphQLSocket(fourth, endpoint).onText("not json");
        assertEquals(4400, fourth.closeCode);
    }

    @Test
    void pingIsAnsweredAndCounted() {
        openAs("t");
        send(new JsonObject().put("type", "ping"));
        assertEquals("pong", wire.last().getString("type"));
        assertEquals(List.of("{\"type\":\"ping\"}"), bridgeFrames, "counted by the bridge as a frame");
        // a client that reads nothing: its answers are not written past the outbound bound
        wire.overloaded = true;
        int sent = wire.sent.size();
        send(new JsonObject().put("type", "ping"));
        subscribe("q", "{ types }");
        assertEquals(sent, wire.sent.size());
    }

    @Test
    void operationsBecomeRegistersAndErrorsComeBackWithCodes() {
        openAs("t");
        subscribe("a", "subscription { events(types: [\"order:created\", \"payment:received\"]) { id } }");
        assertEquals(List.of(new JsonObject().put("type", "register").put("address", "order:created"),
                new JsonObject().put("type", "register").put("address", "payment:received")), frames());
        // the bridge refuses one of the types: the operation ends with the code, its other type is unregistered
        admitted.send(new JsonObject().put("type", "err").put("address", "payment:received").put("failureCode", 403)
                .put("failureType", "access_denied").put("message", "role staff may not read payments").put("body", "access_denied").encode());
        JsonObject error = wire.last();
        assertEquals("error", error.getString("type"));
        assertEquals("a", error.getString("id"));
        assertEquals("access_denied", error.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code"));
        assertEquals(new JsonObject().put("type", "unregister").put("address", "order:created"), frames().get(frames().size() - 2));
        // the id is free again
        subscribe("a", "subscription { events(type: \"order:created\", since: \"41\", epoch: \"e\", filter: {field: \"storeId\", op: \"eq\", value: \"s\"}) { id } }");
        assertEquals(new JsonObject().put("type", "register").put("address", "order:created").put("headers", new JsonObject()
                .put("since", "41").put("epoch", "e").put("filter", "{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"s\"}")), frames().get(frames().size() - 1));
        subscribe("a", "subscription { events(types: [\"order:created\"]) { id } }");
        assertEquals(4409, wire.closeCode, "an id that runs already");
    }

    @Test
    void anErrWithoutAddressDuringAnOperationsFrameIsItsRefusal() {
        ClientSocket[] bridge = new ClientSocket[1];
        GraphQLEndpoint limited = new GraphQLEndpoint(clock, later::add, s -> {
            bridge[0] = s;
            // a bridge whose frame rate refuses every frame at once (an err without address)
            s.frameHandler(frame -> s.send(new JsonObject().put("type", "err").put("failureCode", 429).put("failureType", "rate_limited")
                    .put("message", "slow down").put("body", "rate_limited").encode()));
        }, SCHEMA, 1 << 20, 3, 10_000);
        FakeWire limitedWire = new FakeWire();
        GraphQLSocket s = new GraphQLSocket(limitedWire, limited);
        s.onText(new JsonObject().put("type", "connection_init").encode());
        bridge[0].resume();
        s.onText(new JsonObject().put("id", "x").put("type", "subscribe").put("payload", new JsonObject().put("query",
                "subscription { events(types: [\"order:created\"]) { id } }")).encode());
        JsonObject error = limitedWire.last();
        assertEquals("error", error.getString("type"));
        assertEquals("rate_limited", error.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code"));
        // a closing notice (with reconnect) is no operation's: the close that follows says it
        bridge[0].send(new JsonObject().put("type", "err").put("failureType", "rate_limited").put("reconnect", true).encode());
        assertEquals(2, limitedWire.sent.size());
    }

    /** An endpoint of its own (one event loop's), whose bridge sockets are added to {@code sockets} as it admits them. */
    GraphQLEndpoint loopEndpoint(List<ClientSocket> sockets) {
        return new GraphQLEndpoint(clock, later::add, socket -> {
            sockets.add(socket);
            socket.frameHandler(frame -> { });
        }, SCHEMA, 1 << 20, 4, 10_000);
    }

    /**
     * A socket of {@code loop} on {@code wire}: initialised, its bridge socket (the last one {@code loop} admitted) let
     * read, and operation {@code id} subscribed to order:created with the selection {@code fields}.
     */
    static GraphQLSocket subscribedToOrders(GraphQLEndpoint loop, List<ClientSocket> sockets, FakeWire wire, String id, String fields) {
        GraphQLSocket s = new GraphQLSocket(wire, loop);
        s.onText(new JsonObject().put("type", "connection_init").encode());
        sockets.get(sockets.size() - 1).resume();
        s.onText(new JsonObject().put("id", id).put("type", "subscribe").put("payload", new JsonObject()
                .put("query", "subscription { events(types: [\"order:created\"]) { " + fields + " } }")).encode());
        return s;
    }

    /** Review finding 6: N subscribers of a loop that select alike cost one encode per event; only the id is theirs. */
    @Test
    void subscribersOfALoopThatSelectAlikeShareOneEncodingPerEvent() throws Exception {
        List<ClientSocket> sockets = new ArrayList<>();
        GraphQLEndpoint loop = loopEndpoint(sockets);
        List<FakeWire> wires = new ArrayList<>();
        List<GraphQLSocket> subscribers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            FakeWire w = new FakeWire();
            wires.add(w);
            subscribers.add(subscribedToOrders(loop, sockets, w, "op-" + i, "id seq data"));
        }
        FakeWire other = new FakeWire();
        GraphQLSocket otherSocket = subscribedToOrders(loop, sockets, other, "x", "id");

        JsonObject envelope = new JsonObject().put("id", "e-1").put("type", "order:created").put("ts", 1L).put("seq", 7L)
                .put("data", new JsonObject().put("customerId", "c-1").put("note", "é \"quoted\""));
        SharedFrame frame = rec("order:created", envelope);
        for (GraphQLSocket s : subscribers) {
            s.deliver(frame);
        }
        assertEquals(1, loop.encodes(), "one encode for the 50 subscribers that select alike");
        otherSocket.deliver(frame);
        assertEquals(2, loop.encodes(), "another selection, another encode");
        io.netty.buffer.ByteBuf shared = wires.get(0).shared.get(0);
        for (int i = 0; i < 50; i++) {
            assertSame(shared, wires.get(i).shared.get(0), "the same bytes on every socket");
            assertEquals(new JsonObject().put("id", "op-" + i).put("type", "next").put("payload", new JsonObject().put("data",
                    new JsonObject().put("events", new JsonObject().put("id", "e-1").put("seq", 7L).put("data", envelope.getJsonObject("data"))))),
                    wires.get(i).last(), "the operation's own id spliced in front of the shared rest");
        }
        assertEquals(new JsonObject().put("data", new JsonObject().put("events", new JsonObject().put("id", "e-1"))),
                other.last().getJsonObject("payload"));
        // the next event: encoded once again, and the last event's buffers released (the wires wrote retained duplicates)
        SharedFrame second = rec("order:created", envelope.copy().put("id", "e-2").put("seq", 8L));
        for (GraphQLSocket s : subscribers) {
            s.deliver(second);
        }
        assertEquals(3, loop.encodes());
        // the pool recycles a released buffer's object: released, or released and taken again for the second event
        assertTrue(shared.refCnt() == 0 || shared == wires.get(0).shared.get(1), "released once the next event came");
        assertEquals(1, wires.get(0).shared.get(1).refCnt(), "the second event's, held until the third");
        assertEquals("e-2", wires.get(49).last().getJsonObject("payload").getJsonObject("data").getJsonObject("events").getString("id"));
    }

    /** The buffers of the last event are not held until an event that never comes: the verticle's stop releases them. */
    @Test
    void stoppingTheEndpointReleasesTheLastEventsBuffers() throws Exception {
        List<ClientSocket> sockets = new ArrayList<>();
        GraphQLEndpoint loop = loopEndpoint(sockets);
        List<FakeWire> wires = new ArrayList<>();
        List<GraphQLSocket> subscribers = new ArrayList<>();
        String[] selections = {"id seq data", "id"};
        for (int i = 0; i < selections.length; i++) {
            FakeWire w = new FakeWire();
            wires.add(w);
            subscribers.add(subscribedToOrders(loop, sockets, w, "op-" + i, selections[i]));
        }
        SharedFrame frame = rec("order:created", new JsonObject().put("id", "e-1").put("type", "order:created").put("ts", 1L)
                .put("seq", 7L).put("data", new JsonObject().put("customerId", "c-1")));
        subscribers.forEach(s -> s.deliver(frame));
        assertEquals(2, loop.encodes());
        List<io.netty.buffer.ByteBuf> held = List.of(wires.get(0).shared.get(0), wires.get(1).shared.get(0));
        for (io.netty.buffer.ByteBuf buffer : held) {
            assertEquals(1, buffer.refCnt(), "held for the next event");
        }
        loop.close();
        for (io.netty.buffer.ByteBuf buffer : held) {
            assertEquals(0, buffer.refCnt(), "released at stop");
        }
        // a socket not closed yet that still gets an event: nothing encoded, nothing held, nothing written
        SharedFrame after = rec("order:created", new JsonObject().put("id", "e-2").put("type", "order:created").put("ts", 2L)
                .put("seq", 8L).put("data", new JsonObject()));
        subscribers.forEach(s -> s.deliver(after));
        assertEquals(2, loop.encodes());
        assertEquals(1, wires.get(0).shared.size());
        loop.close(); // twice: no double release
    }

    @Test
    void plainOperationsShareATypeEachEventEncodedOncePerSelection() throws Exception {
        openAs("t");
        subscribe("a", "subscription { events(types: [\"order:created\"]) { id seq } }");
        subscribe("b", "subscription { events(types: [\"order:created\", \"order:updated\"]) { id seq } }");
        subscribe("c", "subscription { e: events(types: [\"order:created\"]) { id } }");
        assertEquals(List.of("order:created", "order:updated"), frames().stream().map(f -> f.getString("address")).toList(),
                "one register per type");
        JsonObject envelope = new JsonObject().put("id", "e-1").put("type", "order:created").put("ts", 1L).put("seq", 7L)
                .put("data", new JsonObject().put("customerId", "c-1"));
        assertTrue(admitted.deliver(rec("order:created", envelope)), "the first write since the last flush");
        admitted.flush();
        List<JsonObject> got = wire.all().subList(1, 4);
        assertEquals(new JsonObject().put("id", "a").put("type", "next").put("payload", new JsonObject().put("data",
                new JsonObject().put("events", new JsonObject().put("id", "e-1").put("seq", 7L)))), got.get(0));
        assertEquals("b", got.get(1).getString("id"));
        assertEquals(got.get(0).getJsonObject("payload"), got.get(1).getJsonObject("payload"));
        assertEquals(new JsonObject().put("data", new JsonObject().put("e", new JsonObject().put("id", "e-1"))), got.get(2).getJsonObject("payload"));
        // a filtered operation may not join a shared type, nor a plain one join a filtered type
        subscribe("d", "subscription { events(type: \"order:created\", filter: {field: \"storeId\", op: \"eq\", value: \"s\"}) { id } }");
        assertEquals("invalid_parameter", wire.last().getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code"));
        // the operations limit (4 in this endpoint)
        subscribe("e", "subscription { events(types: [\"product:created\"]) { id } }");
        subscribe("f", "subscription { events(types: [\"product:updated\"]) { id } }");
        assertEquals("too_many_subscriptions", wire.last().getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code"));
        // complete: a type is unregistered when its last operation ends
        int before = frames().size();
        send(new JsonObject().put("id", "a").put("type", "complete"));
        send(new JsonObject().put("id", "b").put("type", "complete"));
        assertEquals(List.of(new JsonObject().put("type", "unregister").put("address", "order:updated")), frames().subList(before, frames().size()));
        send(new JsonObject().put("id", "c").put("type", "complete"));
        assertEquals(new JsonObject().put("type", "unregister").put("address", "order:created"), frames().get(frames().size() - 1));
        int sent = wire.sent.size();
        assertFalse(admitted.deliver(rec("order:created", envelope.copy().put("seq", 8L))), "no operation reads it any more");
        assertEquals(sent, wire.sent.size());
    }

    @Test
    void recoveryIncompleteIsAResultWithTheErrorAndTheOperationGoesOn() throws Exception {
        openAs("t");
        subscribe("r", "subscription { events(type: \"order:created\", since: \"3\") { seq } }");
        admitted.send(new JsonObject().put("type", "err").put("address", "order:created").put("failureCode", 410)
                .put("failureType", "recovery_incomplete").put("message", "history starts later").put("body", "recovery_incomplete").encode());
        JsonObject next = wire.last();
        assertEquals("next", next.getString("type"));
        assertTrue(next.getJsonObject("payload").containsKey("data"));
        assertEquals("recovery_incomplete", next.getJsonObject("payload").getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"));
        admitted.deliver(rec("order:created", new JsonObject().put("seq", 9L)));
        assertEquals(new JsonObject().put("data", new JsonObject().put("events", new JsonObject().put("seq", 9L))), wire.last().getJsonObject("payload"));
    }

    @Test
    void theStateQueryIsASendToHeraldStateAndItsReplyTheResult() {
        openAs("t");
        subscribe("q", "query { state(type: \"inventory:updated\", limit: 2) { seq entries { seq } } }");
        JsonObject send = frames().get(0);
        assertEquals("send", send.getString("type"));
        assertEquals("herald:state", send.getString("address"));
        assertEquals(new JsonObject().put("type", "inventory:updated").put("limit", 2), send.getJsonObject("body"));
        admitted.send(new JsonObject().put("type", "rec").put("address", send.getString("replyAddress")).put("body", new JsonObject()
                .put("type", "inventory:updated").put("seq", 12).put("entries", new JsonArray().add(new JsonObject().put("seq", 11)))).encode());
        later.forEach(Runnable::run);
        List<JsonObject> all = wire.all();
        assertEquals(new JsonObject().put("id", "q").put("type", "next").put("payload", new JsonObject().put("data", new JsonObject()
                .put("state", new JsonObject().put("seq", 12L).put("entries", new JsonArray().add(new JsonObject().put("seq", 11L)))))), all.get(all.size() - 2));
        assertEquals(new JsonObject().put("id", "q").put("type", "complete"), all.get(all.size() - 1));
        // refused by the bridge: the code in the result's error
        subscribe("q2", "query { state(type: \"order:created\") { seq } }");
        JsonObject second = frames().get(1);
        admitted.send(new JsonObject().put("type", "err").put("address", second.getString("replyAddress")).put("failureCode", 400)
                .put("failureType", "invalid_parameter").put("message", "order:created keeps no state").put("body", "invalid_parameter").encode());
        later.forEach(Runnable::run);
        all = wire.all();
        JsonObject result = all.get(all.size() - 2).getJsonObject("payload");
        assertEquals("invalid_parameter", result.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code"), result.encode());
    }

    @Test
    void theBridgeHearsOfTheCloseOnceAdmittedAndItsClosesReachTheWire() {
        boolean[] closed = {false};
        openAs("t");
        admitted.closeHandler(v -> closed[0] = true);
        admitted.send(new JsonObject().put("type", "err").put("failureCode", 4002).put("failureType", "slow_consumer").put("reconnect", true).encode());
        admitted.close(4100, "token_expired");
        assertEquals(4100, wire.closeCode);
        assertEquals("token_expired", wire.closeReason);
        socket.onClosed();
        assertTrue(closed[0]);
    }
}
