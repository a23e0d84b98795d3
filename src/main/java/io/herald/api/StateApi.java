package io.herald.api;

import io.herald.state.StateReader;
import io.herald.stats.NodeStats;
import io.vertx.ext.web.Router;

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
        PagedApi.mount(router, PATH, "type", access, stats, (type, limit, next) -> reader.read(type, limit, next, entry -> true));
    }
}
