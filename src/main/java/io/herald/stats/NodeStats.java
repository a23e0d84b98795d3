package io.herald.stats;

import io.herald.CloseReason;
import io.herald.Counters;
import io.herald.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * This node's counters, shared by its verticles, as the stats snapshot ({@link #snapshot()}) and as Prometheus
 * metrics. Updates are lock-free; the hot path adds a whole fan-out's deliveries at once. Every label has a
 * bounded set of values (roles, transports, namespaces and types of the config, codes and reasons of the
 * catalogues): never a user id or a room name.
 */
public final class NodeStats implements Counters {
    /** Buckets of the publish-to-write latency histogram. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong connections = new AtomicLong();
    private java.util.function.LongSupplier replayBytesInFlight = () -> 0;
    private final AtomicLong anonymous = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final Map<String, AtomicLong> connectionsByRole = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> connectionsByTransport = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> connectionsByNamespace = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> subscriptionsByType = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> subscriptionsByNamespace = new ConcurrentHashMap<>();
    private final Map<String, Counter> publishedByType = new ConcurrentHashMap<>();
    private final Counter connectionsOpened;
    private final Counter published;
    private final Counter delivered;
    private final Counter framesIn;
    private final Counter bytesIn;
    private final Counter framesOut;
    private final Counter bytesOut;
    private final Counter busBatches;
    private final Counter busEvents;
    private final Counter rawRejected;
    private final DistributionSummary appendSizes;
    private final Timer deliveryLatency;
    private final Counter recoveredComplete;
    private final Counter recoveredIncomplete;
    private final Counter gapFilled;
    private final Counter gapLost;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);
    private volatile IntSupplier usersOnNode;
    private volatile Supplier<Map<String, Integer>> roomsOnNode;

    public NodeStats(String nodeId) {
        this.nodeId = nodeId;
        Gauge.builder("herald.connections", connections, AtomicLong::get)
                .description("Open bridge connections on this node").register(registry);
        Gauge.builder("herald.connections.anonymous", anonymous, AtomicLong::get)
                .description("Open bridge connections without a token (the anonymous role)").register(registry);
        Gauge.builder("herald.subscriptions", subscriptions, AtomicLong::get)
                .description("Event-type subscriptions of this node's connections").register(registry);
        connectionsOpened = Counter.builder("herald.connections.opened").description("Bridge connections accepted").register(registry);
        published = Counter.builder("herald.events.published").description("Events published through this node").register(registry);
        delivered = Counter.builder("herald.messages.delivered").description("Event messages written to sockets").register(registry);
        framesIn = Counter.builder("herald.frames.in").description("Bridge frames received from clients").register(registry);
        bytesIn = Counter.builder("herald.frames.in.bytes").description("UTF-8 bytes of the bridge frames received").register(registry);
        framesOut = Counter.builder("herald.frames.out").description("Bridge frames written to clients (events, replies, errs)").register(registry);
        bytesOut = Counter.builder("herald.frames.out.bytes")
                .description("UTF-8 bytes of the bridge frames written to clients, before transport framing").register(registry);
        busBatches = Counter.builder("herald.bus.batches.received")
                .description("Event batches this node's deliveries took from the clustered event bus (one per event loop)").register(registry);
        busEvents = Counter.builder("herald.bus.events.received")
                .description("Events in those batches").register(registry);
        appendSizes = DistributionSummary.builder("herald.history.append.events")
                .description("Events per history append (group commit: what one event loop published of a type in one turn)")
                .register(registry);
        deliveryLatency = Timer.builder("herald.delivery.latency")
                .description("From an event's publish (its ts) to its write to this node's sockets, once per event and event loop")
                .serviceLevelObjectives(LATENCY_BUCKETS)
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
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    public String nodeId() {
        return nodeId;
    }

    /** Open bridge connections on this node. */
    public long connections() {
        return connections.get();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Where presence counts this node's users and rooms (when presence is on), for the snapshot and the gauges. */
    public void presenceSource(IntSupplier users, Supplier<Map<String, Integer>> rooms) {
        this.usersOnNode = users;
        this.roomsOnNode = rooms;
        Gauge.builder("herald.users", users::getAsInt).description("Distinct users with a connection on this node").register(registry);
    }

    /** Where the bridges' replay budget says how many replay bytes are in memory and how many replays wait for room. */
    public void replaySource(java.util.function.LongSupplier bytesInFlight, IntSupplier waiting) {
        this.replayBytesInFlight = bytesInFlight;
        Gauge.builder("herald.replay.bytes.in.flight", bytesInFlight::getAsLong).baseUnit("bytes")
                .description("Replay bytes read from history and not yet drained to their sockets (delivery.maxReplayBytesInFlight)").register(registry);
        Gauge.builder("herald.replays.waiting", waiting::getAsInt).description("Replays waiting for room under delivery.maxReplayBytesInFlight").register(registry);
    }

    private AtomicLong gauge(Map<String, AtomicLong> map, String name, String tag, String value, String description) {
        return map.computeIfAbsent(value, v -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder(name, count, AtomicLong::get).tag(tag, v).description(description).register(registry);
            return count;
        });
    }

