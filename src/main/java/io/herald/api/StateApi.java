package io.herald.api;

import io.herald.HeraldException;
import io.herald.presence.PresencePage;
import io.herald.state.StateReader;
import io.herald.stats.NodeStats;
import io.herald.web.HttpResponses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/state/{type}?limit=&next=} for backends (API key or admin token): a page of a keyed type's state, every
 * entry, in the shape {@code herald:state} answers (docs/state.md).
 */
public final class StateApi {
    public static final String PATH = "/api/state/:type";

    private final StateReader reader;
    private final NodeStats stats;
    private final AdminAccess access;

    public StateApi(StateReader reader, NodeStats stats, AdminAccess access) {
        this.reader = reader;
        this.stats = stats;
        this.access = access;
    }

    public void mount(Router router) {
        router.get(PATH).handler(access).handler(this::state);
    }

    private void state(RoutingContext ctx) {
        String type = ctx.pathParam("type");
        try {
            reader.read(type, ctx.request().getParam(PresencePage.LIMIT), ctx.request().getParam(PresencePage.NEXT), entry -> true)
                    .onSuccess(page -> HttpResponses.json(ctx, 200, page))
                    .onFailure(err -> refuse(ctx, HeraldException.from(err)));
        } catch (HeraldException refused) {
            refuse(ctx, refused);
        }
    }

    private void refuse(RoutingContext ctx, HeraldException refused) {
        stats.refused(refused.code());
        HttpResponses.error(ctx, refused.code(), refused.getMessage(), null);
    }
}
