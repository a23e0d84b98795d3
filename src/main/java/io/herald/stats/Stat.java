package io.herald.stats;

/**
 * Every stat, declared once: its {@code /api/stats} field, its Micrometer meter (and so its {@code /metrics} series,
 * HELP and TYPE), its unit, labels, where its value comes from and how it adds up across nodes. {@link NodeStats}
 * registers its meters and builds a node's snapshot from this table (in this order), {@link ClusterTotals} adds the
 * nodes up by {@link #rule}, and {@code docs/stats.md} is generated from it ({@link StatsReference}).
 */
public enum Stat {
    NODE("node", null, Kind.INFO, Source.DERIVED, null, null, null, Rule.PER_NODE,
            "The node's id (its cluster node id; a random id without a cluster)"),
    STARTED_AT("startedAt", null, Kind.INFO, Source.DERIVED, "ms since the epoch", null, null, Rule.PER_NODE,
            "When the node started"),
    TOTAL_CONNECTIONS("totalConnections", null, Kind.GAUGE, Source.DERIVED, "connections", null, null, Rule.SUM,
            "Open bridge connections (the name the apps Herald replaces used; the same as connections)"),
    CONNECTIONS("connections", "herald.connections", Kind.GAUGE, Source.COUNTED, "connections", null, null, Rule.SUM,
            "Open bridge connections on this node"),
    AUTHENTICATED("authenticated", null, Kind.GAUGE, Source.DERIVED, "connections", null, null, Rule.SUM,
            "Open bridge connections with a token"),
    ANONYMOUS("anonymous", "herald.connections.anonymous", Kind.GAUGE, Source.COUNTED, "connections", null, null, Rule.SUM,
            "Open bridge connections without a token (the anonymous role)"),
    UNIQUE_USERS("uniqueUsers", "herald.users", Kind.GAUGE, Source.PRESENCE, "users", null, null, Rule.DISTINCT,
            "Distinct users with a connection on this node"),
    CONNECTIONS_BY_ROLE("connectionsByRole", "herald.connections.by.role", Kind.GAUGE, Source.COUNTED, "connections", "role", null, Rule.SUM,
            "Open connections by role"),
    CONNECTIONS_BY_TRANSPORT("connectionsByTransport", "herald.connections.by.transport", Kind.GAUGE, Source.COUNTED, "connections",
            "transport", null, Rule.SUM, "Open connections by transport"),
    CONNECTIONS_BY_NAMESPACE("connectionsByNamespace", "herald.connections.by.namespace", Kind.GAUGE, Source.COUNTED, "connections",
            "namespace", null, Rule.SUM, "Connections subscribed to at least one type of the namespace"),
    SUBSCRIPTIONS("subscriptions", "herald.subscriptions", Kind.GAUGE, Source.COUNTED, "subscriptions", null, null, Rule.SUM,
            "Event-type subscriptions of this node's connections"),
    REPLAY_BYTES_IN_FLIGHT("replayBytesInFlight", "herald.replay.bytes.in.flight", Kind.GAUGE, Source.REPLAY, "bytes", null, null,
            Rule.PER_NODE, "Replay bytes read from history and not yet drained to their sockets (delivery.maxReplayBytesInFlight)"),
    SUBSCRIPTIONS_BY_TYPE("subscriptionsByType", "herald.subscriptions.by.type", Kind.GAUGE, Source.COUNTED, "subscriptions", "type", null,
            Rule.SUM, "Subscriptions by event type"),
    SUBSCRIPTIONS_BY_NAMESPACE("subscriptionsByNamespace", "herald.subscriptions.by.namespace", Kind.GAUGE, Source.COUNTED, "subscriptions",
            "namespace", null, Rule.SUM, "Subscriptions by namespace"),
    ROOMS("rooms", null, Kind.GAUGE, Source.PRESENCE, "users", "room", null, Rule.DISTINCT,
            "Rooms joined here (and token rooms), users in each (automatic user:/role: rooms are not listed)"),
    CONNECTIONS_OPENED("connectionsOpened", "herald.connections.opened", Kind.COUNTER, Source.COUNTED, "connections", null, null, Rule.KEPT,
            "Bridge connections accepted"),
    FRAMES_IN("framesIn", "herald.frames.in", Kind.COUNTER, Source.COUNTED, "frames", null, null, Rule.KEPT,
            "Bridge frames received from clients"),
    BYTES_IN("bytesIn", "herald.frames.in.bytes", Kind.COUNTER, Source.COUNTED, "bytes", null, null, Rule.KEPT,
            "UTF-8 bytes of the bridge frames received"),
    FRAMES_OUT("framesOut", "herald.frames.out", Kind.COUNTER, Source.COUNTED, "frames", null, null, Rule.KEPT,
            "Bridge frames written to clients (events, replies, errs)"),
    BYTES_OUT("bytesOut", "herald.frames.out.bytes", Kind.COUNTER, Source.COUNTED, "bytes", null, null, Rule.KEPT,
            "UTF-8 bytes of the bridge frames written to clients, before transport framing"),
    EVENTS_PUBLISHED("eventsPublished", "herald.events.published", Kind.COUNTER, Source.COUNTED, "events", null, null, Rule.KEPT,
            "Events published through this node"),
    EVENTS_PUBLISHED_BY_TYPE("eventsPublishedByType", "herald.events.published.by.type", Kind.COUNTER, Source.COUNTED, "events", "type", null,
            Rule.KEPT, "Events published through this node, by type"),
    MESSAGES_DELIVERED("messagesDelivered", "herald.messages.delivered", Kind.COUNTER, Source.COUNTED, "messages", null, null, Rule.KEPT,
            "Event messages written to sockets"),
    RECOVERIES("recoveries", "herald.recoveries", Kind.COUNTER, Source.COUNTED, "registers", "result", "complete", Rule.KEPT,
            "Registers with since, by whether history covered the gap"),
    RECOVERIES_INCOMPLETE("recoveriesIncomplete", "herald.recoveries", Kind.COUNTER, Source.COUNTED, "registers", "result", "incomplete",
            Rule.KEPT, "Registers with since, by whether history covered the gap"),
    REFUSALS("refusals", "herald.refusals", Kind.COUNTER, Source.COUNTED, "requests", "code", null, Rule.KEPT,
            "Requests and frames refused, by error code"),
    CLOSES("closes", "herald.closes", Kind.COUNTER, Source.COUNTED, "connections", "reason", null, Rule.KEPT,
            "Connections the hub closed, by reason"),
    WEBHOOK_DELIVERIES("webhookDeliveries", "herald.webhook.deliveries", Kind.COUNTER, Source.COUNTED, "requests", "webhook", null, Rule.KEPT,
            "Events webhook receivers accepted (a 2xx), by webhook"),
    WEBHOOK_RETRIES("webhookRetries", "herald.webhook.retries", Kind.COUNTER, Source.COUNTED, "requests", "webhook", null, Rule.KEPT,
            "Webhook requests that repeated a failed one, by webhook"),
    WEBHOOK_FAILURES("webhookFailures", "herald.webhook.failures", Kind.COUNTER, Source.COUNTED, "requests", "webhook", null, Rule.KEPT,
            "Webhook requests that failed (a status other than 2xx, a timeout, no connection), by webhook"),
    WEBHOOK_EVENTS_LOST("webhookEventsLost", "herald.webhook.events.lost", Kind.COUNTER, Source.COUNTED, "events", "webhook", null, Rule.KEPT,
            "Events a webhook never sent because history dropped them before its receiver took them (a gap), by webhook"),
    JWKS_FETCHES("jwksFetches", "herald.jwks.fetches", Kind.COUNTER, Source.IDENTITY, "requests", null, null, Rule.KEPT,
            "Requests for the identity provider's key set (auth.jwksUrl), successful or not"),
    JWKS_FAILURES("jwksFailures", "herald.jwks.failures", Kind.COUNTER, Source.IDENTITY, "requests", null, null, Rule.KEPT,
            "Key-set requests that failed (no answer, not 200, not a JWKS, no usable key); the keys fetched before stay in use"),
    JWKS_KEYS("jwksKeys", "herald.jwks.keys", Kind.GAUGE, Source.IDENTITY, "keys", null, null, Rule.PER_NODE,
            "Identity-provider keys this node verifies tokens with (0: none fetched yet, or no auth.jwksUrl)"),
    PROXY_CALLS("proxyCalls", "herald.proxy.calls", Kind.COUNTER, Source.COUNTED, "requests", "proxy", null, Rule.KEPT,
            "Requests sent to a proxy's backend, by proxy (connect, publish)"),
    PROXY_FAILURES("proxyFailures", "herald.proxy.failures", Kind.COUNTER, Source.COUNTED, "requests", "proxy", null, Rule.KEPT,
            "Proxy requests that failed other than by a timeout (no connection, an unexpected status, an unreadable answer), by proxy"),
    PROXY_TIMEOUTS("proxyTimeouts", "herald.proxy.timeouts", Kind.COUNTER, Source.COUNTED, "requests", "proxy", null, Rule.KEPT,
            "Proxy requests without a complete answer within the proxy's timeoutMs, by proxy"),
    PROXY_REJECTED("proxyRejected", "herald.proxy.rejected", Kind.COUNTER, Source.COUNTED, "requests", "proxy", null, Rule.KEPT,
            "Proxy requests refused unavailable without asking the backend (maxConcurrent in flight, or the circuit open), by proxy"),
    PROXY_BREAKER("proxyBreaker", "herald.proxy.breaker", Kind.GAUGE, Source.COUNTED, "state", "proxy", null, Rule.MAX,
            "A proxy's circuit breaker: 0 (or absent) closed, 1 half-open, 2 open, by proxy"),
    SOURCE_CONSUMED("sourceConsumed", "herald.source.consumed", Kind.COUNTER, Source.COUNTED, "records", "source", null, Rule.KEPT,
            "Records a source read, by source (kafka:<topic>, outbox); a record read again (a redelivery, a retry) counts again"),
    SOURCE_APPENDED("sourceAppended", "herald.source.appended", Kind.COUNTER, Source.COUNTED, "events", "source", null, Rule.KEPT,
            "Events a source appended to history, by source (kafka:<topic>, outbox; a record whose key already has its event appends nothing and is not counted)"),
    SOURCE_DEAD_LETTERED("sourceDeadLettered", "herald.source.dead.lettered", Kind.COUNTER, Source.COUNTED, "records", "source", null,
            Rule.KEPT, "Records a source set aside as bad (Kafka: <topic>.herald-dlq; the outbox: <table>_dead), by source"),
    SOURCE_LAG("sourceLag", "herald.source.lag", Kind.GAUGE, Source.COUNTED, "records", "source", null, Rule.SUM,
            "Records waiting to be published, by source (Kafka: consumer lag of the partitions this node is assigned, as of its last fetch; outbox: rows in the table, counted by the node that works it)"),
    SOURCE_OLDEST_AGE("sourceOldestAgeSeconds", "herald.source.oldest.age.seconds", Kind.GAUGE, Source.COUNTED, "seconds", "source", null,
            Rule.MAX, "Age of the oldest record waiting, by source (outbox: now minus the oldest row's created_at)"),
    SOURCE_CONNECTED("sourceConnected", "herald.source.connected", Kind.GAUGE, Source.COUNTED, "connections", "source", null, Rule.SUM,
            "1 while this node's connection to the source is up, by source (Kafka: a broker connection, one per topic; outbox: only the node that works the table connects)"),

