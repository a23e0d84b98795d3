package io.herald.api;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.stats.NodeStats;
import io.herald.web.HttpResponses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /api/webhooks} (API key or admin token): each configured webhook (never its secret) with its position per
 * event type, lag, last error and gaps, as kept in the cluster, so any node answers the same (see docs/webhooks.md).
 */
public final class WebhooksApi {
    public static final String PATH = "/api/webhooks";

    private final EventBus bus;
    private final NodeStats stats;
    private final AdminAccess access;

    public WebhooksApi(EventBus bus, NodeStats stats, AdminAccess access) {
        this.bus = bus;
        this.stats = stats;
        this.access = access;
    }

    public void mount(Router router) {
        router.get(PATH).handler(access).handler(ctx -> bus.<JsonObject>request(Addresses.WEBHOOKS_STATUS, null)
                .onSuccess(reply -> HttpResponses.json(ctx, 200, reply.body()))
                .onFailure(err -> {
                    stats.refused(ErrorCode.UNAVAILABLE);
                    HttpResponses.error(ctx, ErrorCode.UNAVAILABLE, "the webhooks' state is not reachable from this node", null);
                }));
    }
}
