package io.herald.state;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.history.EventLog;
import io.herald.history.KeyedState;
import io.herald.history.StateCursor;
import io.herald.history.StateEntry;
import io.herald.presence.PresencePage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Predicate;

/**
 * A page of a keyed type's state, as {@code herald:state} and {@code GET /api/state/{type}} answer it (docs/state.md):
 * {@code {"type", "key", "entries": [<envelope>…], "seq", "epoch", "next"?, "more"}} ({@code key}: the type's key field, so
 * that a client keys its map as the hub does). {@code seq} and {@code epoch} are the stream's position read before the
 * page (the first page's less the last second of events: {@link #settledSeq}): a {@code register} with the first page's
 * {@code since} and {@code epoch} continues its snapshot with no gap. In the paging words of
 * presence and history: {@code limit} (1 to {@value PresencePage#MAX_LIMIT}, default the maximum), {@code next}, {@code more}.
 */
public final class StateReader {
    private final EventCatalog catalog;
    private final EventLog log;
    private final KeyedState state;
    private final java.util.function.LongSupplier clock;
    /** How recent an event is for its state update to be possibly still travelling from another node. */
    static final long SETTLE_MS = 1000;
    /** The most events a first page's {@code seq} goes back. */
    static final int LOOKBACK = 1000;

    public StateReader(EventCatalog catalog, EventLog log, KeyedState state) {
        this(catalog, log, state, System::currentTimeMillis);
    }

    public StateReader(EventCatalog catalog, EventLog log, KeyedState state, java.util.function.LongSupplier clock) {
        this.catalog = catalog;
        this.log = log;
        this.state = state;
        this.clock = clock;
    }

    /** Where the state is kept (the publisher updates it). */
    public KeyedState state() {
        return state;
    }

    /** Refuses a type that is not in the catalog ({@code unknown_event_type}) or keeps no state ({@code not_found}). */
    public void checkKeyed(String type) {
        if (!catalog.contains(type)) {
            throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + type + "'");
        }
        if (catalog.state(type) == null) {
            throw new HeraldException(ErrorCode.NOT_FOUND, type + " keeps no state (catalog options: state)");
        }
    }

    /**
     * The first page's {@code seq}: the stream's tail, less the events published in the last {@value #SETTLE_MS} ms (at
     * most {@value #LOOKBACK} of them, and never before history's head). This node waits for its own state updates in
     * flight before it reads a page, but an update from another node lands a few milliseconds after that node's append:
     * an event that recent may be at or below the tail and not yet in the state. A {@code since} this much earlier
     * replays them; the client drops those an entry already reflects (their seq is not above the entry's).
     */
    private Future<Long> settledSeq(String type, io.herald.history.StreamPosition position) {
        long from = Math.max(position.head(), position.tail() - LOOKBACK + 1);
        if (from > position.tail()) {
            return Future.succeededFuture(position.tail());
        }
        long cutoff = clock.getAsLong() - SETTLE_MS;
        return log.read(type, from, LOOKBACK).map(page -> {
            // newest first, stopping a second before the cutoff (nodes' clocks agree within it): a page costs the decoding of
            // the last two seconds' events, not of a thousand, on the event loop
            List<io.herald.history.HistoryPage.Stored> events = page.events();
            long settled = position.tail();
            for (int i = events.size() - 1; i >= 0; i--) {
                io.herald.history.HistoryPage.Stored stored = events.get(i);
                if (stored.seq() > position.tail()) {
                    continue;
                }
                long ts = io.herald.event.EventRecord.decode(stored.record()).ts();
                if (ts > cutoff) {
                    settled = stored.seq() - 1;
                } else if (ts <= cutoff - SETTLE_MS) {
                    break;
                }
            }
            return settled;
        }).recover(err -> Future.succeededFuture(from - 1));
    }

    /** One page: {@code limit} and {@code next} as the client sent them (checked here), the entries {@code readable} accepts. */
    public Future<JsonObject> read(String type, Object limit, Object next, Predicate<StateEntry> readable) {
        checkKeyed(type);
        int pageLimit = PresencePage.of(limit, null).limit();
        StateCursor after = StateCursor.parse(next);
        return log.position(type).compose(position -> (after.equals(StateCursor.START) ? settledSeq(type, position)
                        : Future.succeededFuture(position.tail()))
                .compose(seq -> state.settled(type)
                .compose(settled -> state.page(type, after, pageLimit, readable))
                .map(page -> {
                    JsonArray entries = new JsonArray();
                    page.entries().forEach(entry -> entries.add(new JsonObject(entry.envelope())));
                    JsonObject reply = new JsonObject()
                            .put("type", type)
                            .put("key", catalog.state(type).key())
                            .put("entries", entries)
                            .put("seq", seq)
                            .put("epoch", position.epoch());
                    if (page.next() != null) {
                        reply.put(PresencePage.NEXT, page.next().text());
                    }
                    return reply.put(PresencePage.MORE, page.more());
                })))
                .recover(err -> Future.failedFuture(err instanceof HeraldException refused ? refused
                        : new HeraldException(ErrorCode.UNAVAILABLE, "the state of " + type + " cannot be read now")));
    }
}
