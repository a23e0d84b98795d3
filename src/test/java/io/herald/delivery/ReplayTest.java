package io.herald.delivery;

import io.herald.event.BusEvent;
import io.herald.history.HistoryPage;
import io.herald.history.StreamPosition;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paging of a replay without Vert.x, Hazelcast or sockets: an in-memory history, a fake socket that drains
 * only when the test says so, and the real budget. Everything runs on the test's thread.
 */
class ReplayTest {
    static final String EPOCH = "e1";

    /** History holding seqs head..tail, each record {@code size} characters. */
    static final class FakeHistory implements Replay.History {
        long head;
        long tail;
        final int size;
        String epoch = EPOCH;
        final List<Integer> reads = new ArrayList<>();

        FakeHistory(long head, long tail, int size) {
            this.head = head;
            this.tail = tail;
            this.size = size;
        }

        @Override
        public Future<HistoryPage> read(long fromSeq, int limit) {
            reads.add(limit);
            List<HistoryPage.Stored> events = new ArrayList<>();
            for (long seq = Math.max(fromSeq, head); seq <= tail && events.size() < limit; seq++) {
                events.add(new HistoryPage.Stored(seq, "x".repeat(size)));
            }
            return Future.succeededFuture(new HistoryPage(new StreamPosition(epoch, head, tail), events));
        }

        @Override
        public BusEvent decode(HistoryPage.Stored stored) {
            return new BusEvent(stored.seq(), 0, stored.record(), null, null);
        }

        @Override
        public String epoch() {
            return epoch;
        }
    }

    /** A subscriber whose socket drains only when {@link #drain()} is called; it records what it was sent. */
    static final class FakeSocket implements Replay.Subscriber {
        final List<Long> written = new ArrayList<>();
        /** Bytes written since the last drain, per page. */
        final List<Long> pageBytes = new ArrayList<>();
        long pending;
        final ArrayDeque<Runnable> drains = new ArrayDeque<>();
        List<BusEvent> backlog = new ArrayList<>();
        boolean overflowed;
        boolean gone;
        int incomplete;
        int stalled;
        /** The fake clock: now, and the timers set on it (id → due time, task). */
        long now;
        final java.util.TreeMap<Long, Object[]> timers = new java.util.TreeMap<>();
        long timerIds;
        Boolean live;

        @Override
        public boolean gone() {
            return gone;
        }

        @Override
        public long write(BusEvent event) {
            written.add(event.seq());
            pending += event.envelope().length();
            return event.envelope().length();
        }

        @Override
        public void whenDrained(Runnable drained) {
            pageBytes.add(pending);
            pending = 0;
            drains.add(drained);
        }

        @Override
        public void run(Runnable task) {
            task.run();
        }

        @Override
        public long timer(long ms, Runnable task) {
            timers.put(++timerIds, new Object[] {now + ms, task});
            return timerIds;
        }

        @Override
        public void cancelTimer(long id) {
            timers.remove(id);
        }

        @Override
        public void stalled(long ms) {
            stalled++;
        }

        /** Moves the fake clock on, running the timers that come due. */
        void advance(long ms) {
            now += ms;
            new ArrayList<>(timers.entrySet()).forEach(timer -> {
                if ((long) timer.getValue()[0] <= now && timers.remove(timer.getKey()) != null) {
                    ((Runnable) timer.getValue()[1]).run();
                }
            });
        }

        @Override
        public List<BusEvent> backlog() {
            return backlog;
        }

        @Override
        public boolean backlogOverflowed() {
            return overflowed;
        }

        @Override
        public void incomplete() {
            incomplete++;
        }

        @Override
        public void live(boolean complete) {
            live = complete;
            backlog = null;
        }

        /** The client read what was sent: the replay may go on. */
        boolean drain() {
            Runnable next = drains.poll();
            if (next == null) {
                return false;
            }
            next.run();
            return true;
        }

        void drainAll() {
            while (drain()) {
                // each drain may send the next page
            }
        }
    }

