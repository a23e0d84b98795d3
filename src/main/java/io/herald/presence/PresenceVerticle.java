package io.herald.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.herald.Addresses;
import io.herald.catalog.EventCatalog;
import io.herald.event.EventPublisher;
import io.herald.event.PublishRequest;
import io.herald.event.Target;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cluster-wide presence, one per node. Every {@code presence.flushMs} it sends what changed in this node's
 * part ({@link LocalPresence}) to every node as one delta on {@link Addresses#PRESENCE_DELTA}, and keeps
 * every node's part ({@link PresenceView}) from theirs. A node that misses a delta (its numbers jump, or a
 * heartbeat says so) asks that node for a snapshot. When a Hazelcast member leaves, its part is dropped on
 * every node; no Hazelcast structure is written, so a connect costs a map update and nothing more.
 *
 * <p>Exactly one node, the oldest Herald member, turns the cluster-wide changes into events:
 * those of {@link PresenceAnnouncements} (conf/presence.json; shipped: {@code customer:online} /
 * {@code customer:offline}) for a user's first and last connection anywhere, and {@code presence:joined} / {@code presence:left}, aimed at the room, for rooms whose members see each
 * other. Every node answers {@link Addresses#PRESENCE_QUERY} (the API, the bridge, the stats) from its own view.
 */
public final class PresenceVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(PresenceVerticle.class.getName());
    /** How often a node says which delta it is at, so that one missed is noticed without waiting for the next. */
    static final long HEARTBEAT_MS = 1000;
    static final String ROOM_JOINED = "presence:joined";
    static final String ROOM_LEFT = "presence:left";

    private final LocalPresence local;
    private final RoomRules rules;
    private final PresenceAnnouncements announcements;
    private final EventPublisher publisher;
    private final EventCatalog catalog;
    private final String nodeId;
    private final HazelcastInstance hazelcast;
    /** Whether this node is the one that announces (the oldest Herald member). */
    private final BooleanSupplier leader;
    private final long flushMs;
    private final PresenceView view = new PresenceView();
    private final Set<String> snapshotsAsked = new HashSet<>();
    private long seq;
    private UUID membershipListener;
    private final io.herald.cluster.ClusterWire wire;

    /** {@code hazelcast} is null on a node without a cluster: it is then the whole of presence, and its leader. */
    public PresenceVerticle(LocalPresence local, RoomRules rules, PresenceAnnouncements announcements, EventPublisher publisher, EventCatalog catalog, String nodeId,
                            HazelcastInstance hazelcast, BooleanSupplier leader, long flushMs, io.herald.cluster.ClusterWire wire) {
        this.wire = wire;
        this.local = local;
        this.rules = rules;
        this.announcements = announcements;
        this.publisher = publisher;
        this.catalog = catalog;
        this.nodeId = nodeId;
        this.hazelcast = hazelcast;
        this.leader = leader;
        this.flushMs = flushMs;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<JsonObject>localConsumer(Addresses.PRESENCE_QUERY, this::query);
        Future<Void> deltas = vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_DELTA, message -> received(message.body())).completion();
        Future<Void> snapshots = vertx.eventBus().<JsonObject>consumer(Addresses.presenceNode(nodeId),
                request -> request.reply(local.snapshot(nodeId, member(), seq).toJson(wire.writes()))).completion();
        return Future.all(deltas, snapshots).onSuccess(v -> {
            if (hazelcast != null) {
                membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                        String member = event.getMember().getUuid().toString();
                        context.runOnContext(x -> view.memberJoined(member));
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                        String member = event.getMember().getUuid().toString();
                        context.runOnContext(x -> memberLeft(member));
                    }
                });
            }
            vertx.setPeriodic(flushMs, id -> flush());
            vertx.setPeriodic(HEARTBEAT_MS, id -> vertx.eventBus().publish(Addresses.PRESENCE_DELTA,
                    wire.mark(new JsonObject()).put("node", nodeId).put("member", member()).put("seq", seq).put("heartbeat", true)));
        });
    }

    @Override
    public Future<?> stop() {
        if (membershipListener != null) {
            hazelcast.getCluster().removeMembershipListener(membershipListener);
        }
        flush(); // the connections this node closed on its way down, for the nodes that stay
        return Future.succeededFuture();
    }

    private String member() {
        return hazelcast == null ? nodeId : hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    private void flush() {
        PresenceDelta delta = local.drain(nodeId, member(), seq + 1);
        if (delta.isEmpty()) {
            return;
        }
        seq++;
        List<PresenceView.Change> changes = new ArrayList<>();
        view.apply(delta, changes);
        vertx.eventBus().publish(Addresses.PRESENCE_DELTA, delta.toJson(wire.writes()));
        announce(changes);
    }

    private void received(JsonObject body) {
        String node = body.getString("node");
        if (node == null || node.equals(nodeId) || !wire.accepts(body, "presence delta")) {
            return;
        }
        if (body.getBoolean("heartbeat", false)) {
            if (view.missed(node, body.getString("member"), body.getLong("seq", 0L))) {
                askSnapshot(node);
            }
            return;
        }
        apply(PresenceDelta.fromJson(body));
    }

    private void apply(PresenceDelta delta) {
        List<PresenceView.Change> changes = new ArrayList<>();
        PresenceView.Outcome outcome = view.apply(delta, changes);
        if (outcome == PresenceView.Outcome.NEEDS_SNAPSHOT) {
            askSnapshot(delta.node());
        }
        announce(changes);
    }

    private void askSnapshot(String node) {
        if (!snapshotsAsked.add(node)) {
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.presenceNode(node), new JsonObject())
                .onComplete(reply -> {
                    snapshotsAsked.remove(node);
                    if (reply.succeeded() && wire.accepts(reply.result().body(), "presence snapshot")) {
                        apply(PresenceDelta.fromJson(reply.result().body()));
                    }
                });
    }

    private void memberLeft(String member) {
        List<PresenceView.Change> changes = new ArrayList<>();
        view.memberLeft(member, changes);
        announce(changes);
    }

    /** The leader's part: the events that cluster-wide changes make. */
    private void announce(List<PresenceView.Change> changes) {
        if (changes.isEmpty() || !leader.getAsBoolean()) {
            return;
        }
        for (PresenceView.Change change : changes) {
            switch (change.kind()) {
                case ONLINE, OFFLINE -> {
                    PresenceAnnouncements.Entry entry = announcements.forRole(change.role());
                    boolean online = change.kind() == PresenceView.ChangeKind.ONLINE;
                    String type = entry == null ? null : online ? entry.online() : entry.offline();
                    if (type != null) {
                        Map<String, String> claims = new HashMap<>();
                        claims.put("storeId", change.storeId());
                        publish(type, entry.data(change.userId(), claims, online ? change.since() : null), null, change);
                    }
                }
                case JOINED, LEFT -> {
                    if (rules.membersSeeEachOther(change.room())) {
                        JsonObject data = new JsonObject().put("room", change.room()).put("userId", change.userId()).put("role", change.role());
                        publish(change.kind() == PresenceView.ChangeKind.JOINED ? ROOM_JOINED : ROOM_LEFT, data,
                                new Target(Set.of(), Set.of(), Set.of(change.room())), change);
                    }
                }
            }
        }
    }

    private void publish(String type, JsonObject data, Target target, PresenceView.Change change) {
        if (!catalog.contains(type)) {
            return;
        }
        publisher.publish(new PublishRequest(type, data, target, change.userId(), change.storeId()))
                .onFailure(err -> LOG.log(Level.WARNING, "presence event " + type + " for " + io.herald.log.LogText.escape(change.userId()) + " not published", err));
    }

    private void query(Message<JsonObject> request) {
        JsonObject body = request.body() == null ? new JsonObject() : request.body();
        String room = body.getString("room");
        PresencePage page = PresencePage.from(body);
        request.reply(body.getBoolean("summary", false) ? view.summary() : room == null ? view.users(page) : view.room(room, page));
    }
}
