package io.herald.delivery;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.delivery.DeliveryFakes.CountingCounters;
import io.herald.delivery.DeliveryFakes.FakeSocket;
import io.herald.delivery.DeliveryFakes.ManualTimers;
import io.herald.event.BusEvent;
import io.herald.event.EventBatch;
import io.herald.history.LocalEventLog;
import io.herald.testing.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A type's stream on a clock moved by hand: an early event is held exactly until {@code holdMs} has passed, the
 * stream's tail is looked at each {@code tailCheckMs}, a recovery gets history then the live events without a gap
 * or a double, and a subscriber that reads nothing of its replay is closed once a page has waited its time.
 * A plain local Vert.x for the bus and the event loop; in-memory history; fake sockets; no time waited for.
 */
class TypeStreamClockTest {
    static final String TYPE = "inventory:updated";
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    static final long HOLD_MS = 500;
    static final long TAIL_CHECK_MS = 60_000;

    static Vertx vertx;
    Context context;
    LocalEventLog log;
    CountingCounters counters;
    ManualTimers clock;
    Fanout fanout;

    @BeforeAll
    static void startVertx() {
        vertx = DeliveryFakes.busVertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    @BeforeEach
    void setUp() {
        context = vertx.getOrCreateContext();
        log = new LocalEventLog(t -> new HeraldConfig.HistoryBounds(1000, 0));
        counters = new CountingCounters();
        clock = new ManualTimers();
        fanout = fanout(new TypeStream.DeliveryOptions(HOLD_MS, TAIL_CHECK_MS, 1000, 1000));
    }

    Fanout fanout(TypeStream.DeliveryOptions options) {
        return new Fanout(context, CATALOG, log, counters, options, clock);
    }

    <T> T onLoop(Supplier<Future<T>> action) {
        return DeliveryFakes.onContext(context, action);
    }

    /** Moves the clock on the stream's event loop, then lets what that started (history reads) finish there. */
    void advance(long ms) {
        onLoop(() -> {
            clock.advance(ms);
            return Future.succeededFuture();
        });
        onLoop(() -> Future.succeededFuture());
    }

    Subscription subscribe(Fanout into, FakeSocket socket, RegisterFrame.Resume resume) {
        Subscription subscription = new Subscription(new Connection(socket, new Principal("u-" + socket.hashCode(), "staff", null, Set.of()), counters),
                Access.ALL);
        onLoop(() -> into.subscribe(TYPE, subscription, resume));
        return subscription;
    }

    /** Appends events to history as a publisher would, without telling the bus. */
    List<BusEvent> appended(int count) {
        return DeliveryFakes.appended(log, TYPE, count);
    }

    String epoch() {
        return log.position(TYPE).await().epoch();
    }

    /** The bus brings a batch; answers once the stream has taken it. */
    void busBrings(BusEvent... events) {
        long before = counters.busBatches.get();
        vertx.eventBus().publish(Addresses.delivery(TYPE), new EventBatch(TYPE, epoch(), List.of(events)));
        Eventually.assertEventually("the stream took the batch", () -> counters.busBatches.get() > before);
        onLoop(() -> Future.succeededFuture());
    }

    @Test
    void anEarlyEventIsHeldUntilHoldMsThenItsGapIsReadFromHistory() {
        FakeSocket socket = new FakeSocket();
        subscribe(fanout, socket, null);
        List<BusEvent> events = appended(3);
        busBrings(events.get(2));
        assertEquals(List.of(), socket.seqs(), "3 waits for 1 and 2");
        advance(HOLD_MS - 1);
        assertEquals(List.of(), socket.seqs(), "still held: the hold has not passed");
        assertEquals(0, counters.gapFilled.get());
        advance(1);
        assertEquals(List.of(1L, 2L, 3L), socket.seqs());
        assertEquals(2, counters.gapFilled.get(), "1 and 2 read from history");
    }

    @Test
    void eventsThatComeInOrderLeaveAtOnceWithoutAHoldOrAHistoryRead() {
        FakeSocket socket = new FakeSocket();
        subscribe(fanout, socket, null);
        long timersBefore = clock.pendingOneShots();
        List<BusEvent> events = appended(4);
        busBrings(events.get(0));
        assertEquals(List.of(1L), socket.seqs(), "released in the turn it came, the clock not moved");
        busBrings(events.get(1), events.get(2));
        busBrings(events.get(3));
        assertEquals(List.of(1L, 2L, 3L, 4L), socket.seqs());
        assertEquals(timersBefore, clock.pendingOneShots(), "no hold timer was set for events in order");
        assertEquals(0, counters.gapFilled.get(), "nothing read from history");
    }

    @Test
    void aGapTheBusFillsWithinTheHoldIsNotReadFromHistory() {
        FakeSocket socket = new FakeSocket();
        subscribe(fanout, socket, null);
        List<BusEvent> events = appended(3);
        busBrings(events.get(2));
        busBrings(events.get(0));
        assertEquals(List.of(1L), socket.seqs());
        busBrings(events.get(1));
        assertEquals(List.of(1L, 2L, 3L), socket.seqs());
        advance(HOLD_MS * 4);
        assertEquals(0, counters.gapFilled.get());
        assertEquals(List.of(1L, 2L, 3L), socket.seqs(), "nothing twice");
    }

    @Test
    void eventsWhoseBusMessageNeverCameAreFoundAtTheNextTailCheck() {
        FakeSocket socket = new FakeSocket();
        subscribe(fanout, socket, null);
        appended(2);
        advance(TAIL_CHECK_MS - 1);
        assertEquals(List.of(), socket.seqs());
        advance(1);
        advance(HOLD_MS);
        assertEquals(List.of(1L, 2L), socket.seqs());
    }

    @Test
    void aRecoveryGetsHistoryThenTheLiveEventsWithoutAGapOrADouble() {
        FakeSocket live = new FakeSocket();
        subscribe(fanout, live, null);
        busBrings(appended(5).toArray(BusEvent[]::new));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), live.seqs());

