package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.delivery.DeliveryFakes.CountingCounters;
import io.herald.delivery.DeliveryFakes.FakeSocket;
import io.herald.delivery.DeliveryFakes.ManualTimers;
import io.herald.event.BusEvent;
import io.herald.history.LocalEventLog;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out on fake sockets: one event encoded once for every subscriber, slow consumers and broken sockets closed
 * without disturbing the others, held writes flushed once per turn. No bus, no history read, no timer waited for.
 */
class FanoutTest {
    static final String TYPE = "inventory:updated";
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));

    static Vertx vertx;
    Context context;
    CountingCounters counters;
    Fanout fanout;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    @BeforeEach
    void setUp() {
        context = vertx.getOrCreateContext();
        counters = new CountingCounters();
        fanout = new Fanout(context, CATALOG, new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0)), counters,
                new TypeStream.DeliveryOptions(500, 200, 1000, 1000), new ManualTimers());
    }

    Subscription subscriber(FakeSocket socket, String user) {
        return new Subscription(new Connection(socket, new Principal(user, "staff", null, Set.of()), counters), Access.ALL);
    }

    static BusEvent event(long seq) {
        return new BusEvent(seq, System.currentTimeMillis(), "{\"seq\":" + seq + "}", null, null);
    }

    /** Runs on the fan-out's event loop, then waits for what it queued there (the flush) to run too. */
    void onLoop(Runnable action) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            action.run();
            context.runOnContext(w -> done.complete());
        });
        done.future().await();
    }

    @Test
    void oneEventIsEncodedOnceForEverySubscriber() {
        FakeSocket a = new FakeSocket();
        FakeSocket b = new FakeSocket();
        FakeSocket c = new FakeSocket();
        Subscription[] members = {subscriber(a, "u-a"), subscriber(b, "u-b"), subscriber(c, "u-c")};
        onLoop(() -> fanout.deliver(TYPE, members, event(1)));
        assertEquals(List.of(1L), a.seqs());
        assertSame(a.delivered.get(0), b.delivered.get(0), "the same encoded frame");
        assertSame(a.delivered.get(0), c.delivered.get(0), "the same encoded frame");
        assertEquals(3, counters.delivered.get());
    }

    @Test
    void aSlowConsumerIsClosedAndTheOthersStillGetTheEvent() {
        FakeSocket slow = new FakeSocket();
        slow.overloaded = () -> true;
        FakeSocket reader = new FakeSocket();
        Subscription[] members = {subscriber(slow, "u-slow"), subscriber(reader, "u-reader")};
        onLoop(() -> fanout.deliver(TYPE, members, event(1)));
        assertTrue(slow.aborted, "a slow consumer is cut at once: it would not read a close");
        assertEquals(List.of(), slow.seqs());
        assertEquals(1, slow.flushes, "flushed once before it was judged");
        assertEquals(CloseReason.SLOW_CONSUMER, members[0].connection.closedFor());
        assertEquals(List.of(1L), reader.seqs());
        onLoop(() -> fanout.deliver(TYPE, members, event(2)));
        assertEquals(List.of(), slow.seqs(), "nothing more piles up for a closed consumer");
        assertEquals(List.of(1L, 2L), reader.seqs());
        assertEquals(2, counters.delivered.get(), "what the reader got, nothing for the slow one");
    }

    @Test
    void aSocketBehindOnlyByThisTurnsWritesIsFlushedNotClosed() {
        FakeSocket socket = new FakeSocket();
        socket.overloaded = () -> socket.flushes == 0; // what waited was this turn's writes: a flush sends them
        Subscription[] members = {subscriber(socket, "u-1")};
        onLoop(() -> fanout.deliver(TYPE, members, event(1)));
        assertFalse(socket.closed());
        assertEquals(List.of(1L), socket.seqs());
    }

    @Test
    void aSocketThatFailsIsClosedAndTheOthersAreNotDisturbed() {
        FakeSocket broken = new FakeSocket();
        broken.failsOnDeliver = true;
        FakeSocket reader = new FakeSocket();
        Subscription[] members = {subscriber(broken, "u-broken"), subscriber(reader, "u-reader")};
        onLoop(() -> fanout.deliver(TYPE, members, event(1)));
        assertEquals(CloseReason.INTERNAL_ERROR.code(), broken.closedWith);
        assertEquals(CloseReason.INTERNAL_ERROR.id(), broken.sent.get(0).getString("failureType"), "the close says why");
        assertEquals(List.of(1L), reader.seqs());
    }

    @Test
    void heldWritesAreFlushedOnceAfterTheTurn() {
        FakeSocket socket = new FakeSocket();
        socket.holds = true;
        Subscription[] members = {subscriber(socket, "u-1")};
        onLoop(() -> {
            fanout.deliver(TYPE, members, event(1));
            fanout.deliver(TYPE, members, event(2));
            fanout.deliver(TYPE, members, event(3));
            assertEquals(0, socket.flushes, "not flushed within the turn");
        });
        assertEquals(List.of(1L, 2L, 3L), socket.seqs());
        assertEquals(1, socket.flushes, "three events, one flush");
    }

    @Test
    void withAWriteWindowHeldWritesOfSeveralTurnsWaitForTheLoopsOneTimer() {
        ManualTimers clock = new ManualTimers();
        Fanout windowed = new Fanout(context, CATALOG, new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0)), counters,
                new TypeStream.DeliveryOptions(500, 200, 1000, 1000), clock, 5);
        FakeSocket a = new FakeSocket();
        FakeSocket b = new FakeSocket();
        a.holds = true;
        b.holds = true;
        Subscription[] members = {subscriber(a, "u-a"), subscriber(b, "u-b")};
        for (long seq = 1; seq <= 3; seq++) {
            long event = seq;
            onLoop(() -> windowed.deliver(TYPE, members, event(event)));
            onLoop(() -> clock.advance(1));
        }
        assertEquals(0, a.flushes, "held across turns until the window ends");
        assertEquals(0, b.flushes);
        onLoop(() -> clock.advance(2));
        assertEquals(1, a.flushes, "three events, one flush");
        assertEquals(1, b.flushes);
        assertEquals(List.of(1L, 2L, 3L), a.seqs());
        assertEquals(List.of(1L, 2L, 3L), b.seqs());
    }

    @Test
    void aSubscriberGetsNothingItRecoveredAlready() {
        FakeSocket socket = new FakeSocket();
        Subscription subscription = subscriber(socket, "u-1");
        subscription.afterSeq = 2;
        onLoop(() -> {
            for (long seq = 1; seq <= 4; seq++) {
                fanout.deliver(TYPE, new Subscription[] {subscription}, event(seq));
            }
        });
        assertEquals(List.of(3L, 4L), socket.seqs());
    }
}
