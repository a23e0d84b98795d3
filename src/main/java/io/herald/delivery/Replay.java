package io.herald.delivery;

import io.herald.event.BusEvent;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * One subscriber's recovery, streamed: the events of history after its {@code since} up to {@code until} (the
 * last one its stream had released when it registered), then the live events held back for it meanwhile, in
 * pages of about {@code pageBytes}. A page is read (and decoded) only once the one before it has left the node
 * for the subscriber's socket, and only with room in the node's {@link ReplayBudget}; so one replay holds at
 * most a page in memory, whatever the gap, and a subscriber that reads slowly gets its replay slowly instead of
 * being cut, while one that reads nothing holds one page and no more (and is closed as a slow consumer once a page
 * has waited {@value #STALLED_PAGE_MS} ms). Page sizes come from bytes: the events
 * read so far say how many make a page.
 *
 * <p>Gapless and in order: history pages must follow each other seq by seq; events the stream releases while
 * the replay runs wait in the subscriber's backlog (its stream holds them back) and are sent after history,
 * also in pages, and the subscriber joins the live members once its backlog is empty, on the same event loop,
 * so no event is missed or doubled. A history that no longer holds the gap (or a restarted stream, or a backlog
 * that overflowed) ends the history part with {@link Subscriber#incomplete()}. Touched on the subscriber's event
 * loop only (budget grants are moved there by {@link Subscriber#run}).
 */
final class Replay {
    /** Events in the first page, before their sizes are known. */
    static final int FIRST_PAGE_EVENTS = 4;
    /** A page that has not left the node after this long: its client reads nothing, and is a slow consumer. */
    static final long STALLED_PAGE_MS = 30_000;

    /** The history the replay reads. */
    interface History {
        Future<HistoryPage> read(long fromSeq, int limit);

        BusEvent decode(HistoryPage.Stored stored);

        /** The epoch the stream follows now (a restart changes it, and the replay's positions mean nothing then). */
        String epoch();
    }

    /** The subscriber replayed to. */
    interface Subscriber {
        /** Unsubscribed or closed: the replay stops, giving back what it holds. */
        boolean gone();

        /** Writes one event if the subscriber's rules accept it; answers the bytes written. */
        long write(BusEvent event);

        /** Runs {@code drained} on the subscriber's event loop once what was written to it has left the node (or its connection ended). */
        void whenDrained(Runnable drained);

        /** Runs {@code task} on the subscriber's event loop. */
        void run(Runnable task);

        /** Runs {@code task} on the subscriber's event loop after {@code ms} unless cancelled; answers the timer's id. */
        long timer(long ms, Runnable task);

        void cancelTimer(long id);

        /** A page did not leave the node in {@code ms}: the client reads nothing (closed as a slow consumer). */
        void stalled(long ms);

        /** The live events held back while it replays, oldest first; the replay takes them from the front. */
        List<BusEvent> backlog();

        /** Whether more live events came than the backlog holds (some were lost to it). */
        boolean backlogOverflowed();

        /** History cannot give the whole gap: tell the client (recovery_incomplete); the live events follow. */
        void incomplete();

        /** The replay is done, the backlog empty: the subscriber joins the live members. */
        void live(boolean complete);
    }

    private final History history;
    private final Subscriber subscriber;
    private final ReplayBudget budget;
    private final long pageBytes;
    private final String epoch;
    private final long until;
    private long from;
    private boolean complete = true;
    /** Budget bytes this replay holds now. */
    private long held;
    private long bytesRead;
    private long eventsRead;
    private long pages;

    Replay(History history, Subscriber subscriber, ReplayBudget budget, long pageBytes, String epoch, long from, long until) {
        this.history = history;
        this.subscriber = subscriber;
        this.budget = budget;
        this.pageBytes = Math.max(1, pageBytes);
        this.epoch = epoch;
        this.from = from;
        this.until = until;
    }

    void start() {
        if (from <= until) {
            historyPage();
        } else {
            backlogPage();
        }
    }

    /** No history to read: the client is told its recovery is incomplete, then gets the backlog and goes live. */
    void startIncomplete() {
        complete = false;
        subscriber.incomplete();
        backlogPage();
    }

    /** Pages sent so far (history and backlog). */
    long pages() {
        return pages;
    }

    /** How many events make the next history page: a page's bytes over the average size read so far. */
    int nextCount() {
        long left = until - from + 1;
        long count = eventsRead == 0 ? FIRST_PAGE_EVENTS : Math.max(1, pageBytes * eventsRead / Math.max(1, bytesRead));
        return (int) Math.max(1, Math.min(Math.min(count, left), EventLog.MAX_READ));
    }

    private void withBudget(Runnable then) {
        budget.acquire(pageBytes, () -> subscriber.run(() -> {
            held = pageBytes;
            if (subscriber.gone()) {
                giveBack();
                return;
            }
            then.run();
        }));
    }

    private void giveBack() {
        long bytes = held;
        held = 0;
        if (bytes > 0) {
            budget.release(bytes);
        }
    }

    /** Counts the page at its real size from now until it has drained. */
    private void hold(long bytes) {
        budget.adjust(bytes - held);
        held = bytes;
    }

    private void historyPage() {
        withBudget(() -> {
            long start = from;
            history.read(start, nextCount()).onComplete(read -> {
                if (subscriber.gone()) {
                    giveBack();
                    return;
                }
                if (read.failed() || !epoch.equals(history.epoch()) || !epoch.equals(read.result().position().epoch())
                        || read.result().position().head() > start) {
                    historyIncomplete();
                    return;
                }
                List<BusEvent> events = new ArrayList<>();
                long last = start - 1;
                long bytes = 0;
                for (HistoryPage.Stored stored : read.result().events()) {
                    if (stored.seq() > until) {
                        break;
                    }
                    if (stored.seq() != last + 1) {
                        break; // history moved on while it was read: what follows is not the gap
                    }
                    try {
                        events.add(history.decode(stored));
                    } catch (io.herald.WireVersion.Unsupported refused) {
                        break; // a record of a newer wire version than this node reads (logged): history is incomplete here
                    }
                    bytes += stored.record().length();
                    last = stored.seq();
                }
                if (events.isEmpty()) {
                    historyIncomplete();
                    return;
                }
                bytesRead += bytes;
                eventsRead += events.size();
                from = last + 1;
                send(events, bytes, from > until ? this::backlogPage : this::historyPage);
            });
        });
    }

    private void historyIncomplete() {
        giveBack();
        if (complete) {
            complete = false;
            subscriber.incomplete();
        }
        backlogPage();
    }

    /** Writes a page, holds its bytes until it has drained, then goes on. */
    private void send(List<BusEvent> events, long bytes, Runnable next) {
        hold(bytes);
        pages++;
        for (BusEvent event : events) {
            if (subscriber.gone()) {
                break;
            }
            subscriber.write(event);
        }
        long stall = subscriber.timer(STALLED_PAGE_MS, () -> {
            subscriber.stalled(STALLED_PAGE_MS);
            // a fallback transport's drain may never come (a client that stopped reading keeps its TCP connection):
            // the budget must not wait for it
            giveBack();
        });
        subscriber.whenDrained(() -> {
            subscriber.cancelTimer(stall);
            giveBack();
            if (!subscriber.gone()) {
                next.run();
            }
        });
    }

    private void backlogPage() {
        if (subscriber.gone()) {
            return;
        }
        if (complete && subscriber.backlogOverflowed()) {
            complete = false;
            subscriber.incomplete();
        }
        if (subscriber.backlog().isEmpty()) {
            subscriber.live(complete);
            return;
        }
        withBudget(() -> {
            List<BusEvent> backlog = subscriber.backlog();
            int n = 0;
            long bytes = 0;
            while (n < backlog.size() && (n == 0 || bytes + backlog.get(n).envelope().length() <= pageBytes)) {
                bytes += backlog.get(n).envelope().length();
                n++;
            }
            List<BusEvent> page = new ArrayList<>(backlog.subList(0, n));
            backlog.subList(0, n).clear();
            send(page, bytes, this::backlogPage);
        });
    }
}