    // in /metrics only
    BUS_BATCHES(null, "herald.bus.batches.received", Kind.COUNTER, Source.COUNTED, "batches", null, null, Rule.PER_NODE,
            "Event batches this node's deliveries took from the clustered event bus (one per event loop)"),
    BUS_EVENTS(null, "herald.bus.events.received", Kind.COUNTER, Source.COUNTED, "events", null, null, Rule.PER_NODE,
            "Events in those batches"),
    BUS_ROUTES_REPAIRED(null, "herald.bus.routes.repaired", Kind.COUNTER, Source.COUNTED, "addresses", null, null, Rule.PER_NODE,
            "Times this node's event bus held a stale list of the nodes consuming an address (after a partition) and a route check corrected it"),
    HISTORY_APPEND_EVENTS(null, "herald.history.append.events", Kind.SUMMARY, Source.COUNTED, "events", null, null, Rule.PER_NODE,
            "Events per history append (group commit: what one event loop published of a type in one turn)"),
    DELIVERY_LATENCY(null, "herald.delivery.latency", Kind.HISTOGRAM, Source.COUNTED, "seconds", null, null, Rule.PER_NODE,
            "From an event's publish (its ts) to its write to this node's sockets, once per event and event loop"),
    RAW_EVENTS_REJECTED(null, "herald.raw.events.rejected", Kind.COUNTER, Source.COUNTED, "events", null, null, Rule.PER_NODE,
            "Events published raw on a type's bus address that were not a JSON object"),
    GAP_FILLED(null, "herald.delivery.gap.filled", Kind.COUNTER, Source.COUNTED, "events", null, null, Rule.PER_NODE,
            "Events delivery read from history because the bus did not bring them in time"),
    GAP_LOST(null, "herald.delivery.gap.lost", Kind.COUNTER, Source.COUNTED, "events", null, null, Rule.PER_NODE,
            "Events delivery skipped because they were neither on the bus nor in history any more"),
    REPLAYS_WAITING(null, "herald.replays.waiting", Kind.GAUGE, Source.REPLAY, "replays", null, null, Rule.PER_NODE,
            "Replays waiting for room under delivery.maxReplayBytesInFlight"),
    STATE_UPDATES(null, "herald.state.updates", Kind.COUNTER, Source.COUNTED, "events", "result", null, Rule.PER_NODE,
            "Events of keyed types appended here, by what their state update did: applied, failed, or unkeyed (no key in data: kept in history, not in state)"),
    INBOX_FILED(null, "herald.inbox.filed", Kind.COUNTER, Source.COUNTED, "events", "result", null, Rule.PER_NODE,
            "Events of inbox types appended here, by what filing them in their users' inboxes did: filed, failed, or unaddressed (aimed at no user: not filed)");

