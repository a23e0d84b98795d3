package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.presence.PresencePage;
import io.herald.presence.RoomRules;
import io.herald.stats.NodeStats;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/presence} (API key or admin token): everyone online in the cluster, per user their role,
 * connections, nodes and since when; {@code GET /api/presence?room=<name>}: the room's members. Answered
 * from this node's view of presence, which trails the cluster by at most {@code presence.flushMs} plus the
 * bus's latency. Paged as history is: {@code limit} (default and maximum 500) users or members after {@code next}
 * (the {@code next} of the page before), with the totals and {@code more} on every page.
 */
public final class PresenceApi {
    public static final String PATH = "/api/presence";

    private final EventBus bus;
    private final NodeStats stats;
    private final AdminAccess access;

    public PresenceApi(EventBus bus, NodeStats stats, AdminAccess access) {
        this.bus = bus;
        this.stats = stats;
        this.access = access;
    }

    public void mount(Router router) {
        router.get(PATH).handler(access).handler(this::presence);
    }

    private void presence(RoutingContext ctx) {
        String room = ctx.request().getParam("room");
        if (room != null && (room.isEmpty() || room.length() > RoomRules.MAX_ROOM_LENGTH)) {
            stats.refused(ErrorCode.INVALID_PARAMETER);
            HttpResponses.error(ctx, ErrorCode.INVALID_PARAMETER, "room must be a room name of 1 to " + RoomRules.MAX_ROOM_LENGTH + " characters", null);
            return;
        }
        PresencePage page;
        try {
            page = PresencePage.of(ctx.request().getParam(PresencePage.LIMIT), ctx.request().getParam(PresencePage.NEXT));
        } catch (HeraldException e) {
            stats.refused(e.code());
            HttpResponses.error(ctx, e.code(), e.getMessage(), null);
            return;
        }
        bus.<JsonObject>request(Addresses.PRESENCE_QUERY, page.into(room == null ? new JsonObject() : new JsonObject().put("room", room)))
                .onSuccess(reply -> HttpResponses.json(ctx, 200, reply.body()))
                .onFailure(err -> {
                    stats.refused(ErrorCode.UNAVAILABLE);
                    HttpResponses.error(ctx, ErrorCode.UNAVAILABLE, "presence is off or not reachable on this node", null);
                });
    }
}
