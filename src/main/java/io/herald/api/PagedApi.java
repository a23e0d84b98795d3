package io.herald.api;

import io.herald.HeraldException;
import io.herald.presence.PresencePage;
import io.herald.stats.NodeStats;
import io.herald.web.HttpResponses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A paged {@code GET} for backends behind {@link AdminAccess} (API key or admin token): {@code ?limit=&next=} and one
 * path parameter handed to a reader, its page answered 200 as JSON; a refusal (thrown or failed) answered with its code
 * and counted. {@code GET /api/state/{type}} and {@code GET /api/inbox/{userId}} are two of these.
 */
final class PagedApi {
    /** Reads one page: {@code key} the path parameter, {@code limit} and {@code next} as the request gave them (unchecked). */
    interface Reader {
        Future<JsonObject> read(String key, String limit, String next);
    }

    private PagedApi() {
    }

    /** Mounts {@code path} (holding {@code :param}) on {@code router}. */
    static void mount(Router router, String path, String param, AdminAccess access, NodeStats stats, Reader reader) {
        router.get(path).handler(access).handler(ctx -> {
            try {
                reader.read(ctx.pathParam(param), ctx.request().getParam(PresencePage.LIMIT), ctx.request().getParam(PresencePage.NEXT))
                        .onSuccess(page -> HttpResponses.json(ctx, 200, page))
                        .onFailure(err -> refuse(ctx, stats, HeraldException.from(err)));
            } catch (HeraldException refused) {
                refuse(ctx, stats, refused);
            }
        });
    }

    private static void refuse(RoutingContext ctx, NodeStats stats, HeraldException refused) {
        stats.refused(refused.code());
        HttpResponses.error(ctx, refused.code(), refused.getMessage(), null);
    }
}
