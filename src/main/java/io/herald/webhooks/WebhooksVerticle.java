package io.herald.webhooks;

import io.herald.Addresses;
import io.herald.history.EventLog;
import io.herald.history.StreamPosition;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Webhooks on this node. Every node answers {@link Addresses#WEBHOOKS_STATUS} (what {@code GET /api/webhooks} shows,
 * from the kept states, so any node tells the same). Only the oldest Herald node sends: each tick it checks whether it
 * is that node, and starts its lanes (one per webhook and type, resuming at the kept positions) when it became it, or
 * stops them when it is no more. A new event's batch on the bus wakes the lanes of its type; the tick also wakes them,
 * for whatever the bus did not bring.
 */
public final class WebhooksVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(WebhooksVerticle.class.getName());
    /** How often the node checks whether it sends, and caught-up lanes look at history. */
    static final long TICK_MS = 1000;

    private final List<WebhookStatus.Resolved> webhooks;
    private final EventLog log;
    private final Future<WebhookStore> opening;
    private final NodeStats stats;
    private final BooleanSupplier sender;
    private final Backoff backoff;
    private WebhookStore store;
    private HttpClient client;
    private final List<WebhookLane> lanes = new ArrayList<>();
    private final List<MessageConsumer<Object>> wakers = new ArrayList<>();
    private boolean sending;

    public WebhooksVerticle(List<WebhookStatus.Resolved> webhooks, EventLog log, Future<WebhookStore> store, NodeStats stats,
                            BooleanSupplier oldestHeraldNode, Backoff backoff) {
        this.webhooks = webhooks;
        this.log = log;
        this.opening = store;
        this.stats = stats;
        this.sender = oldestHeraldNode;
        this.backoff = backoff;
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(8));
        return opening.compose(opened -> {
            store = opened;
            vertx.eventBus().<JsonObject>localConsumer(Addresses.WEBHOOKS_STATUS, message -> status()
                    .onSuccess(message::reply)
                    .onFailure(err -> message.fail(503, err.getMessage())));
            if (!webhooks.isEmpty()) {
                vertx.setPeriodic(TICK_MS, id -> tick());
                tick();
            }
            return Future.succeededFuture();
        });
    }

    private void tick() {
        boolean lead = sender.getAsBoolean();
        if (lead && !sending) {
            sending = true;
            startLanes();
        } else if (!lead && sending) {
            sending = false;
            LOG.info("webhooks: this node is no longer the oldest Herald node; another one sends them now");
            stopLanes();
        } else if (sending) {
            lanes.forEach(WebhookLane::wake);
        }
    }

    private void startLanes() {
        int count = 0;
        Map<String, List<WebhookLane>> byType = new HashMap<>();
        for (WebhookStatus.Resolved resolved : webhooks) {
            var webhook = resolved.webhook();
            WebhookSender http = new WebhookSender(vertx, client, webhook.id(), webhook.url(), webhook.timeoutMs(),
                    new WebhookSignature(webhook.secret()));
            for (String type : resolved.types()) {
                WebhookLane lane = new WebhookLane(vertx, log, store, http, backoff, stats, webhook.id(), type, stats.nodeId());
                lanes.add(lane);
                byType.computeIfAbsent(type, t -> new ArrayList<>()).add(lane);
                count++;
            }
        }
        // a batch of new events of a type on the bus: its lanes read on (the body is not used: history is the source)
        byType.forEach((type, typeLanes) -> wakers.add(vertx.eventBus().consumer(Addresses.delivery(type),
                message -> typeLanes.forEach(WebhookLane::wake))));
        LOG.info("webhooks: this node is the oldest Herald node and sends " + webhooks.size() + " webhooks (" + count
                + " event types in all), from the positions kept in the cluster");
        lanes.forEach(WebhookLane::start);
    }

    private void stopLanes() {
        lanes.forEach(WebhookLane::stop);
        lanes.clear();
        wakers.forEach(MessageConsumer::unregister);
        wakers.clear();
    }

    private Future<JsonObject> status() {
        List<String> keys = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        for (WebhookStatus.Resolved resolved : webhooks) {
            for (String type : resolved.types()) {
                keys.add(WebhookStore.key(resolved.webhook().id(), type));
                types.add(type);
            }
        }
        Map<String, StreamPosition> positions = new HashMap<>();
        List<Future<?>> reads = new ArrayList<>();
        for (String type : types) {
            reads.add(log.position(type).onSuccess(position -> positions.put(type, position)));
        }
        return store.loadAll(keys).compose(states -> Future.join(reads).otherwiseEmpty()
                .map(v -> WebhookStatus.of(webhooks, states, positions)));
    }

    @Override
    public Future<?> stop() {
        stopLanes();
        return client == null ? Future.succeededFuture() : client.close();
    }
}
