package io.herald.stats;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's counters, shared by its verticles and exported as Prometheus metrics. Updates are
 * lock-free; the hot path adds a whole fan-out's deliveries at once.
 */
public final class NodeStats {
    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final Counter connectionsOpened;
    private final Counter published;
    private final Counter delivered;
    private final Counter rawRejected;
    private final DistributionSummary appendSizes;
    private final Counter recoveredComplete;
    private final Counter recoveredIncomplete;
    private final Counter gapFilled;
    private final Counter gapLost;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);

    public NodeStats(String nodeId) {
        this.nodeId = nodeId;
        Gauge.builder("herald.connections", connections, AtomicLong::get)
                .description("Open bridge connections on this node").register(registry);
        Gauge.builder("herald.subscriptions", subscriptions, AtomicLong::get)
                .description("Event-type subscriptions of this node's connections").register(registry);
        connectionsOpened = Counter.builder("herald.connections.opened").description("Bridge connections accepted").register(registry);
        published = Counter.builder("herald.events.published").description("Events published through this node").register(registry);
        delivered = Counter.builder("herald.messages.delivered").description("Event messages written to sockets").register(registry);
        appendSizes = DistributionSummary.builder("herald.history.append.events")
                .description("Events per history append (group commit: what one event loop published of a type in one turn)")
                .register(registry);
        rawRejected = Counter.builder("herald.raw.events.rejected")
                .description("Events published raw on a type's bus address that were not a JSON object").register(registry);
        recoveredComplete = Counter.builder("herald.recoveries").tag("result", "complete")
                .description("Registers with since, by whether history covered the gap").register(registry);
        recoveredIncomplete = Counter.builder("herald.recoveries").tag("result", "incomplete")
                .description("Registers with since, by whether history covered the gap").register(registry);
        gapFilled = Counter.builder("herald.delivery.gap.filled")
                .description("Events delivery read from history because the bus did not bring them in time").register(registry);
        gapLost = Counter.builder("herald.delivery.gap.lost")
                .description("Events delivery skipped because they were neither on the bus nor in history any more").register(registry);
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, Counter.builder("herald.closes").tag("reason", reason.id())
                    .description("Connections the hub closed, by reason").register(registry));
        }
        for (ErrorCode code : ErrorCode.values()) {
            refused.put(code, Counter.builder("herald.refusals").tag("code", code.id())
                    .description("Requests and frames refused, by error code").register(registry));
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void connectionOpened() {
        connections.incrementAndGet();
        connectionsOpened.increment();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void subscriptionsChanged(int delta) {
        subscriptions.addAndGet(delta);
    }

    public void published(int count) {
        published.increment(count);
    }

    public void appended(int events) {
        appendSizes.record(events);
    }

    public void rawEventRejected() {
        rawRejected.increment();
    }

    public void recovered(boolean complete) {
        (complete ? recoveredComplete : recoveredIncomplete).increment();
    }

    public void gapFilled(long count) {
        gapFilled.increment(count);
    }

    public void gapLost(long count) {
        gapLost.increment(count);
    }

    public void delivered(int count) {
        if (count > 0) {
            delivered.increment(count);
        }
    }

    public void closed(CloseReason reason) {
        closes.get(reason).increment();
    }

    public void refused(ErrorCode code) {
        refused.get(code).increment();
    }

    public JsonObject snapshot() {
        JsonObject refusals = new JsonObject();
        refused.forEach((code, counter) -> {
            if (counter.count() > 0) {
                refusals.put(code.id(), (long) counter.count());
            }
        });
        JsonObject closedBy = new JsonObject();
        closes.forEach((reason, counter) -> {
            if (counter.count() > 0) {
                closedBy.put(reason.id(), (long) counter.count());
            }
        });
        return new JsonObject()
                .put("node", nodeId)
                .put("startedAt", startedAt)
                .put("connections", connections.get())
                .put("subscriptions", subscriptions.get())
                .put("connectionsOpened", (long) connectionsOpened.count())
                .put("eventsPublished", (long) published.count())
                .put("messagesDelivered", (long) delivered.count())
                .put("recoveries", (long) recoveredComplete.count())
                .put("recoveriesIncomplete", (long) recoveredIncomplete.count())
                .put("refusals", refusals)
                .put("closes", closedBy);
    }
}
