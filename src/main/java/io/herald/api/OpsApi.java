package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.catalog.EventCatalog;
import io.herald.health.NodeHealth;
import io.herald.stats.NodeStats;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;


/**
 * {@code GET /health} and {@code GET /ready} ({@link NodeHealth}), {@code GET /api/stats} (cluster-wide; the API key or an admin token, see
 * {@link AdminAccess}), {@code GET /api/catalog} (the event types by namespace, for clients and the console)
 * and {@code GET /metrics} (Prometheus text). Health, catalog and metrics are open: they name no user or
 * connection; keep {@code /metrics} on an internal network all the same.
 */
public final class OpsApi {
    private final EventBus bus;
    private final NodeStats stats;
    private final EventCatalog catalog;
    private final boolean clustered;
    private final NodeHealth health;
    private final AdminAccess admin;

    public OpsApi(EventBus bus, NodeStats stats, EventCatalog catalog, boolean clustered, NodeHealth health, AdminAccess admin) {
        this.bus = bus;
        this.admin = admin;
        this.catalog = catalog;
        this.stats = stats;
        this.clustered = clustered;
        this.health = health;
    }

    public void mount(Router router) {
        router.get("/health").handler(ctx -> health.alive().onComplete(result -> answer(ctx, result.result())));
        router.get("/ready").handler(ctx -> health.ready().onComplete(result -> answer(ctx, result.result())));
        router.get("/api/stats").handler(admin).handler(ctx -> bus.<JsonObject>request(Addresses.STATS_CLUSTER, null)
                .onSuccess(reply -> HttpResponses.json(ctx, 200, reply.body()))
                .onFailure(err -> HttpResponses.error(ctx, ErrorCode.UNAVAILABLE, "stats are not available yet", null)));
        router.get("/api/catalog").handler(ctx -> HttpResponses.json(ctx, 200, catalogJson()));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(stats.registry().scrape()));
    }

    /** 200 with every check when all are up, else 503; the node, whether it is clustered, and its connections either way. */
    private void answer(RoutingContext ctx, CheckResult result) {
        boolean up = result != null && CheckResult.isUp(result);
        JsonObject body = result == null ? new JsonObject() : result.toJson();
        HttpResponses.json(ctx, up ? 200 : 503, body
                .put("status", up ? "UP" : health.isClosing() ? "CLOSING" : "DOWN")
                .put("node", stats.nodeId())
                .put("clustered", clustered)
                .put("connections", stats.connections()));
    }

    private JsonObject catalogJson() {
        JsonObject namespaces = new JsonObject();
        catalog.namespaces().forEach((name, ns) -> namespaces.put(name, new JsonObject()
                .put("types", new JsonArray(ns.types())).put("ownerField", ns.ownerField())));
        return new JsonObject().put("namespaces", namespaces);
    }
}
