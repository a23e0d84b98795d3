package io.herald.stats;

import io.herald.CloseReason;
import io.herald.Counters;
import io.herald.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
import java.util.function.LongSupplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * This node's counters, shared by its verticles, as the stats snapshot ({@link #snapshot()}) and as Prometheus
 * metrics. Which stats there are, their names, help, units and labels: the {@link Stat} table, which this class
 * registers and snapshots in order. Updates are lock-free; the hot path adds a whole fan-out's deliveries at once.
 * Every label has a bounded set of values (roles, transports, namespaces and types of the config, codes and reasons
 * of the catalogues): never a user id or a room name.
 */
public final class NodeStats implements Counters {
    /** Buckets of the publish-to-write latency histogram. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final String nodeId;
    private final long startedAt = System.currentTimeMillis();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** How each stat of the snapshot is read. */
    private final Map<Stat, Supplier<Object>> readers = new EnumMap<>(Stat.class);
    private final Map<Stat, Counter> counters = new EnumMap<>(Stat.class);
    private final Map<Stat, AtomicLong> gauges = new EnumMap<>(Stat.class);
    private final Map<Stat, Map<String, Counter>> keyedCounters = new EnumMap<>(Stat.class);
    private final Map<Stat, Map<String, AtomicLong>> keyedGauges = new EnumMap<>(Stat.class);
    private final AtomicLong connections;
    private final AtomicLong anonymous;
    private final AtomicLong subscriptions;
    private final Map<String, AtomicLong> connectionsByRole;
    private final Map<String, AtomicLong> connectionsByTransport;
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
    private final Counter recoveredComplete;
    private final Counter recoveredIncomplete;
    private final Counter gapFilled;
    private final Counter routesRepaired;
    private final Counter gapLost;
    private final DistributionSummary appendSizes;
    private final Timer deliveryLatency;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);

    public NodeStats(String nodeId) {
        this.nodeId = nodeId;
        for (Stat stat : Stat.values()) {
            if (stat.source() != Stat.Source.COUNTED) {
                continue;
            }
            switch (stat.kind()) {
                case COUNTER -> {
                    if (stat.keyed()) {
                        Map<String, Counter> byKey = new ConcurrentHashMap<>();
                        keyedCounters.put(stat, byKey);
                        readers.put(stat, () -> nonZero(byKey, counter -> (long) counter.count()));
                    } else {
                        Counter counter = counterBuilder(stat, stat.labelValue()).register(registry);
                        counters.put(stat, counter);
                        readers.put(stat, () -> (long) counter.count());
                    }
                }
                case GAUGE -> {
                    if (stat.keyed()) {
                        Map<String, AtomicLong> byKey = new ConcurrentHashMap<>();
                        keyedGauges.put(stat, byKey);
                        readers.put(stat, () -> nonZero(byKey, AtomicLong::get));
                    } else {
                        AtomicLong value = new AtomicLong();
                        Gauge.builder(stat.metric(), value, AtomicLong::get).description(stat.help()).baseUnit(stat.baseUnit()).register(registry);
                        gauges.put(stat, value);
                        readers.put(stat, value::get);
                    }
                }
                case HISTOGRAM, SUMMARY, INFO -> {
                }
            }
        }
        connections = gauges.get(Stat.CONNECTIONS);
        anonymous = gauges.get(Stat.ANONYMOUS);
        subscriptions = gauges.get(Stat.SUBSCRIPTIONS);
        connectionsByRole = keyedGauges.get(Stat.CONNECTIONS_BY_ROLE);
        connectionsByTransport = keyedGauges.get(Stat.CONNECTIONS_BY_TRANSPORT);
        connectionsOpened = counters.get(Stat.CONNECTIONS_OPENED);
        published = counters.get(Stat.EVENTS_PUBLISHED);
        delivered = counters.get(Stat.MESSAGES_DELIVERED);
        framesIn = counters.get(Stat.FRAMES_IN);
        bytesIn = counters.get(Stat.BYTES_IN);
        framesOut = counters.get(Stat.FRAMES_OUT);
        bytesOut = counters.get(Stat.BYTES_OUT);
        busBatches = counters.get(Stat.BUS_BATCHES);
        busEvents = counters.get(Stat.BUS_EVENTS);
        rawRejected = counters.get(Stat.RAW_EVENTS_REJECTED);
        recoveredComplete = counters.get(Stat.RECOVERIES);
        recoveredIncomplete = counters.get(Stat.RECOVERIES_INCOMPLETE);
        gapFilled = counters.get(Stat.GAP_FILLED);
        routesRepaired = counters.get(Stat.BUS_ROUTES_REPAIRED);
        gapLost = counters.get(Stat.GAP_LOST);
        appendSizes = DistributionSummary.builder(Stat.HISTORY_APPEND_EVENTS.metric()).description(Stat.HISTORY_APPEND_EVENTS.help()).register(registry);
        deliveryLatency = Timer.builder(Stat.DELIVERY_LATENCY.metric()).description(Stat.DELIVERY_LATENCY.help())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        // the catalogues' codes and reasons are all listed, at zero until they happen
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, keyedCounter(Stat.CLOSES, reason.id()));
        }
        for (ErrorCode code : ErrorCode.values()) {
            refused.put(code, keyedCounter(Stat.REFUSALS, code.id()));
        }
        for (String result : new String[]{io.herald.event.StateUpdates.APPLIED, io.herald.event.StateUpdates.FAILED, io.herald.event.StateUpdates.UNKEYED}) {
            keyedCounter(Stat.STATE_UPDATES, result); // listed at zero until they happen
        }
        readers.put(Stat.NODE, () -> nodeId);
        readers.put(Stat.STARTED_AT, () -> startedAt);
        readers.put(Stat.TOTAL_CONNECTIONS, connections::get);
        readers.put(Stat.AUTHENTICATED, () -> connections.get() - anonymous.get());
        readers.put(Stat.UNIQUE_USERS, () -> null);
        readers.put(Stat.ROOMS, JsonObject::new);
        readers.put(Stat.REPLAY_BYTES_IN_FLIGHT, () -> 0L);
        readers.put(Stat.JWKS_FETCHES, () -> 0L);
        readers.put(Stat.JWKS_FAILURES, () -> 0L);
        readers.put(Stat.JWKS_KEYS, () -> 0L);
        for (Stat stat : Stat.values()) {
            if (stat.field() != null && !readers.containsKey(stat)) {
                throw new IllegalStateException("no value for the stat " + stat);
            }
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    private static Counter.Builder counterBuilder(Stat stat, String labelValue) {
        Counter.Builder builder = Counter.builder(stat.metric()).description(stat.help());
        return labelValue == null ? builder : builder.tag(stat.label(), labelValue);
    }

    /** A keyed counter's series for {@code key}, registered the first time. */
    private Counter keyedCounter(Stat stat, String key) {
        return keyedCounters.get(stat).computeIfAbsent(key, k -> counterBuilder(stat, k).register(registry));
    }

    /** A keyed gauge's value for {@code key}, registered the first time. */
    private AtomicLong keyedGauge(Stat stat, Map<String, AtomicLong> byKey, String key) {
        return byKey.computeIfAbsent(key, k -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder(stat.metric(), count, AtomicLong::get).tag(stat.label(), k).description(stat.help()).register(registry);
            return count;
        });
    }

    private AtomicLong keyedGauge(Stat stat, String key) {
        return keyedGauge(stat, keyedGauges.get(stat), key);
    }

    /** A source's gauge, registered when the source is wired in. */
    private void sourceGauge(Stat stat, Supplier<Number> value) {
        Gauge.builder(stat.metric(), value).description(stat.help()).baseUnit(stat.baseUnit()).register(registry);
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
        readers.put(Stat.UNIQUE_USERS, () -> (long) users.getAsInt());
        readers.put(Stat.ROOMS, () -> {
            JsonObject json = new JsonObject();
            new TreeMap<>(rooms.get()).forEach(json::put);
            return json;
        });
        sourceGauge(Stat.UNIQUE_USERS, users::getAsInt);
    }

    /** Where the bridges' replay budget says how many replay bytes are in memory and how many replays wait for room. */
    public void replaySource(LongSupplier bytesInFlight, IntSupplier waiting) {
        readers.put(Stat.REPLAY_BYTES_IN_FLIGHT, bytesInFlight::getAsLong);
        sourceGauge(Stat.REPLAY_BYTES_IN_FLIGHT, bytesInFlight::getAsLong);
        sourceGauge(Stat.REPLAYS_WAITING, waiting::getAsInt);
    }

    /** Where the identity provider's key set ({@code auth.jwksUrl}) says how often it was fetched, how often that failed, and its keys. */
    public void identitySource(LongSupplier fetches, LongSupplier failures, IntSupplier keys) {
        readers.put(Stat.JWKS_FETCHES, fetches::getAsLong);
        readers.put(Stat.JWKS_FAILURES, failures::getAsLong);
        readers.put(Stat.JWKS_KEYS, () -> (long) keys.getAsInt());
        FunctionCounter.builder(Stat.JWKS_FETCHES.metric(), fetches, LongSupplier::getAsLong).description(Stat.JWKS_FETCHES.help()).register(registry);
        FunctionCounter.builder(Stat.JWKS_FAILURES.metric(), failures, LongSupplier::getAsLong).description(Stat.JWKS_FAILURES.help()).register(registry);
        sourceGauge(Stat.JWKS_KEYS, keys::getAsInt);
    }

    public void connectionOpened(String role, boolean anonymousRole, String transport) {
        connections.incrementAndGet();
        connectionsOpened.increment();
        if (anonymousRole) {
            anonymous.incrementAndGet();
        }
        keyedGauge(Stat.CONNECTIONS_BY_ROLE, connectionsByRole, role).incrementAndGet();
        keyedGauge(Stat.CONNECTIONS_BY_TRANSPORT, connectionsByTransport, transport).incrementAndGet();
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
        keyedGauge(Stat.CONNECTIONS_BY_ROLE, connectionsByRole, to).incrementAndGet();
    }

    /** A subscription to {@code type} (of {@code namespace}) added ({@code +1}) or removed ({@code -1}). */
    public void subscribed(String type, String namespace, int delta) {
        subscriptions.addAndGet(delta);
        keyedGauge(Stat.SUBSCRIPTIONS_BY_TYPE, type).addAndGet(delta);
        keyedGauge(Stat.SUBSCRIPTIONS_BY_NAMESPACE, namespace).addAndGet(delta);
    }

    /** A connection's first subscription in {@code namespace} ({@code +1}), or its last one gone ({@code -1}). */
    public void namespaceReaders(String namespace, int delta) {
        keyedGauge(Stat.CONNECTIONS_BY_NAMESPACE, namespace).addAndGet(delta);
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
        keyedCounter(Stat.EVENTS_PUBLISHED_BY_TYPE, type).increment(count);
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

    @Override
    public void stateUpdated(String type, String result, int count) {
        keyedCounter(Stat.STATE_UPDATES, result).increment(count);
    }

    @Override
    public void inboxFiled(String type, String result, int count) {
        keyedCounter(Stat.INBOX_FILED, result).increment(count);
    }

    public void rawEventRejected() {
        rawRejected.increment();
    }

    public void recovered(boolean complete) {
        (complete ? recoveredComplete : recoveredIncomplete).increment();
    }

    public void routeRepaired() {
        routesRepaired.increment();
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

    /** A webhook's receiver accepted an event. */
    public void webhookDelivered(String webhookId) {
        keyedCounter(Stat.WEBHOOK_DELIVERIES, webhookId).increment();
    }

    /** A webhook request repeats a failed one. */
    public void webhookRetried(String webhookId) {
        keyedCounter(Stat.WEBHOOK_RETRIES, webhookId).increment();
    }

    /** A webhook request failed. */
    public void webhookFailed(String webhookId) {
        keyedCounter(Stat.WEBHOOK_FAILURES, webhookId).increment();
    }

    /** A webhook skipped {@code count} events history no longer held. */
    public void webhookEventsLost(String webhookId, long count) {
        if (count > 0) {
            keyedCounter(Stat.WEBHOOK_EVENTS_LOST, webhookId).increment(count);
        }
    }

    /** A request went to a proxy's backend ({@code proxy}: connect, publish). */
    public void proxyCalled(String proxy) {
        keyedCounter(Stat.PROXY_CALLS, proxy).increment();
    }

    /** A proxy request failed other than by a timeout. */
    public void proxyFailed(String proxy) {
        keyedCounter(Stat.PROXY_FAILURES, proxy).increment();
    }

    /** A proxy request got no complete answer within its timeout. */
    public void proxyTimedOut(String proxy) {
        keyedCounter(Stat.PROXY_TIMEOUTS, proxy).increment();
    }

    /** A proxy request was refused without asking the backend (the cap, or the circuit open). */
    public void proxyRejected(String proxy) {
        keyedCounter(Stat.PROXY_REJECTED, proxy).increment();
    }

    /** A proxy's circuit breaker changed state: 0 closed, 1 half-open, 2 open. */
    public void proxyBreaker(String proxy, int state) {
        keyedGauge(Stat.PROXY_BREAKER, proxy).set(state);
    }

    /** A source read {@code count} records. */
    public void sourceConsumed(String source, int count) {
        if (count > 0) {
            keyedCounter(Stat.SOURCE_CONSUMED, source).increment(count);
        }
    }

    /** A source appended {@code count} new events. */
    public void sourceAppended(String source, int count) {
        if (count > 0) {
            keyedCounter(Stat.SOURCE_APPENDED, source).increment(count);
        }
    }

    /** A source set {@code count} bad records aside. */
    public void sourceDeadLettered(String source, int count) {
        if (count > 0) {
            keyedCounter(Stat.SOURCE_DEAD_LETTERED, source).increment(count);
        }
    }

    /** What waits in a source: records, and the oldest one's age in seconds. */
    public void sourceLag(String source, long waiting, long oldestAgeSeconds) {
        keyedGauge(Stat.SOURCE_LAG, source).set(waiting);
        keyedGauge(Stat.SOURCE_OLDEST_AGE, source).set(oldestAgeSeconds);
    }

    /** What waits in a source whose records have no age to tell (Kafka: consumer lag). */
    public void sourceLag(String source, long waiting) {
        keyedGauge(Stat.SOURCE_LAG, source).set(waiting);
    }

    /** Whether this node's connection to a source is up. */
    public void sourceConnected(String source, boolean connected) {
        keyedGauge(Stat.SOURCE_CONNECTED, source).set(connected ? 1 : 0);
    }

    /** The counts of a keyed stat, by key, without the zeros. */
    private static <T> JsonObject nonZero(Map<String, T> byKey, java.util.function.ToLongFunction<T> value) {
        JsonObject json = new JsonObject();
        new TreeMap<>(byKey).forEach((key, count) -> {
            long n = value.applyAsLong(count);
            if (n != 0) {
                json.put(key, n);
            }
        });
        return json;
    }

    /**
     * This node's numbers: every {@link Stat} with a field, in the table's order; the names the apps Herald replaces
     * used are kept ({@code totalConnections}, …).
     */
    public JsonObject snapshot() {
        JsonObject snapshot = new JsonObject();
        for (Stat stat : Stat.values()) {
            if (stat.field() != null) {
                snapshot.put(stat.field(), readers.get(stat).get());
            }
        }
        return snapshot;
    }
}