    public void connectionOpened(String role, boolean anonymousRole, String transport) {
        connections.incrementAndGet();
        connectionsOpened.increment();
        if (anonymousRole) {
            anonymous.incrementAndGet();
        }
        gauge(connectionsByRole, "herald.connections.by.role", "role", role, "Open connections by role").incrementAndGet();
        gauge(connectionsByTransport, "herald.connections.by.transport", "transport", transport, "Open connections by transport").incrementAndGet();
    }

    public void connectionClosed(String role, boolean anonymousRole, String transport) {
        connections.decrementAndGet();
        if (anonymousRole) {
            anonymous.decrementAndGet();
        }
        connectionsByRole.get(role).decrementAndGet();
        connectionsByTransport.get(transport).decrementAndGet();
    }

    /** An open connection's token was refreshed to another role: it is counted under the new one. */
    public void connectionRoleChanged(String from, String to) {
        connectionsByRole.get(from).decrementAndGet();
        gauge(connectionsByRole, "herald.connections.by.role", "role", to, "Open connections by role").incrementAndGet();
    }

    /** A subscription to {@code type} (of {@code namespace}) added ({@code +1}) or removed ({@code -1}). */
    public void subscribed(String type, String namespace, int delta) {
        subscriptions.addAndGet(delta);
        gauge(subscriptionsByType, "herald.subscriptions.by.type", "type", type, "Subscriptions by event type").addAndGet(delta);
        gauge(subscriptionsByNamespace, "herald.subscriptions.by.namespace", "namespace", namespace, "Subscriptions by namespace").addAndGet(delta);
    }

    /** A connection's first subscription in {@code namespace} ({@code +1}), or its last one gone ({@code -1}). */
    public void namespaceReaders(String namespace, int delta) {
        gauge(connectionsByNamespace, "herald.connections.by.namespace", "namespace", namespace,
                "Connections subscribed to at least one type of the namespace").addAndGet(delta);
    }

    public void frameIn(int bytes) {
        framesIn.increment();
        bytesIn.increment(bytes);
    }

    public void framesOut(int frames, long bytes) {
        if (frames > 0) {
            framesOut.increment(frames);
            bytesOut.increment(bytes);
        }
    }

    public void published(String type, int count) {
        published.increment(count);
        publishedByType.computeIfAbsent(type, t -> Counter.builder("herald.events.published.by.type").tag("type", t)
                .description("Events published through this node, by type").register(registry)).increment(count);
    }

    public void appended(int events) {
        appendSizes.record(events);
    }

    public void busBatch(int events) {
        busBatches.increment();
        busEvents.increment(events);
    }

    /** An event written to this node's sockets {@code millis} after it was published. */
    public void deliveryLatency(long millis) {
        deliveryLatency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
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

    private static JsonObject counts(Map<String, AtomicLong> map) {
        JsonObject json = new JsonObject();
        new TreeMap<>(map).forEach((key, count) -> {
            if (count.get() != 0) {
                json.put(key, count.get());
            }
        });
        return json;
    }

    /** This node's numbers; the names the apps Herald replaces used are kept ({@code totalConnections}, …). */
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
        JsonObject publishedBy = new JsonObject();
        new TreeMap<>(publishedByType).forEach((type, counter) -> publishedBy.put(type, (long) counter.count()));
        JsonObject rooms = new JsonObject();
        if (roomsOnNode != null) {
            new TreeMap<>(roomsOnNode.get()).forEach(rooms::put);
        }
        long open = connections.get();
        return new JsonObject()
                .put("node", nodeId)
                .put("startedAt", startedAt)
                .put("totalConnections", open)
                .put("connections", open)
                .put("authenticated", open - anonymous.get())
                .put("anonymous", anonymous.get())
                .put("uniqueUsers", usersOnNode == null ? null : (long) usersOnNode.getAsInt())
                .put("connectionsByRole", counts(connectionsByRole))
                .put("connectionsByTransport", counts(connectionsByTransport))
                .put("connectionsByNamespace", counts(connectionsByNamespace))
                .put("subscriptions", subscriptions.get())
                .put("replayBytesInFlight", replayBytesInFlight.getAsLong())
                .put("subscriptionsByType", counts(subscriptionsByType))
                .put("subscriptionsByNamespace", counts(subscriptionsByNamespace))
                .put("rooms", rooms)
                .put("connectionsOpened", (long) connectionsOpened.count())
                .put("framesIn", (long) framesIn.count())
                .put("bytesIn", (long) bytesIn.count())
                .put("framesOut", (long) framesOut.count())
                .put("bytesOut", (long) bytesOut.count())
                .put("eventsPublished", (long) published.count())
                .put("eventsPublishedByType", publishedBy)
                .put("messagesDelivered", (long) delivered.count())
                .put("recoveries", (long) recoveredComplete.count())
                .put("recoveriesIncomplete", (long) recoveredIncomplete.count())
                .put("refusals", refusals)
                .put("closes", closedBy);
    }
}
