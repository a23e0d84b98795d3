package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.auth.Principal;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write window with a fake event loop (its clock moved by hand) and fake sockets that count their writes. */
class WriteCoalescerTest {

    /** A fake event loop: tasks queued behind the current turn, timers on a clock moved by hand. */
    static final class FakeLoop implements WriteCoalescer.Loop {
        long now;
        final List<Runnable> soon = new ArrayList<>();
        final List<long[]> timerDue = new ArrayList<>();
        final List<Runnable> timers = new ArrayList<>();
        int timersSet;

        @Override
        public void runSoon(Runnable task) {
            soon.add(task);
        }

        @Override
        public void runAfter(long delayMs, Runnable task) {
            timersSet++;
            timerDue.add(new long[] {now + delayMs});
            timers.add(task);
        }

        @Override
        public long nanoTime() {
            return now * 1_000_000;
        }

        /** Ends the current turn: runs what was queued behind it. */
        void endTurn() {
            List<Runnable> tasks = new ArrayList<>(soon);
            soon.clear();
            tasks.forEach(Runnable::run);
        }

        void advance(long ms) {
            now += ms;
            for (int i = 0; i < timers.size(); ) {
                if (timerDue.get(i)[0] <= now) {
                    Runnable task = timers.remove(i);
                    timerDue.remove(i);
                    task.run();
                } else {
                    i++;
                }
            }
        }
    }

    /**
     * A socket that holds what it is given until flushed (as the SockJS-framed WebSocket does with a window), then
     * makes it one write; what it holds and what the client has not read count against its bound.
     */
    static final class FakeSocket extends DeliveryFakes.QuietSocket {
        final int bound;
        final List<String> held = new ArrayList<>();
        final List<List<String>> writes = new ArrayList<>();
        final List<String> sent = new ArrayList<>();
        long heldBytes;
        long unread;
        boolean reads = true;
        boolean aborted;
        int flushes;

        FakeSocket(int bound) {
            this.bound = bound;
        }

        /** Whether each event came alone, as the coalescer told. */
        final List<Boolean> alone = new ArrayList<>();

        @Override
        public boolean deliver(SharedFrame frame, boolean cameAlone) {
            alone.add(cameAlone);
            return deliver(frame);
        }

        @Override
        public boolean deliver(SharedFrame frame) {
            boolean first = held.isEmpty();
            held.add(frame.text());
            heldBytes += frame.bytes();
            return first;
        }

        @Override
        public void flush() {
            flushes++;
            if (held.isEmpty()) {
                return;
            }
            writes.add(new ArrayList<>(held));
            if (!reads) {
                unread += heldBytes;
            }
            held.clear();
            heldBytes = 0;
        }

        @Override
        public boolean overloaded() {
            return heldBytes + unread > bound;
        }

        @Override
        public void send(String frameJson) {
            flush();
            sent.add(frameJson);
        }

        @Override
        public void abort() {
            aborted = true;
            held.clear();
            heldBytes = 0;
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public String transport() {
            return "fake";
        }
    }

    static Connection connection(FakeSocket socket) {
        return new Connection(socket, new Principal("u-1", "admin", null, Set.of()));
    }

    static SharedFrame frame(int seq) {
        return new SharedFrame(BridgeFrames.rec("order:created", "{\"seq\":" + seq + ",\"data\":\"" + "x".repeat(40) + "\"}"));
    }

    @Test
    void eventsWithinTheWindowLeaveInOneWritePerSocketFlushedByOneTimer() {
        FakeLoop loop = new FakeLoop();
        WriteCoalescer writes = new WriteCoalescer(loop, 5);
        FakeSocket a = new FakeSocket(1 << 20);
        FakeSocket b = new FakeSocket(1 << 20);
        Connection ca = connection(a);
        Connection cb = connection(b);
        for (int seq = 1; seq <= 3; seq++) {
            SharedFrame frame = frame(seq);
            assertTrue(writes.write(ca, frame));
            assertTrue(writes.write(cb, frame));
            loop.endTurn();
            loop.advance(1);
        }
        assertEquals(1, loop.timersSet, "one timer for the loop, not one per socket or per event");
        assertTrue(a.writes.isEmpty(), "nothing leaves before the window ends");
        loop.advance(2);
        assertEquals(1, a.writes.size());
        assertEquals(1, b.writes.size());
        assertEquals(List.of(1L, 2L, 3L), a.writes.get(0).stream().map(WriteCoalescerTest::seq).toList());
        assertEquals(a.writes, b.writes);
        assertEquals(0, writes.holding());

        // the next event opens a new window with its own timer
        writes.write(ca, frame(4));
        assertEquals(2, loop.timersSet);
        loop.advance(5);
        assertEquals(2, a.writes.size());
        assertEquals(List.of(4L), a.writes.get(1).stream().map(WriteCoalescerTest::seq).toList());
    }