    static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void aReplayIsSentInPagesOfAboutThePageBytesEachOnlyAfterTheLastDrained() {
        FakeHistory history = new FakeHistory(1, 1000, 32 * 1024);
        FakeSocket socket = new FakeSocket();
        ReplayBudget budget = new ReplayBudget(64L << 20);
        new Replay(history, socket, budget, 256 * 1024, EPOCH, 1, 1000).start();

        assertEquals(Replay.FIRST_PAGE_EVENTS, socket.written.size(), "only the first page before the socket drained");
        assertEquals(Replay.FIRST_PAGE_EVENTS * 32L * 1024, budget.inFlight(), "the page is counted until it drained");
        assertTrue(socket.drain());
        assertEquals(Replay.FIRST_PAGE_EVENTS + 8, socket.written.size(), "the next page: 256 KiB / 32 KiB = 8 events");
        socket.drainAll();

        assertEquals(seqs(1, 1000), socket.written, "every event once, in order");
        assertTrue(socket.pageBytes.stream().allMatch(bytes -> bytes <= 256 * 1024), "no page above the page bytes: " + socket.pageBytes);
        assertTrue(history.reads.stream().skip(1).allMatch(limit -> limit <= 8), "reads sized from bytes: " + history.reads);
        assertEquals(Boolean.TRUE, socket.live);
        assertEquals(0, socket.incomplete);
        assertEquals(0, budget.inFlight(), "everything given back");
    }

    @Test
    void smallEventsMakePagesOfManyEvents() {
        FakeHistory history = new FakeHistory(1, 5000, 100);
        FakeSocket socket = new FakeSocket();
        new Replay(history, socket, new ReplayBudget(1 << 20), 64 * 1024, EPOCH, 1, 3000).start();
        socket.drainAll();
        assertEquals(seqs(1, 3000), socket.written);
        assertTrue(history.reads.size() < 10, "a few reads of ~650 events, not 750 of 4: " + history.reads);
    }

