package io.herald.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryXmlConfig;
import com.hazelcast.core.HazelcastInstance;
import io.herald.access.RevocationVerticle;
import io.herald.access.RolePolicy;
import io.herald.access.UserConnections;
import io.herald.api.DevTokenApi;
import io.herald.auth.TokenMinter;
import io.herald.access.TokenRefresh;
import io.herald.auth.AuthVerticle;
import io.herald.auth.ClaimMapping;
import io.herald.auth.JwksKeys;
import io.herald.auth.JwksVerticle;
import io.herald.auth.Revocations;
import io.herald.auth.RoleMatrix;
import io.herald.http.HttpVerticle;
import io.herald.delivery.ReplayBudget;
import io.herald.bridge.ConnectionPolicy;
import io.herald.catalog.EventCatalog;
import io.herald.cluster.ClusterNetwork;
import io.herald.cluster.ClusterQuorum;
import io.herald.cluster.ClusterWire;
import io.herald.cluster.HazelcastCallbacks;
import io.herald.cluster.HeraldClusterManager;
import io.herald.cluster.HeraldMembers;
import io.herald.config.ConfigException;
import io.herald.config.ConfigFile;
import io.herald.config.HeraldConfig;
import io.herald.demo.DemoVerticle;
import io.herald.event.EventBatch;
import io.herald.event.EventBatchCodec;
import io.herald.event.EventPublisher;
import io.herald.event.PublishVerticle;
import io.herald.health.NodeHealth;
import io.herald.history.EventLog;
import io.herald.history.HazelcastEventLog;
import io.herald.history.HazelcastIdempotencyStore;
import io.herald.history.IdempotencyStore;
import io.herald.history.LocalIdempotencyStore;
import io.herald.history.LocalEventLog;
import io.herald.history.HazelcastKeyedState;
import io.herald.history.KeyedState;
import io.herald.history.LocalKeyedState;
import io.herald.state.StatePolicy;
import io.herald.state.StateReader;
import io.herald.limits.ConnectionCaps;
import io.herald.limits.ConnectionCounts;
import io.herald.limits.FrameRateLimit;
import io.herald.limits.FrameRates;
import io.herald.limits.PublishRateLimit;
import io.herald.limits.UserPublishRateLimit;
import io.herald.limits.RateLimitVerticle;
import io.herald.limits.SubscriptionLimit;
import io.herald.limits.TokenBucket;
import io.herald.presence.LocalPresence;
import io.herald.presence.PresencePolicy;
import io.herald.presence.PresenceAnnouncements;
import io.herald.presence.PresenceVerticle;
import io.herald.presence.RoomRules;
import io.herald.presence.SignalPolicy;
import io.herald.presence.SignalStore;
import io.herald.presence.SignalVerticle;
import io.herald.presence.Signals;
import io.herald.sources.kafka.KafkaSourceVerticle;
import io.herald.sources.outbox.OutboxStatus;
import io.herald.sources.outbox.OutboxVerticle;
import io.herald.stats.NodeStats;
import io.herald.stats.StatsVerticle;
import io.herald.webhooks.Backoff;
import io.herald.webhooks.HazelcastWebhookStore;
import io.herald.webhooks.LocalWebhookStore;
import io.herald.webhooks.TypeMatch;
import io.herald.webhooks.WebhookStatus;
import io.herald.webhooks.WebhookStore;
import io.herald.webhooks.WebhooksVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The composition root: loads the catalog and the role matrix, starts Vert.x (clustered over
 * Hazelcast, or alone), and deploys each verticle with its slice of the configuration. The future
 * completes when the HTTP port listens and every consumer is registered.
 */
public final class HeraldNode {
    private final Vertx vertx;
    private final HeraldConfig config;
    private final NodeStats stats;
    private final int port;
    private final List<String> bridgeDeployments;
    private final HazelcastClusterManager clusterManager;
    private final NodeHealth health;
    private final ClusterQuorum quorum;
    private Future<Void> closed;
    private volatile String socketsClosed = "";

    private HeraldNode(Vertx vertx, HeraldConfig config, NodeStats stats, int port, List<String> bridgeDeployments,
                       HazelcastClusterManager clusterManager, NodeHealth health, ClusterQuorum quorum) {
        this.vertx = vertx;
        this.config = config;
        this.stats = stats;
        this.port = port;
        this.bridgeDeployments = bridgeDeployments;
        this.clusterManager = clusterManager;
        this.health = health;
        this.quorum = quorum;
    }

