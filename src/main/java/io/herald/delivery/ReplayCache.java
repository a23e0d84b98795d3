package io.herald.delivery;

import io.herald.event.BusEvent;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.herald.history.StreamPosition;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * One stream's history as its concurrent replays read it (a reconnect storm: thousands of clients of a dead node
 * resume the same type from nearly the same {@code since} within a second). Without it each {@link Replay} read the
 * same seqs from history, decoded each record into an envelope and encoded each {@code rec} frame for itself; with
 * it a run of seqs is read from history once, each record decoded once and each frame encoded once
 * ({@link SharedFrame}, written to every replaying socket as live events are), however many replays want them.
 *
 * <ul>
 * <li>It holds one run of consecutive seqs of one epoch, at most {@code maxBytes} of records (the oldest seqs go
 * first); an entry's envelope and frame are made when a replay first needs them.</li>
 * <li>A read that the run covers is answered at once; one that a read already on its way to history covers waits for
 * that read; any other goes to history, for the rest of the asking replay's gap as far as the byte bound allows (never
 * past that replay's {@code until}: what a replay may deliver, the stream has released).</li>
 * <li>It holds nothing once no replay runs ({@link #clear}, called by the stream); a read that was on its way when it
 * was cleared still answers its replays, and keeps nothing.</li>
 * </ul>
 * What it answers is what history answered (the same records, position and failures), so a replay decides as before
 * whether its gap is whole. Touched on its stream's event loop only.
 */
final class ReplayCache {
    /** Where records come from and what they become. */
    interface Source {
        Future<HistoryPage> read(long fromSeq, int limit);

        BusEvent decode(HistoryPage.Stored stored);

        /** The {@code rec} frame's text for an event. */
        String frameText(BusEvent event);
    }

    private static final class Entry {
        final HistoryPage.Stored stored;
        BusEvent event;
        SharedFrame frame;

        Entry(HistoryPage.Stored stored) {
            this.stored = stored;
        }
    }

    private record Waiter(long from, int limit, long until, Promise<HistoryPage> answer) {
    }

    private static final class Pending {
        final String epoch;
        final long from;
        final long end;
        final long generation;
        final List<Waiter> waiters = new ArrayList<>();

        Pending(String epoch, long from, long end, long generation) {
            this.epoch = epoch;
            this.from = from;
            this.end = end;
            this.generation = generation;
        }
    }

    private final Source source;
    private final long maxBytes;
    /** The epoch of what it holds (null: nothing). */
    private String epoch;
    /** The seq of {@code entries.get(0)}. */
    private long lo;
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long bytes;
    private long recordBytesSeen;
    private long recordsSeen;
    private final List<Pending> pending = new ArrayList<>();
    private long generation;
    private long historyReads;

    ReplayCache(Source source, long maxBytes) {
        this.source = source;
        this.maxBytes = Math.max(1, maxBytes);
    }

    /**
     * Up to {@code limit} events of {@code epoch} from {@code from} on, none after {@code until}: from the run it holds,
     * from a read on its way, or from history.
     */
    Future<HistoryPage> read(String epoch, long from, int limit, long until) {
        HistoryPage held = fromRun(epoch, from, limit, until);
        if (held != null) {
            return Future.succeededFuture(held);
        }
        Promise<HistoryPage> answer = Promise.promise();
        Waiter waiter = new Waiter(from, limit, until, answer);
        for (Pending p : pending) {
            if (p.epoch.equals(epoch) && p.from <= from && from <= p.end) {
                p.waiters.add(waiter);
                return answer.future();
            }
        }
        long left = Math.max(1, until - from + 1);
        long byBytes = recordsSeen == 0 ? limit : Math.max(limit, maxBytes * recordsSeen / Math.max(1, recordBytesSeen));
        int count = (int) Math.max(1, Math.min(Math.min(left, byBytes), EventLog.MAX_READ));
        Pending p = new Pending(epoch, from, from + count - 1, generation);
        p.waiters.add(waiter);
        pending.add(p);
        historyReads++;
        source.read(from, count).onComplete(read -> done(p, read));
        return answer.future();
    }

    private void done(Pending p, AsyncResult<HistoryPage> read) {
        pending.remove(p);
        if (read.succeeded() && p.generation == generation) {
            keep(p.epoch, p.from, read.result());
        }
        for (Waiter w : p.waiters) {
            if (read.failed()) {
                w.answer().fail(read.cause());
                continue;
            }
            HistoryPage page = read.result();
            HistoryPage slice = slice(page, w.from(), w.limit(), w.until());
            if (slice.events().isEmpty() && w.from() > p.from && page.position().epoch().equals(p.epoch)
                    && page.position().head() <= w.from()) {
                // history answered less than was asked (its own bound on one read): this replay's seqs were not in it
                read(p.epoch, w.from(), w.limit(), w.until()).onComplete(w.answer());
            } else {
                w.answer().complete(slice);
            }
        }
    }

    /** What a page holds for one replay: its seqs from {@code from}, at most {@code limit}, none after {@code until}. */
    private static HistoryPage slice(HistoryPage page, long from, int limit, long until) {
        List<HistoryPage.Stored> events = new ArrayList<>();
        for (HistoryPage.Stored stored : page.events()) {
            if (stored.seq() < from) {
                continue;
            }
            if (stored.seq() > until || events.size() >= limit) {
                break;
            }
            events.add(stored);
        }
        return new HistoryPage(page.position(), events);
    }

    /** The answer from the run it holds, or null when the run does not hold {@code from}. */
    private HistoryPage fromRun(String epoch, long from, int limit, long until) {
        if (!epoch.equals(this.epoch) || from < lo || from >= lo + entries.size()) {
            return null;
        }
        List<HistoryPage.Stored> events = new ArrayList<>();
        for (int i = (int) (from - lo); i < entries.size() && events.size() < limit && lo + i <= until; i++) {
            events.add(entries.get(i).stored);
        }
        return new HistoryPage(new StreamPosition(epoch, lo, lo + entries.size() - 1), events);
    }

    /** Keeps what history answered from {@code from} on: consecutive seqs of the epoch asked for, joined to the run. */
    private void keep(String epoch, long from, HistoryPage page) {
        if (!page.position().epoch().equals(epoch)) {
            return;
        }
        List<HistoryPage.Stored> run = new ArrayList<>();
        long expect = from;
        for (HistoryPage.Stored stored : page.events()) {
            if (stored.seq() < expect) {
                continue;
            }
            if (stored.seq() != expect) {
                break;
            }
            run.add(stored);
            expect++;
        }
        if (run.isEmpty()) {
            return;
        }
        long hi = lo + entries.size() - 1;
        if (!epoch.equals(this.epoch) || entries.isEmpty() || from > hi + 1 || from < lo) {
            drop();
            this.epoch = epoch;
            lo = from;
        }
        long next = lo + entries.size();
        for (HistoryPage.Stored stored : run) {
            if (stored.seq() != next) {
                continue; // held already
            }
            entries.add(new Entry(stored));
            bytes += stored.record().length();
            recordBytesSeen += stored.record().length();
            recordsSeen++;
            next++;
        }
        int evict = 0;
        while (bytes > maxBytes && entries.size() - evict > 1) {
            Entry gone = entries.get(evict++);
            bytes -= gone.stored.record().length();
            release(gone);
        }
        if (evict > 0) {
            entries.subList(0, evict).clear();
            lo += evict;
        }
    }

    private Entry entry(long seq) {
        return epoch == null || seq < lo || seq >= lo + entries.size() ? null : entries.get((int) (seq - lo));
    }

    /** The event of a record this cache answered, decoded once for every replay; any other record decoded as is. */
    BusEvent decode(HistoryPage.Stored stored) {
        Entry entry = entry(stored.seq());
        if (entry == null || entry.stored != stored) {
            return source.decode(stored);
        }
        if (entry.event == null) {
            entry.event = source.decode(stored);
        }
        return entry.event;
    }

    /** The frame shared by every replay writing this event, or null when the event is not one it holds. */
    SharedFrame frame(BusEvent event) {
        Entry entry = entry(event.seq());
        if (entry == null || entry.event != event) {
            return null;
        }
        if (entry.frame == null) {
            entry.frame = new SharedFrame(source.frameText(event));
        }
        return entry.frame;
    }

    /** Holds nothing (no replay runs, or the stream changed epoch); reads on their way answer and keep nothing. */
    void clear() {
        generation++;
        drop();
    }

    private void drop() {
        entries.forEach(ReplayCache::release);
        entries.clear();
        bytes = 0;
        epoch = null;
        lo = 0;
    }

    private static void release(Entry entry) {
        if (entry.frame != null) {
            entry.frame.release();
            entry.frame = null;
        }
    }

    /** Events it holds now. */
    int size() {
        return entries.size();
    }

    /** Record bytes it holds now. */
    long bytes() {
        return bytes;
    }

    /** Reads it sent to history so far. */
    long historyReads() {
        return historyReads;
    }
}
