package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.Counters;
import io.herald.ErrorCode;
import io.herald.event.BusEvent;
import io.herald.event.EventBatch;
import io.herald.event.EventBatchCodec;
import io.herald.event.EventRecord;
import io.herald.history.LocalEventLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Fakes for delivery's unit tests: a clock moved by hand, sockets that record, counters that count. */
final class DeliveryFakes {
    private DeliveryFakes() {
    }

    /** A local Vert.x whose event bus carries delivery's batches, as the node registers them. */
    static Vertx busVertx() {
        Vertx vertx = Vertx.vertx();
        vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec());
        return vertx;
    }

    /** Runs {@code action} on {@code context} (the stream's event loop, as the bridge does) and waits for the future it returns. */
    static <T> T onContext(Context context, Supplier<Future<T>> action) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> action.get().onComplete(done));
        return done.future().await();
    }

    /** Appends {@code count} events ({@code {"i": i}}) to history as a publisher would, without telling the bus. */
    static List<BusEvent> appended(LocalEventLog log, String type, int count) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(EventRecord.encode("id-" + i, 1L, new JsonObject().put("i", i).encode(), null, null, null));
        }
        return appended(log, type, records, null);
    }

    /** Appends these records to history as a publisher would, without telling the bus; answers them as the bus would bring them. */
    static List<BusEvent> appended(LocalEventLog log, String type, List<String> records, String keyField) {
        var appended = log.append(type, records).await();
        List<BusEvent> events = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            events.add(EventRecord.decode(records.get(i)).toBusEvent(type, appended.firstSeq() + i, appended.epoch(), keyField));
        }
        return events;
    }

    /** Timers on a clock that moves only when {@link #advance} is called (on the stream's event loop). */
    static final class ManualTimers implements Timers {
        private record Task(long id, long due, long period, Runnable run) {
        }

        private final List<Task> tasks = new ArrayList<>();
        private long now;
        private long nextId = 1;

        @Override
        public long setTimer(long delayMs, Runnable task) {
            long id = nextId++;
            tasks.add(new Task(id, now + delayMs, 0, task));
            return id;
        }

        @Override
        public long setPeriodic(long periodMs, Runnable task) {
            long id = nextId++;
            tasks.add(new Task(id, now + periodMs, periodMs, task));
            return id;
        }

        @Override
        public void cancelTimer(long id) {
            tasks.removeIf(task -> task.id() == id);
        }

        /** One-shot timers set and not yet run or cancelled (holds, lingers, replay waits). */
        long pendingOneShots() {
            return tasks.stream().filter(task -> task.period() == 0).count();
        }

        /** Moves the clock by {@code ms}, running each task that comes due, in order of its time. */
        void advance(long ms) {
            long until = now + ms;
            while (true) {
                Task first = tasks.stream().filter(task -> task.due() <= until).min(Comparator.comparingLong(Task::due)).orElse(null);
                if (first == null) {
                    break;
                }
                tasks.remove(first);
                now = first.due();
                if (first.period() > 0) {
                    tasks.add(new Task(first.id(), now + first.period(), first.period(), first.run()));
                }
                first.run().run();
            }
            now = until;
        }

        long now() {
            return now;
        }
    }

    /**
     * The parts of a {@link ClientSocket} that delivery's fakes leave quiet: the raw WebSocket's URI, no headers,
     * loopback, and pause/resume/handlers that do nothing. Each fake writes only what it records.
     */
    abstract static class QuietSocket implements ClientSocket {
        @Override
        public String uri() {
            return "/eventbus/websocket";
        }

        @Override
        public MultiMap headers() {
            return MultiMap.caseInsensitiveMultiMap();
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void frameHandler(Handler<String> handler) {
        }

        @Override
        public void closeHandler(Handler<Void> handler) {
        }
    }

    /** A socket that records what is written to it, and can be made slow, failing or never drained. */
    static final class FakeSocket extends QuietSocket {
        final List<SharedFrame> delivered = new CopyOnWriteArrayList<>();
        final List<JsonObject> sent = new CopyOnWriteArrayList<>();
        final List<Runnable> drainWaiters = new CopyOnWriteArrayList<>();
        /** Whether more than the outbound bound waits; asked before each event. */
        BooleanSupplier overloaded = () -> false;
        /** Whether the transport holds frames until a flush (deliver then answers true the first time since the last flush). */
        boolean holds;
        private boolean holding;
        boolean failsOnDeliver;
        /** False: whenDrained never calls back (a client that stopped reading). */
        boolean drains = true;
        int flushes;
        Integer closedWith;
        boolean aborted;

        /** Events received, as their seq, from frames delivered or sent. */
        List<Long> seqs() {
            List<Long> seqs = new ArrayList<>();
            delivered.forEach(frame -> seqs.add(new JsonObject(frame.text()).getJsonObject("body").getLong("seq", -1L)));
            return seqs;
        }

        boolean closed() {
            return aborted || closedWith != null;
        }

        @Override
        public boolean deliver(SharedFrame frame) {
            if (failsOnDeliver) {
                throw new IllegalStateException("the socket broke");
            }
            delivered.add(frame);
            boolean first = holds && !holding;
            holding = holds;
            return first;
        }

        @Override
        public void flush() {
            flushes++;
            holding = false;
        }

        @Override
        public void whenDrained(Runnable drained) {
            if (drains) {
                drained.run();
            } else {
                drainWaiters.add(drained);
            }
        }

        @Override
        public void send(String frameJson) {
            sent.add(new JsonObject(frameJson));
        }

        @Override
        public boolean overloaded() {
            return overloaded.getAsBoolean();
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public void abort() {
            aborted = true;
        }

        @Override
        public String transport() {
            return "fake";
        }
    }

    /** Counters that count what delivery tells them, without the stats package. */
    static final class CountingCounters implements Counters {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong framesOut = new AtomicLong();
        final AtomicLong busBatches = new AtomicLong();
        final AtomicLong gapFilled = new AtomicLong();
        final AtomicLong gapLost = new AtomicLong();
        final AtomicLong recoveredComplete = new AtomicLong();
        final AtomicLong recoveredIncomplete = new AtomicLong();
        final List<CloseReason> closed = new CopyOnWriteArrayList<>();

        @Override
        public void connectionOpened(String role, boolean anonymousRole, String transport) {
        }

        @Override
        public void connectionClosed(String role, boolean anonymousRole, String transport) {
        }

        @Override
        public void connectionRoleChanged(String from, String to) {
        }

        @Override
        public void subscribed(String type, String namespace, int delta) {
        }

        @Override
        public void namespaceReaders(String namespace, int delta) {
        }

        @Override
        public void frameIn(int bytes) {
        }

        @Override
        public void framesOut(int frames, long bytes) {
            framesOut.addAndGet(frames);
        }

        @Override
        public void published(String type, int count) {
        }

        @Override
        public void appended(int events) {
        }

        @Override
        public void busBatch(int events) {
            busBatches.incrementAndGet();
        }

        @Override
        public void deliveryLatency(long millis) {
        }

        @Override
        public void rawEventRejected() {
        }

        @Override
        public void recovered(boolean complete) {
            (complete ? recoveredComplete : recoveredIncomplete).incrementAndGet();
        }

        @Override
        public void gapFilled(long count) {
            gapFilled.addAndGet(count);
        }

        @Override
        public void gapLost(long count) {
            gapLost.addAndGet(count);
        }

        @Override
        public void delivered(int count) {
            delivered.addAndGet(count);
        }

        @Override
        public void closed(CloseReason reason) {
            closed.add(reason);
        }

        @Override
        public void refused(ErrorCode code) {
        }
    }
}