    public static Future<HeraldNode> start(HeraldConfig config) {
        return start(config, null);
    }

    /** Starts a node; {@code hazelcastConfig}, when given, replaces the cluster config file (tests). */
    public static Future<HeraldNode> start(HeraldConfig config, Config hazelcastConfig) {
        EventCatalog catalog;
        RoleMatrix roles;
        RoomRules rooms;
        PresenceAnnouncements announcements;
        List<WebhookStatus.Resolved> webhooks = new ArrayList<>();
        try {
            catalog = EventCatalog.fromJson(config.catalogFile().readJson("catalog"));
            roles = RoleMatrix.compile(config.rolesFile().readJson("roles"), catalog);
            ClaimMapping.of(config.auth().claims(), roles); // auth.claims.roleMap names Herald roles: checked where the roles are known
            rooms = RoomRules.compile(config.roomsFile().readJson("rooms"), roles);
            ConfigFile announceFile = config.presence().announceFile();
            announcements = PresenceAnnouncements.parse(announceFile.readJson("presence.announceFile"), announceFile.toString(),
                    catalog::contains, roles::hasRole, !announceFile.isBuiltIn());
            for (String namespace : config.history().byNamespace().keySet()) {
                if (catalog.namespace(namespace) == null) {
                    throw new ConfigException("history.namespaces." + namespace, "is not a namespace of the catalog");
                }
            }
            for (int i = 0; i < config.webhooks().size(); i++) {
                HeraldConfig.Webhook webhook = config.webhooks().get(i);
                webhooks.add(new WebhookStatus.Resolved(webhook, TypeMatch.resolve(webhook.types(), catalog, "webhooks[" + i + "].types")));
            }
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
        VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
        ClusterWire wire = new ClusterWire(config.cluster().wireVersion());
        if (!config.cluster().enabled()) {
            return deploy(Vertx.vertx(options), null, null, wire, config, catalog, roles, rooms, announcements, webhooks);
        }
        HeraldClusterManager clusterManager;
        ClusterQuorum quorum;
        try {
            Config hazelcast = hazelcastConfig != null ? hazelcastConfig : loadHazelcast(config);
            HazelcastCallbacks.install();
            HeraldMembers.mark(hazelcast);
            io.herald.history.KeyedAppend.install(hazelcast, config.idempotencyWindowSeconds() * 1000L, config.idempotencyMaxKeys());
            wire.advertise(hazelcast);
            ClusterNetwork.bindTo(hazelcast, config.cluster().host());
            quorum = new ClusterQuorum(config.cluster().minMembers(), ClusterQuorum.heartbeatTimeoutMs(hazelcast));
            HazelcastEventLog.protect(hazelcast, quorum);
            HazelcastWebhookStore.configure(hazelcast);
            clusterManager = new HeraldClusterManager(hazelcast);
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
        // the event bus's own TCP connections between nodes (0: any free port; set one to open it in a firewall)
        options.getEventBusOptions().setHost(config.cluster().host()).setPort(config.cluster().port());
        ClusterNetwork.secure(options.getEventBusOptions(), config.cluster().tls());
        return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered()
                .compose(vertx -> vertx.executeBlocking(() -> {
                    quorum.bind(clusterManager.getHazelcastInstance());
                    clusterManager.routes().start(vertx, config.cluster().routeCheckMs());
                    return vertx;
                }, false))
                .compose(vertx -> deploy(vertx, clusterManager, quorum, wire, config, catalog, roles, rooms, announcements, webhooks));
    }

    private static Config loadHazelcast(HeraldConfig config) {
        return new InMemoryXmlConfig(config.cluster().configFile().readText("cluster.configFile (" + HeraldConfig.ENV_CLUSTER_CONFIG + ")"));
    }

    private static Future<HeraldNode> deploy(Vertx vertx, HeraldClusterManager clusterManager, ClusterQuorum quorum, ClusterWire wire,
                                             HeraldConfig config, EventCatalog catalog, RoleMatrix roles, RoomRules rooms,
                                             PresenceAnnouncements announcements, List<WebhookStatus.Resolved> webhooks) {
        boolean clustered = clusterManager != null;
        if (clustered) {
            // before anything is written: the version every Herald node of the cluster reads
            wire.watch(clusterManager.getHazelcastInstance());
        }
        vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec(wire));
        NodeStats stats = new NodeStats(clustered ? clusterManager.getNodeId() : UUID.randomUUID().toString());
        if (clustered) {
            clusterManager.routes().onRepair(address -> stats.routeRepaired());
        }
        Function<String, HeraldConfig.HistoryBounds> bounds = type -> config.history().forNamespace(catalog.namespaceOf(type).name());
        Future<EventLog> log = clustered
                ? HazelcastEventLog.open(vertx, clusterManager.getHazelcastInstance(), catalog.types(), bounds, quorum, wire).map(l -> l)
                : Future.succeededFuture(new LocalEventLog(bounds, config.idempotencyWindowSeconds() * 1000L, config.idempotencyMaxKeys()));
        // the oldest Herald node takes in raw bus publishes and announces presence changes, so that each happens once
        BooleanSupplier oldestHeraldNode = clustered
                ? HeraldMembers.watch(clusterManager.getHazelcastInstance())::isOldestHeraldNode
                : () -> true;
        HeraldConfig.Limits limits = config.limits();
        ConnectionCounts connectionCounts = new ConnectionCounts(limits.connectionsPerNode(), limits.connectionsPerIp(),
                limits.connectAttemptsPerIpPerSecond(), RateLimitVerticle.REPORT_INTERVAL_MS);
        Revocations revocations = new Revocations();
        UserConnections userConnections = new UserConnections(revocations);
        LocalPresence presence = config.presence().enabled() ? new LocalPresence() : null;
        if (presence != null) {
            stats.presenceSource(presence::users, presence::rooms);
        }
        StatePolicy statePolicy = new StatePolicy(roles, config.limits().stateQueriesPerMinute());
        // the per-user inbox (herald:inbox, herald:ack, GET /api/inbox): a Hazelcast map in a cluster, memory alone
        io.herald.inbox.InboxPolicy inboxPolicy = new io.herald.inbox.InboxPolicy(roles, config.inbox().requestsPerMinute(), TokenBucket.MONOTONIC_MILLIS);
        io.herald.history.InboxBounds inboxBounds = new io.herald.history.InboxBounds(config.inbox().maxPerUser(),
                config.inbox().maxAgeSeconds() * 1000L, config.inbox().maxUsers());
        // room signals (herald:signal): kept per node for join replies, fanned out on the node, once to each other node
        Signals signals = new Signals(vertx.eventBus(), stats.nodeId(), rooms, new SignalStore(System::currentTimeMillis), stats,
                System::currentTimeMillis);
        // the bridge asks these, in this order, at each step of a connection's life
        List<ConnectionPolicy> policies = List.of(
                new RolePolicy(roles),
                new TokenRefresh(vertx.eventBus()),
                new SubscriptionLimit(config.bridge().maxSubscriptionsPerSocket()),
                // each user's connections, for a disconnect (revocation) from any node
                userConnections,
                new ConnectionCaps(connectionCounts, TokenBucket.MONOTONIC_MILLIS),
                new FrameRateLimit(new FrameRates(limits), TokenBucket.MONOTONIC_MILLIS),
                new UserPublishRateLimit(limits.userPublishesPerMinute(), TokenBucket.MONOTONIC_MILLIS),
                statePolicy,
                inboxPolicy,
                // last: a connection another policy refuses never shows in presence
                new PresencePolicy(rooms, presence, vertx.eventBus(), config.limits().presenceQueriesPerMinute(), signals),
                new SignalPolicy(signals, limits.signalsPerSecond(), TokenBucket.MONOTONIC_MILLIS));
        // the proxies to the backend (proxy.*), when configured: asked after every policy above allowed
        io.herald.proxy.BackendProxies proxies = new io.herald.proxy.BackendProxies(vertx, config, roles, catalog, stats);
        List<ConnectionPolicy> bridgePolicies = proxies.append(policies);
        PublishRateLimit publishLimit = new PublishRateLimit(limits.publishEventsPerSecond(), TokenBucket.MONOTONIC_MILLIS);

        Future<KeyedState> keyedState = clustered
                ? log.compose(l -> HazelcastKeyedState.open(vertx, clusterManager.getHazelcastInstance(), catalog.stateTypes()))
                : Future.succeededFuture(new LocalKeyedState(catalog.stateTypes()));
        long idempotencyWindowMs = config.idempotencyWindowSeconds() * 1000L;
        // the idempotency keys of publishes: a Hazelcast map in a cluster (creating it talks to the cluster: off the event loop)
        Future<IdempotencyStore> idempotencyKeys = clustered
                ? vertx.executeBlocking(() -> new HazelcastIdempotencyStore(vertx, clusterManager.getHazelcastInstance(), idempotencyWindowMs), false)
                : Future.succeededFuture(new LocalIdempotencyStore(idempotencyWindowMs));
        Future<io.herald.history.Inbox> inbox = catalog.inboxTypes().isEmpty() ? Future.succeededFuture(io.herald.history.Inbox.NONE)
                : clustered ? log.compose(l -> io.herald.history.HazelcastInbox.open(vertx, clusterManager.getHazelcastInstance(), inboxBounds))
                : Future.succeededFuture(new io.herald.history.LocalInbox(inboxBounds));
        return log.compose(eventLog -> inbox.map(box -> inboxPolicy.reader(new io.herald.inbox.InboxReader(box))).map(eventLog))
                .compose(eventLog -> keyedState.map(state -> {
            statePolicy.reader(new StateReader(catalog, eventLog, state));
            return eventLog;
        })).compose(eventLog -> idempotencyKeys.compose(keys -> {
            EventPublisher publisher = new EventPublisher(vertx, catalog, eventLog, stats, wire::writes, keys)
                    .keyedState(statePolicy.stateReader().state())
                    .inbox(inboxPolicy.inboxReader().inbox());
            // dev mode with the shipped secret hands out tokens for any role, for the console; nothing else mounts it
            DevTokenApi devTokens = config.mode() == HeraldConfig.Mode.DEV && HeraldConfig.DEV_JWT_SECRET.equals(config.auth().jwtSecret())
                    ? new DevTokenApi(new TokenMinter(vertx, config.auth()), roles) : null;
            NodeHealth health = new NodeHealth(vertx, stats, clustered ? clusterManager.getHazelcastInstance() : null,
                    quorum, eventLog, catalog.types().iterator().next()).wire(wire);
            List<String> bridges = new ArrayList<>();
            // the other instances share the first one's port; Vert.x cannot share an OS-picked port (0), so that case runs one
            int instances = config.http().port() == 0 ? 1 : config.http().instances();
            HttpVerticle[] first = new HttpVerticle[1];
            ReplayBudget replayBudget = new ReplayBudget(config.delivery().maxReplayBytesInFlight());
            stats.replaySource(replayBudget::inFlight, replayBudget::waiting);
            // the identity provider's keys (auth.jwksUrl): fetched before the auth instances start; a provider that is down leaves the node unready
            JwksKeys jwks = config.auth().jwks() == null ? null : new JwksKeys(config.auth().jwks(), System::currentTimeMillis);
            if (jwks != null) {
                health.identity(jwks);
                stats.identitySource(jwks::fetches, jwks::failures, jwks::keyCount);
            }
            // one auth instance per event loop: a verification runs on its caller's loop (AuthRequests), never behind another loop's
            return (jwks == null ? Future.<String>succeededFuture() : vertx.deployVerticle(new JwksVerticle(jwks)))
                    .compose(id -> vertx.deployVerticle(() -> new AuthVerticle(config.auth(), roles, revocations).jwks(jwks),
                            new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)))
                    .compose(id -> vertx.deployVerticle(new RevocationVerticle(revocations, userConnections,
                            clustered ? clusterManager.getHazelcastInstance() : null, stats.nodeId(), config.http().maxBatchSize(),
                            config.auth().maxTokenLifetimeSeconds(), wire)))
                    .compose(id -> vertx.deployVerticle(new StatsVerticle(stats, config.statsIntervalMs(), clustered ? clusterManager.getHazelcastInstance() : null, wire)))
                    .compose(id -> vertx.deployVerticle(new PublishVerticle(publisher, catalog, stats, oldestHeraldNode)))
                    .compose(id -> vertx.deployVerticle(new RateLimitVerticle(stats.nodeId(), connectionCounts, TokenBucket.MONOTONIC_MILLIS, wire)))
                    .compose(id -> presence == null ? Future.succeededFuture() : vertx.deployVerticle(new PresenceVerticle(presence, rooms, announcements,
                            publisher, catalog, stats.nodeId(), clustered ? clusterManager.getHazelcastInstance() : null, oldestHeraldNode,
                            config.presence().flushMs(), wire)))
                    .compose(id -> vertx.deployVerticle(new SignalVerticle(signals)))
                    // webhooks: every node answers their state; the oldest Herald node sends them
                    .compose(id -> vertx.deployVerticle(new WebhooksVerticle(webhooks, eventLog,
                            clustered ? HazelcastWebhookStore.open(vertx, clusterManager.getHazelcastInstance()) : Future.<WebhookStore>succeededFuture(new LocalWebhookStore()),
                            stats, oldestHeraldNode, Backoff.DEFAULT)))
                    // the transactional outbox (docs/outbox.md): every node runs it, the oldest Herald node works the table
                    .compose(id -> {
                        if (!config.outbox().enabled()) {
                            return Future.succeededFuture();
                        }
                        OutboxStatus outboxStatus = new OutboxStatus(config.outbox().table());
                        health.source(OutboxVerticle.SOURCE, outboxStatus::toJson);
                        return vertx.deployVerticle(new OutboxVerticle(config.outbox(), config.http().maxBodyBytes(), publisher, stats,
                                oldestHeraldNode, outboxStatus));
                    })
                    // the proxies' HTTP clients and breakers, closed when it is undeployed (the node's shutdown)
                    .compose(id -> vertx.deployVerticle(proxies))
                    .compose(id -> {
                        Future<Void> all = Future.succeededFuture();
                        for (int i = 0; i < instances; i++) {
                            HttpVerticle bridge = new HttpVerticle(config, catalog, publisher, eventLog, bridgePolicies, publishLimit, stats, clustered, health, devTokens,
                                    replayBudget).stateReader(statePolicy.stateReader()).inboxReader(inboxPolicy.inboxReader());
                            first[0] = first[0] == null ? bridge : first[0];
                            all = all.compose(v -> vertx.deployVerticle(bridge).map(bridges::add).mapEmpty());
                        }
                        return all;
                    })
                    .compose(v -> config.demo().enabled()
                            ? vertx.deployVerticle(new DemoVerticle(publisher, config.demo().intervalMs())).mapEmpty()
                            : Future.succeededFuture())
                    // sources.kafka: records of the topics published as POST /api/events publishes them (docs/kafka.md)
                    .compose(v -> {
                        if (!config.kafka().enabled()) {
                            return Future.succeededFuture();
                        }
                        KafkaSourceVerticle kafka = new KafkaSourceVerticle(config.kafka(), publisher, catalog::contains,
                                config.http().maxBodyBytes(), stats);
                        health.source("kafka", kafka::status);
                        return vertx.deployVerticle(kafka).mapEmpty();
                    })
                    .map(v -> {
                        health.listening();
                        return new HeraldNode(vertx, config, stats, first[0].actualPort(), bridges, clusterManager, health, quorum);
                    });
        })).onFailure(err -> vertx.close());
    }

