package io.herald.api;

import io.herald.inbox.InboxReader;
import io.herald.stats.NodeStats;
import io.vertx.ext.web.Router;

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
        PagedApi.mount(router, PATH, "userId", access, stats, (userId, limit, next) -> reader.read(userId, limit, next, entry -> true));
    }
}