    @Test
    void liveEventsHeldMeanwhileFollowTheHistoryInPagesThenTheSubscriberGoesLive() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        FakeSocket socket = new FakeSocket();
        new Replay(history, socket, new ReplayBudget(1 << 20), 50_000, EPOCH, 1, 100).start();
        long last = 100;
        for (long seq = 101; seq <= 150 && socket.live == null; seq++) {
            socket.backlog.add(new BusEvent(seq, 0, "y".repeat(10_000), null, null)); // what the stream holds back meanwhile
            last = seq;
            socket.drain();
        }
        socket.drainAll();
        assertTrue(last > 110, "live events came during the replay and after its history");
        assertEquals(seqs(1, last), socket.written, "history, then the held live events, none doubled or missed");
        assertEquals(Boolean.TRUE, socket.live);
        assertTrue(socket.pageBytes.stream().allMatch(bytes -> bytes <= 50_000), "backlog pages too: " + socket.pageBytes);
    }

    @Test
    void registersPastTheBudgetWaitTheirTurnInOrder() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        ReplayBudget budget = new ReplayBudget(100_000);
        List<FakeSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FakeSocket socket = new FakeSocket();
            sockets.add(socket);
            new Replay(history, socket, budget, 40_000, EPOCH, 1, 100).start();
        }
        // 40 KB taken per page: two fit in 100 KB, the third waits, and so do those after it
        assertEquals(List.of(4, 4, 0, 0, 0), sockets.stream().map(s -> s.written.size()).toList());
        assertEquals(3, budget.waiting());
        assertTrue(budget.inFlight() <= 100_000);
        sockets.get(0).drain(); // the first gives its page back: the third gets in before the first's next page
        assertEquals(List.of(4, 4, 4, 0, 0), sockets.stream().map(s -> s.written.size()).toList());
        while (sockets.stream().anyMatch(FakeSocket::drain)) {
            assertTrue(budget.inFlight() <= 100_000 + 40_000, "within the bound (+ a page's rounding): " + budget.inFlight());
        }
        for (FakeSocket socket : sockets) {
            assertEquals(seqs(1, 100), socket.written);
            assertEquals(Boolean.TRUE, socket.live);
        }
        assertEquals(0, budget.inFlight());
        assertEquals(0, budget.waiting());
    }

    @Test
    void aSubscriberThatLeavesGivesItsPageBackAndWaitersGoOn() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        ReplayBudget budget = new ReplayBudget(30_000);
        FakeSocket stalled = new FakeSocket();
        FakeSocket next = new FakeSocket();
        new Replay(history, stalled, budget, 30_000, EPOCH, 1, 100).start();
        new Replay(history, next, budget, 30_000, EPOCH, 1, 100).start();
        assertTrue(next.written.isEmpty(), "waits behind the stalled one");
        stalled.gone = true;
        stalled.drain(); // its connection ended: the write's promise fails, which counts as drained
        assertFalse(next.written.isEmpty(), "its turn came");
        next.drainAll();
        assertEquals(seqs(1, 100), next.written);
        assertEquals(null, stalled.live, "the one that left never joins");
        assertEquals(0, budget.inFlight());
    }

    @Test
    void historyThatMovedOnEndsTheRecoveryIncompleteThenTheBacklogFollows() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        FakeSocket socket = new FakeSocket();
        new Replay(history, socket, new ReplayBudget(1 << 20), 40_000, EPOCH, 1, 100).start();
        socket.backlog.add(new BusEvent(101, 0, "z", null, null));
        history.head = 50; // events 5..49 left history before they were read
        socket.drainAll();
        assertEquals(1, socket.incomplete);
        assertEquals(List.of(1L, 2L, 3L, 4L, 101L), socket.written, "what came before the loss, then the live events");
        assertEquals(Boolean.FALSE, socket.live);
    }

    @Test
    void aRestartedStreamOrAnOverflowedBacklogIsIncomplete() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        FakeSocket restarted = new FakeSocket();
        new Replay(history, restarted, new ReplayBudget(1 << 20), 40_000, EPOCH, 1, 100).start();
        history.epoch = "e2";
        restarted.drainAll();
        assertEquals(1, restarted.incomplete);
        assertEquals(Boolean.FALSE, restarted.live);

        FakeSocket overflowed = new FakeSocket();
        history.epoch = EPOCH;
        new Replay(history, overflowed, new ReplayBudget(1 << 20), 40_000, EPOCH, 1, 100).start();
        overflowed.overflowed = true;
        overflowed.drainAll();
        assertEquals(seqs(1, 100), overflowed.written);
        assertEquals(1, overflowed.incomplete, "the live events it lost are said");
        assertEquals(Boolean.FALSE, overflowed.live);
    }

    @Test
    void aPageLargerThanTheWholeBudgetStillGoesWhenNothingElseIsInFlight() {
        ReplayBudget budget = new ReplayBudget(1000);
        List<String> order = new ArrayList<>();
        budget.acquire(5000, () -> order.add("big"));
        budget.acquire(10, () -> order.add("small"));
        assertEquals(List.of("big"), order, "the small one waits behind the big one: fair, in order");
        budget.release(5000);
        assertEquals(List.of("big", "small"), order);
        budget.release(10);
        assertEquals(0, budget.inFlight());
    }

    @Test
    void aPageThatDoesNotLeaveInThirtySecondsClosesItsReaderAsASlowConsumer() {
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        FakeSocket slow = new FakeSocket();
        ReplayBudget budget = new ReplayBudget(1 << 20);
        new Replay(history, slow, budget, 40_000, EPOCH, 1, 100).start();
        slow.advance(Replay.STALLED_PAGE_MS - 1);
        assertEquals(0, slow.stalled, "a slow reader has its time");
        slow.drain();
        slow.advance(Replay.STALLED_PAGE_MS - 1);
        assertEquals(0, slow.stalled, "each page has its own 30 s");
        slow.advance(1);
        assertEquals(1, slow.stalled, "a page that waited 30 s: closed as a slow consumer");
        slow.gone = true; // the close ends the connection, whose pending write then fails: drained
        slow.drain();
        assertEquals(0, budget.inFlight(), "its page given back");
        assertTrue(slow.timers.isEmpty());

        FakeSocket reader = new FakeSocket();
        new Replay(history, reader, budget, 40_000, EPOCH, 1, 100).start();
        while (reader.drain()) {
            reader.advance(1000);
        }
        assertEquals(0, reader.stalled);
        assertTrue(reader.timers.isEmpty(), "no timer left behind");
        assertEquals(seqs(1, 100), reader.written);
    }

    @Test
    void aStalledPageGivesItsBudgetBackEvenWhenItsDrainNeverComes() {
        // a SockJS fallback session closed as a slow consumer keeps its TCP connection: its write may never complete
        FakeHistory history = new FakeHistory(1, 100, 10_000);
        FakeSocket stuck = new FakeSocket();
        ReplayBudget budget = new ReplayBudget(1 << 20);
        new Replay(history, stuck, budget, 40_000, EPOCH, 1, 100).start();
        assertTrue(budget.inFlight() > 0);
        stuck.advance(Replay.STALLED_PAGE_MS);
        assertEquals(1, stuck.stalled);
        stuck.gone = true;
        assertEquals(0, budget.inFlight(), "given back at the stall, not at a drain that never comes");
    }
}