    /**
     * Graceful shutdown: says not ready at once (new bridge connections are refused from then on), closes
     * every socket with {@code shutdown} (1001: clients move to another node) on all HTTP instances at once,
     * then leaves the cluster (Hazelcast hands this member's partitions to the others first) and stops Vert.x.
     * A second call gets the first one's future.
     */
    public synchronized Future<Void> close() {
        if (closed == null) {
            beginShutdown();
            long start = System.nanoTime();
            long connections = stats.connections();
            List<Future<Void>> bridgesDown = new ArrayList<>();
            for (String id : bridgeDeployments) {
                bridgesDown.add(vertx.undeploy(id));
            }
            closed = Future.join(bridgesDown)
                    .andThen(v -> socketsClosed = "closed " + connections + " connections in " + (System.nanoTime() - start) / 1_000_000 + " ms")
                    // a graceful leave: no longer a voting member, so the others' quorum shrinks with this node
                    .compose(v -> quorum == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
                        quorum.leave();
                        return null;
                    }, false))
                    .<Void>mapEmpty()
                    .eventually(vertx::close);
        }
        return closed;
    }

    /** After {@link #close()}: how many connections it closed, in how long (the shutdown hook prints it: logging is gone by then). */
    public String socketsClosed() {
        return socketsClosed;
    }

    /** The first step of {@link #close()}: from now on {@code /health} and {@code /ready} answer 503 on every HTTP instance. */
    public void beginShutdown() {
        health.closing();
    }

    public Vertx vertx() {
        return vertx;
    }

    public HeraldConfig config() {
        return config;
    }

    public int port() {
        return port;
    }

    public String nodeId() {
        return stats.nodeId();
    }

    public boolean clustered() {
        return clusterManager != null;
    }

    /** The node's Hazelcast member, or null when not clustered. */
    public HazelcastInstance hazelcast() {
        return clusterManager == null ? null : clusterManager.getHazelcastInstance();
    }

    /** Members of the cluster as Vert.x sees them (1 when not clustered). */
    public int clusterSize() {
        return clusterManager == null ? 1 : clusterManager.getNodes().size();
    }
}
