package io.herald.health;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.core.HazelcastInstance;
import io.herald.cluster.ClusterQuorum;
import io.herald.history.EventLog;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the node is alive ({@code /health}) and ready to take clients ({@code /ready}), as vertx-health-check
 * procedures. Alive: not shutting down. Ready: listening (every HTTP instance up, not shutting down), in its
 * cluster (Hazelcast running and active, with a majority of its voting members or {@code cluster.minMembers}, and its lease: a node cut off
 * from the others sees fewer), and history answering. Shutting down is one flag for the whole node, so every
 * HTTP instance says so at once.
 */
public final class NodeHealth {
    /** How long a check may take before it counts as down. */
    static final long CHECK_TIMEOUT_MS = 2000;

    private final HazelcastInstance hazelcast;
    private final ClusterQuorum quorum;
    private final EventLog log;
    private final String probeType;
    private final HealthChecks alive;
    private final HealthChecks ready;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** A history read still waiting (a partition can hold one for a minute): the next check does not start another. */
    private final AtomicBoolean historyProbeRunning = new AtomicBoolean();
    private final AtomicBoolean safeCheckRunning = new AtomicBoolean();
    private volatile boolean listening;
    /** The wire versions this node reads and writes, and what it read and refused (null: not given). */
    private volatile io.herald.cluster.ClusterWire wire;

    /** {@code hazelcast} null: a node without a cluster; {@code probeType}: the event type whose history is read to check it. */
    public NodeHealth(Vertx vertx, NodeStats stats, HazelcastInstance hazelcast, ClusterQuorum quorum, EventLog log, String probeType) {
        this.hazelcast = hazelcast;
        this.quorum = quorum;
        this.log = log;
        this.probeType = probeType;
        this.alive = HealthChecks.create(vertx).register("node", CHECK_TIMEOUT_MS, promise -> promise.complete(
                new Status().setOk(!closing.get()).setData(new JsonObject().put("node", stats.nodeId()).put("closing", closing.get())
                        .put("connections", stats.connections()))));
        this.ready = HealthChecks.create(vertx)
                .register("listening", CHECK_TIMEOUT_MS, promise -> promise.complete(
                        new Status().setOk(listening && !closing.get()).setData(new JsonObject().put("closing", closing.get()))))
                // isClusterSafe asks every member: off the event loop
                .register("cluster", CHECK_TIMEOUT_MS, promise -> vertx.executeBlocking(this::cluster, false).onComplete(promise))
                .register("history", CHECK_TIMEOUT_MS, promise -> history().onComplete(promise));
    }

    /**
     * Up with Hazelcast running and active and at least {@code minMembers} members. {@code safe} says whether
     * every partition has its backup in sync and none is migrating: a rolling restart waits for it before
     * stopping the next node. It does not make the node unready: while a node joins, every member migrates,
     * and a load balancer should not take them all out meanwhile.
     */
    private Status cluster() {
        if (hazelcast == null) {
            return Status.OK(new JsonObject().put("clustered", false));
        }
        boolean running = hazelcast.getLifecycleService().isRunning();
        int members = running ? hazelcast.getCluster().getMembers().size() : 0;
        ClusterState state = running ? hazelcast.getCluster().getClusterState() : null;
        boolean safe = running && isClusterSafe();
        boolean quorate = running && quorum.hasQuorum();
        boolean lease = quorum.holdsLease();
        return new Status().setOk(running && state == ClusterState.ACTIVE && quorate && lease)
                .setData(new JsonObject().put("members", members).put("minMembers", quorum.minMembers())
                        .put("voters", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(quorum.voters())))
                        .put("quorum", quorum.quorumSize()).put("quorate", quorate).put("lease", lease)
                        .put("state", String.valueOf(state)).put("safe", safe)
                        .put("wire", wire == null ? null : wire.toJson()));
    }

    /**
     * A source from the estate (Kafka, …) in {@code /ready}: its {@code status} as the check's data, always up: a source
     * that cannot reach its broker or database shows there without making the bridge unready (docs/kafka.md).
     */
    public NodeHealth source(String name, java.util.function.Supplier<JsonObject> status) {
        ready.register(name, CHECK_TIMEOUT_MS, promise -> promise.complete(Status.OK(status.get())));
        return this;
    }

    /** Shows the node's wire versions in {@code /ready}'s cluster check ({@code "wire":{"reads","writes","read","refused"}}). */
    public NodeHealth wire(io.herald.cluster.ClusterWire wire) {
        this.wire = wire;
        return this;
    }

    /**
     * Adds {@code /ready}'s {@code identity} check: up once the identity provider's keys ({@code auth.jwksUrl}) were fetched
     * (a later failed refresh keeps them, and the node ready); its data says how many, when, and the last error.
     */
    public NodeHealth identity(io.herald.auth.JwksKeys keys) {
        ready.register("identity", CHECK_TIMEOUT_MS, promise -> promise.complete(new Status().setOk(keys.loaded()).setData(keys.status())));
        return this;
    }

    /** Asks every member; while an earlier ask still waits (a partition), answers false rather than piling up more. */
    private boolean isClusterSafe() {
        if (!safeCheckRunning.compareAndSet(false, true)) {
            return false;
        }
        try {
            return hazelcast.getPartitionService().isClusterSafe();
        } finally {
            safeCheckRunning.set(false);
        }
    }

    private Future<Status> history() {
        if (!historyProbeRunning.compareAndSet(false, true)) {
            return Future.succeededFuture(Status.KO(new JsonObject().put("reason", "the last read of history has not answered yet")));
        }
        return log.position(probeType)
                .map(position -> Status.OK(new JsonObject().put("probe", probeType).put("tail", position.tail())))
                .otherwise(err -> Status.KO(new JsonObject().put("reason", String.valueOf(err.getMessage()))))
                .andThen(done -> historyProbeRunning.set(false));
    }

    /** Every HTTP instance listens. */
    public void listening() {
        listening = true;
    }

    /** The node is shutting down: both endpoints say so from now on. */
    public void closing() {
        closing.set(true);
    }

    /**
     * Cut off from most of its cluster: no majority of the voting members (or fewer than {@code cluster.minMembers} members) (also while a node waits for the
     * others at start). History refuses appends and reads then, and the bridge sends its clients to other nodes.
     */
    public boolean inMinority() {
        return hazelcast != null && hazelcast.getLifecycleService().isRunning() && !quorum.hasQuorum();
    }

    public boolean isClosing() {
        return closing.get();
    }

    public Future<CheckResult> alive() {
        return alive.checkStatus();
    }

    public Future<CheckResult> ready() {
        return ready.checkStatus();
    }
}