    /** What a meter is; {@link #INFO}: a fact about the node, no meter. */
    public enum Kind { COUNTER, GAUGE, HISTOGRAM, SUMMARY, INFO }

    /**
     * Where the value comes from: counted by {@link NodeStats}, computed from other stats or the node ({@code DERIVED}),
     * or read from presence, the replay budget or the identity provider's keys when those are wired in.
     */
    public enum Source { COUNTED, DERIVED, PRESENCE, REPLAY, IDENTITY }

    /** How a stat adds up in the cluster's totals of {@code /api/stats}. */
    public enum Rule {
        /** summed over the nodes in the view (key by key for a labelled stat) */
        SUM("summed"),
        /** the largest of the nodes in the view (key by key for a labelled stat) */
        MAX("the largest of the nodes"),
        /** not in the totals: each node's own, in {@code nodes} */
        PER_NODE("per node only"),
        /** distinct across the cluster, from presence (a user with tabs on two nodes is one); null / {} with presence off */
        DISTINCT("distinct across the cluster, from presence"),
        /** summed, and what a node counted stays in the totals after it leaves (they never go backwards) */
        KEPT("summed, kept after a node leaves");

        private final String doc;

        Rule(String doc) {
            this.doc = doc;
        }

        public String doc() {
            return doc;
        }
    }