        FakeSocket late = new FakeSocket();
        late.drains = false; // its first replay page stays in flight: the live event 6 must wait behind it
        subscribe(fanout, late, new RegisterFrame.Resume(2, epoch()));
        busBrings(appended(1).toArray(BusEvent[]::new));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), live.seqs());
        assertTrue(late.seqs().size() < 4, "the replay waits for its socket: " + late.seqs());
        while (!late.drainWaiters.isEmpty()) {
            Runnable drained = late.drainWaiters.remove(0);
            onLoop(() -> {
                drained.run();
                return Future.succeededFuture();
            });
            onLoop(() -> Future.succeededFuture());
        }
        assertEquals(List.of(3L, 4L, 5L, 6L), late.seqs(), "history after since, then what went live meanwhile");
        assertEquals(1, counters.recoveredComplete.get());
        busBrings(appended(1).toArray(BusEvent[]::new));
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), late.seqs(), "live now");
    }

    @Test
    void aRecoveryFromAnotherEpochIsIncomplete() {
        FakeSocket live = new FakeSocket();
        subscribe(fanout, live, null);
        busBrings(appended(2).toArray(BusEvent[]::new));
        FakeSocket stale = new FakeSocket();
        subscribe(fanout, stale, new RegisterFrame.Resume(1, "an-older-epoch"));
        onLoop(() -> Future.succeededFuture());
        assertEquals("recovery_incomplete", stale.sent.get(0).getString("failureType"));
        assertEquals(1, counters.recoveredIncomplete.get());
        busBrings(appended(1).toArray(BusEvent[]::new));
        assertEquals(List.of(3L), stale.seqs(), "then the live stream");
    }

    @Test
    void aGapLongerThanMaxRecoveryEventsIsIncomplete() {
        Fanout small = fanout(new TypeStream.DeliveryOptions(HOLD_MS, TAIL_CHECK_MS, 1000, 3));
        FakeSocket live = new FakeSocket();
        subscribe(small, live, null);
        busBrings(appended(10).toArray(BusEvent[]::new));
        FakeSocket behind = new FakeSocket();
        subscribe(small, behind, new RegisterFrame.Resume(1, epoch()));
        onLoop(() -> Future.succeededFuture());
        assertEquals("recovery_incomplete", behind.sent.get(0).getString("failureType"));
        assertEquals(List.of(), behind.seqs(), "no replay of a gap it could not have whole");
    }

    @Test
    void aSubscriberThatReadsNothingOfItsReplayIsClosedOnceAPageHasWaitedItsTime() {
        Fanout paged = fanout(new TypeStream.DeliveryOptions(HOLD_MS, TAIL_CHECK_MS, 1000, 1000, 1024, new ReplayBudget(64L << 20)));
        FakeSocket live = new FakeSocket();
        subscribe(paged, live, null);
        busBrings(appended(50).toArray(BusEvent[]::new));
        FakeSocket stuck = new FakeSocket();
        stuck.drains = false;
        Subscription subscription = subscribe(paged, stuck, new RegisterFrame.Resume(0, epoch()));
        onLoop(() -> Future.succeededFuture());
        int firstPage = stuck.seqs().size();
        assertTrue(firstPage > 0 && firstPage < 50, "one page written, the rest waits: " + firstPage);
        advance(Replay.STALLED_PAGE_MS - 1);
        assertEquals(null, subscription.connection.closedFor());
        advance(1);
        assertEquals(CloseReason.SLOW_CONSUMER, subscription.connection.closedFor());
        assertTrue(stuck.aborted);
        assertEquals(firstPage, stuck.seqs().size(), "nothing more written to it");
        busBrings(appended(1).toArray(BusEvent[]::new));
        assertEquals(51, live.seqs().size(), "the live subscriber is not disturbed");
    }
}
