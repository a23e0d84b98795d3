package io.herald.api;

import io.herald.HeraldException;
import io.herald.inbox.InboxReader;
import io.herald.presence.PresencePage;
import io.herald.stats.NodeStats;
import io.herald.web.HttpResponses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/inbox/{userId}?limit=&next=} for backends (API key or admin token): a page of a user's inbox, every
 * entry (a backend is not bound by the user's role), in the shape {@code herald:inbox} answers (docs/backends.md).
 */
public final class InboxApi {
    public static final String PATH = "/api/inbox/:userId";

    private final InboxReader reader;
    private final NodeStats stats;
    private final AdminAccess access;

    public InboxApi(InboxReader reader, NodeStats stats, AdminAccess access) {
        this.reader = reader;
        this.stats = stats;
        this.access = access;
    }

    public void mount(Router router) {
        router.get(PATH).handler(access).handler(this::inbox);
    }

    private void inbox(RoutingContext ctx) {
        try {
            reader.read(ctx.pathParam("userId"), ctx.request().getParam(PresencePage.LIMIT), ctx.request().getParam(PresencePage.NEXT), entry -> true)
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