    private final String field;
    private final String metric;
    private final Kind kind;
    private final Source source;
    private final String unit;
    private final String label;
    private final String labelValue;
    private final Rule rule;
    private final String help;

    Stat(String field, String metric, Kind kind, Source source, String unit, String label, String labelValue, Rule rule, String help) {
        this.field = field;
        this.metric = metric;
        this.kind = kind;
        this.source = source;
        this.unit = unit;
        this.label = label;
        this.labelValue = labelValue;
        this.rule = rule;
        this.help = help;
    }

    /** The field of {@code /api/stats} (each node's and the totals'), or null for a stat only in {@code /metrics}. */
    public String field() {
        return field;
    }

    /** The Micrometer meter name ({@code herald.frames.in} → {@code herald_frames_in_total}), or null for none. */
    public String metric() {
        return metric;
    }

    public Kind kind() {
        return kind;
    }

    public Source source() {
        return source;
    }

    /** What one counts (connections, bytes, …); null for an {@link Kind#INFO}. */
    public String unit() {
        return unit;
    }

    /** The label (tag) of a stat counted per key (role, type, code, …), or null. */
    public String label() {
        return label;
    }

    /** A fixed value of {@link #label}: this stat is one series of a shared meter ({@code result="complete"}); else null. */
    public String labelValue() {
        return labelValue;
    }

    /** Whether the stat is counted per key: a JSON object of counts, a labelled series in {@code /metrics}. */
    public boolean keyed() {
        return label != null && labelValue == null;
    }

    public Rule rule() {
        return rule;
    }

    /** The meter's description (Prometheus HELP), or the field's meaning. */
    public String help() {
        return help;
    }

    /** Micrometer's base unit for the meter: only bytes gauges carry one in their name ({@code _bytes}); timers get seconds. */
    String baseUnit() {
        return kind == Kind.GAUGE && "bytes".equals(unit) ? "bytes" : null;
    }
}
