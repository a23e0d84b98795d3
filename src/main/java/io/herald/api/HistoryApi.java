package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.event.EventRecord;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.herald.stats.NodeStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/history/{type}?since=&limit=&epoch=} for backends (API key or admin token): the kept envelopes of a
 * type after {@code since} (default 0: all that history holds), oldest first, at most {@code limit}
 * (default 100, at most 1000), with the stream's position and whether the range was complete (history
 * still held every event after {@code since}, in the given epoch).
 */
public final class HistoryApi {
    public static final String PATH = "/api/history/:type";
    static final int DEFAULT_LIMIT = 100;

    private final EventLog log;
    private final EventCatalog catalog;
    private final NodeStats stats;
    private final AdminAccess access;

    public HistoryApi(EventLog log, EventCatalog catalog, NodeStats stats, AdminAccess access) {
        this.log = log;
        this.catalog = catalog;
        this.stats = stats;
        this.access = access;
    }

    public void mount(Router router) {
        router.get(PATH).handler(access).handler(this::history);
    }

    private void history(RoutingContext ctx) {
        String type = ctx.pathParam("type");
        long since;
        int limit;
        try {
            if (!catalog.contains(type)) {
                throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + type + "'");
            }
            since = number(ctx, "since", 0, Long.MAX_VALUE - 1, 0);
            limit = (int) number(ctx, "limit", 1, EventLog.MAX_READ, DEFAULT_LIMIT);
        } catch (HeraldException e) {
            stats.refused(e.code());
            HttpResponses.error(ctx, e.code(), e.getMessage(), null);
            return;
        }
        String epoch = ctx.request().getParam("epoch");
        log.read(type, since + 1, limit).onComplete(read -> {
            if (read.failed()) {
                stats.refused(ErrorCode.UNAVAILABLE);
                HttpResponses.error(ctx, ErrorCode.UNAVAILABLE, "history is not reachable", null);
                return;
            }
            HistoryPage page = read.result();
            String streamEpoch = page.position().epoch();
            JsonArray events = new JsonArray();
            long last = since;
            for (HistoryPage.Stored stored : page.events()) {
                try {
                    events.add(EventRecord.decode(stored.record()).envelope(type, stored.seq(), streamEpoch));
                } catch (io.herald.WireVersion.Unsupported refused) {
                    stats.refused(ErrorCode.UNAVAILABLE);
                    HttpResponses.error(ctx, ErrorCode.UNAVAILABLE, "history holds " + type + " events this node cannot read ("
                            + refused.getMessage() + "); read them through a node of the newer release", null);
                    return;
                }
                last = stored.seq();
            }
            boolean complete = (epoch == null || epoch.equals(streamEpoch))
                    && since + 1 >= page.position().head() && since <= page.position().tail();
            HttpResponses.json(ctx, 200, page.position().toJson()
                    .put("type", type)
                    .put("since", since)
                    .put("complete", complete)
                    .put("next", last)
                    .put("more", last < page.position().tail())
                    .put("events", events));
        });
    }

    private static long number(RoutingContext ctx, String name, long min, long max, long fallback) {
        String value = ctx.request().getParam(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new HeraldException(ErrorCode.INVALID_PARAMETER, name + " must be a whole number from " + min + " to " + max);
    }
}