    @Test
    void windowZeroWritesEachEventAtTheEndOfItsTurnWithoutTimers() {
        FakeLoop loop = new FakeLoop();
        WriteCoalescer writes = new WriteCoalescer(loop, 0);
        FakeSocket a = new FakeSocket(1 << 20);
        Connection ca = connection(a);
        for (int seq = 1; seq <= 3; seq++) {
            writes.write(ca, frame(seq));
            loop.endTurn();
        }
        assertEquals(0, loop.timersSet);
        assertEquals(3, a.writes.size(), "a write per event");
        assertEquals(List.of(List.of(1L), List.of(2L), List.of(3L)),
                a.writes.stream().map(w -> w.stream().map(WriteCoalescerTest::seq).toList()).toList());
    }

    @Test
    void anEventAfterAPauseComesAloneOneRightBehindAnotherDoesNotAndAWindowNeverLetsOneGoAlone() {
        FakeLoop loop = new FakeLoop();
        WriteCoalescer writes = new WriteCoalescer(loop, 0);
        FakeSocket a = new FakeSocket(1 << 20);
        List<Boolean> alone = a.alone;
        Connection ca = connection(a);
        long step = WriteCoalescer.ALONE_AFTER_NANOS / 1_000_000;
        for (long afterMs : new long[] {0, step, step - 1, 1, step}) {
            loop.advance(afterMs);
            writes.startEvent();
            writes.write(ca, frame(alone.size() + 1));
            loop.endTurn();
        }
        assertEquals(List.of(true, true, false, false, true), alone);

        FakeLoop windowed = new FakeLoop();
        WriteCoalescer withWindow = new WriteCoalescer(windowed, 5);
        alone.clear();
        windowed.advance(step * 10);
        withWindow.startEvent();
        withWindow.write(ca, frame(9));
        assertEquals(List.of(false), alone);
    }

    @Test
    void heldBytesCountAgainstTheBoundAndAConsumerThatReadsNothingIsCut() {
        FakeLoop loop = new FakeLoop();
        WriteCoalescer writes = new WriteCoalescer(loop, 1000);
        int frameBytes = frame(1).bytes();
        FakeSocket reader = new FakeSocket(frameBytes * 3);
        FakeSocket stalled = new FakeSocket(frameBytes * 3);
        stalled.reads = false;
        Connection cr = connection(reader);
        Connection cs = connection(stalled);
        for (int seq = 1; seq <= 10; seq++) {
            SharedFrame frame = frame(seq);
            writes.write(cr, frame);
            writes.write(cs, frame);
        }
        // the reader went over its bound with what the window held: it was flushed early, never cut
        assertNull(cr.closedFor());
        assertTrue(reader.writes.size() >= 2, "flushed before the window ended, as the bound was reached");
        loop.advance(1000);
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 10).boxed().toList(),
                reader.writes.stream().flatMap(List::stream).map(WriteCoalescerTest::seq).toList(), "every event once, in order");
        // the one that reads nothing was flushed too, then cut as a slow consumer: nothing more is held for it
        assertEquals(CloseReason.SLOW_CONSUMER, cs.closedFor());
        assertTrue(stalled.aborted);
        assertTrue(stalled.held.isEmpty());
        long written = stalled.writes.stream().mapToLong(List::size).sum();
        assertTrue(written <= 4, "no more than the bound (and the frame that crossed it) was written: " + written);
        assertFalse(writes.write(cs, frame(11)), "a closed connection is not written to");
    }

    @Test
    void aConnectionClosedWithinTheWindowSendsWhatItHeldFirstAndGetsNothingAfter() {
        FakeLoop loop = new FakeLoop();
        WriteCoalescer writes = new WriteCoalescer(loop, 50);
        FakeSocket a = new FakeSocket(1 << 20);
        Connection ca = connection(a);
        writes.write(ca, frame(1));
        writes.write(ca, frame(2));
        ca.close(CloseReason.TOKEN_EXPIRED, "expired");
        // the closing err frame goes after the events held before it
        assertEquals(1, a.writes.size());
        assertEquals(List.of(1L, 2L), a.writes.get(0).stream().map(WriteCoalescerTest::seq).toList());
        assertEquals(1, a.sent.size());
        assertFalse(writes.write(ca, frame(3)));
        loop.advance(50); // the loop's timer still flushes the socket it remembered: nothing more goes out
        assertEquals(1, a.writes.size());
    }

    static long seq(String recFrame) {
        return new io.vertx.core.json.JsonObject(recFrame).getJsonObject("body").getLong("seq");
    }
}
