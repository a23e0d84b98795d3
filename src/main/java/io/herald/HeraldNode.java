package io.herald;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.herald.auth.AuthVerticle;
import io.herald.auth.RoleMatrix;
import io.herald.bridge.BridgeVerticle;
import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.demo.DemoVerticle;
import io.herald.event.BusEvent;
import io.herald.event.BusEventCodec;
import io.herald.event.EventLog;
import io.herald.event.EventPublisher;
import io.herald.event.HazelcastEventLog;
import io.herald.event.LocalEventLog;
import io.herald.event.PublishVerticle;
import io.herald.stats.NodeStats;
import io.herald.stats.StatsVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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

    private HeraldNode(Vertx vertx, HeraldConfig config, NodeStats stats, int port, List<String> bridgeDeployments,
                       HazelcastClusterManager clusterManager) {
        this.vertx = vertx;
        this.config = config;
        this.stats = stats;
        this.port = port;
        this.bridgeDeployments = bridgeDeployments;
        this.clusterManager = clusterManager;
    }

    public static Future<HeraldNode> start(HeraldConfig config) {
        return start(config, null);
    }

    /** Starts a node; {@code hazelcastConfig}, when given, replaces the cluster config file (tests). */
    public static Future<HeraldNode> start(HeraldConfig config, Config hazelcastConfig) {
        EventCatalog catalog;
        RoleMatrix roles;
        try {
            catalog = EventCatalog.fromJson(HeraldConfig.readJson(config.catalogFile(), "catalog"));
            roles = RoleMatrix.compile(HeraldConfig.readJson(config.rolesFile(), "roles"), catalog);
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
        VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
        if (!config.cluster().enabled()) {
            return deploy(Vertx.vertx(options), null, config, catalog, roles);
        }
        HazelcastClusterManager clusterManager;
        try {
            clusterManager = new HazelcastClusterManager(hazelcastConfig != null ? hazelcastConfig : loadHazelcast(config));
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
        options.getEventBusOptions().setHost(config.cluster().host());
        return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered()
                .compose(vertx -> deploy(vertx, clusterManager, config, catalog, roles));
    }

    private static Config loadHazelcast(HeraldConfig config) {
        try {
            return new FileSystemXmlConfig(config.cluster().configFile().toFile());
        } catch (FileNotFoundException e) {
            throw new ConfigException("cluster.configFile (" + HeraldConfig.ENV_CLUSTER_CONFIG + ")",
                    "cannot read " + config.cluster().configFile());
        }
    }

    private static Future<HeraldNode> deploy(Vertx vertx, HazelcastClusterManager clusterManager, HeraldConfig config,
                                             EventCatalog catalog, RoleMatrix roles) {
        vertx.eventBus().registerDefaultCodec(BusEvent.class, new BusEventCodec());
        boolean clustered = clusterManager != null;
        NodeStats stats = new NodeStats(clustered ? clusterManager.getNodeId() : UUID.randomUUID().toString());
        Future<EventLog> log = clustered
                ? HazelcastEventLog.open(vertx, clusterManager.getHazelcastInstance(), catalog.types()).map(l -> l)
                : Future.succeededFuture(new LocalEventLog());

        return log.compose(eventLog -> {
            EventPublisher publisher = new EventPublisher(vertx.eventBus(), catalog, eventLog, stats);
            List<String> bridges = new ArrayList<>();
            BridgeVerticle first = new BridgeVerticle(config, catalog, roles, publisher, stats, clustered);
            return vertx.deployVerticle(new AuthVerticle(config.auth(), roles))
                    .compose(id -> vertx.deployVerticle(new StatsVerticle(stats, config.statsIntervalMs())))
                    .compose(id -> vertx.deployVerticle(new PublishVerticle(publisher)))
                    .compose(id -> vertx.deployVerticle(first))
                    .compose(id -> {
                        bridges.add(id);
                        // the other instances share the first one's port; Vert.x cannot share an OS-picked
                        // port (0), so that case runs one instance
                        int instances = config.http().port() == 0 ? 1 : config.bridge().instances();
                        Future<Void> more = Future.succeededFuture();
                        for (int i = 1; i < instances; i++) {
                            more = more.compose(v -> vertx.deployVerticle(new BridgeVerticle(config, catalog,
                                    roles, publisher, stats, clustered)).map(bridges::add).mapEmpty());
                        }
                        return more;
                    })
                    .compose(v -> config.demo().enabled()
                            ? vertx.deployVerticle(new DemoVerticle(publisher, config.demo().intervalMs())).mapEmpty()
                            : Future.succeededFuture())
                    .map(v -> new HeraldNode(vertx, config, stats, first.actualPort(), bridges, clusterManager));
        }).onFailure(err -> vertx.close());
    }

    /** Closes every socket with a reason, then leaves the cluster and stops Vert.x. */
    public Future<Void> close() {
        Future<Void> bridgesDown = Future.succeededFuture();
        for (String id : bridgeDeployments) {
            bridgesDown = bridgesDown.compose(v -> vertx.undeploy(id));
        }
        return bridgesDown.eventually(vertx::close);
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

    /** Members of the cluster as Vert.x sees them (1 when not clustered). */
    public int clusterSize() {
        return clusterManager == null ? 1 : clusterManager.getNodes().size();
    }
}
