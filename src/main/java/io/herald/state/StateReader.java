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

import java.util.function.Predicate;

/**
 * A page of a keyed type's state, as {@code herald:state} and {@code GET /api/state/{type}} answer it (docs/state.md):
 * {@code {"type", "key", "entries": [<envelope>…], "seq", "epoch", "next"?, "more"}} ({@code key}: the type's key field, so
 * that a client keys its map as the hub does). {@code seq} and {@code epoch} are the
 * stream's position read before the page (and before this node's state updates in flight landed): a {@code register}
 * with that {@code since} and {@code epoch} continues the first page's snapshot with no gap. In the paging words of
 * presence and history: {@code limit} (1 to {@value PresencePage#MAX_LIMIT}, default the maximum), {@code next}, {@code more}.
 */
public final class StateReader {
    private final EventCatalog catalog;
    private final EventLog log;
    private final KeyedState state;

    public StateReader(EventCatalog catalog, EventLog log, KeyedState state) {
        this.catalog = catalog;
        this.log = log;
        this.state = state;
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

    /** One page: {@code limit} and {@code next} as the client sent them (checked here), the entries {@code readable} accepts. */
    public Future<JsonObject> read(String type, Object limit, Object next, Predicate<StateEntry> readable) {
        checkKeyed(type);
        int pageLimit = PresencePage.of(limit, null).limit();
        StateCursor after = StateCursor.parse(next);
        return log.position(type).compose(position -> state.settled(type)
                .compose(settled -> state.page(type, after, pageLimit, readable))
                .map(page -> {
                    JsonArray entries = new JsonArray();
                    page.entries().forEach(entry -> entries.add(new JsonObject(entry.envelope())));
                    JsonObject reply = new JsonObject()
                            .put("type", type)
                            .put("key", catalog.state(type).key())
                            .put("entries", entries)
                            .put("seq", position.tail())
                            .put("epoch", position.epoch());
                    if (page.next() != null) {
                        reply.put(PresencePage.NEXT, page.next().text());
                    }
                    return reply.put(PresencePage.MORE, page.more());
                }))
                .recover(err -> Future.failedFuture(err instanceof HeraldException refused ? refused
                        : new HeraldException(ErrorCode.UNAVAILABLE, "the state of " + type + " cannot be read now")));
    }
}
