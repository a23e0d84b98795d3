package io.herald.access;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryView;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.herald.Addresses;
import io.herald.HeraldException;
import io.herald.auth.Revocations;
import io.herald.cluster.HeraldMembers;
import io.herald.event.Disconnected;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Revocation, cluster-wide, one per node. A disconnect ({@link Addresses#DISCONNECT}: the HTTP API or
 * {@code HeraldClient}) is validated, its cutoff written to the cluster's map {@value #MAP} (one entry per user,
 * TTL {@code auth.maxTokenLifetimeSeconds}), then published to every node ({@link Addresses#DISCONNECT_NODES}); each
 * node records the cutoff in its {@link Revocations}, closes its connections of those users with {@code revoked} and
 * answers on the request's own address. The answer sums the nodes that answered within {@value #WAIT_MS} ms.
 *
 * <p>The check at connect and refresh reads only the node's {@link Revocations}: clustered, it is loaded from the map
 * at start and kept by an entry listener (so a node that joins later knows the revocations in force); unclustered,
 * it is the only copy. Expired entries are swept every {@value #SWEEP_MS} ms.
 */
public final class RevocationVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(RevocationVerticle.class.getName());
    /** The cluster's revocations: user id → cutoff (unix seconds). */
    public static final String MAP = "herald.revocations";
    static final long WAIT_MS = 2000;
    static final long SWEEP_MS = 60_000;

    private final Revocations revocations;
    private final UserConnections connections;
    private final HazelcastInstance hazelcast;
    private final String nodeId;
    private final int maxUsers;
    private final int ttlSeconds;
    private IMap<String, Long> map;
    private final io.herald.cluster.ClusterWire wire;
    private UUID listener;

    public RevocationVerticle(Revocations revocations, UserConnections connections, HazelcastInstance hazelcast, String nodeId,
                              int maxUsers, int ttlSeconds, io.herald.cluster.ClusterWire wire) {
        this.wire = wire;
        this.revocations = revocations;
        this.connections = connections;
        this.hazelcast = hazelcast;
        this.nodeId = nodeId;
        this.maxUsers = maxUsers;
        this.ttlSeconds = ttlSeconds;
    }

    @Override
    public Future<?> start() {
        Future<Void> loaded = hazelcast == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
            map = hazelcast.getMap(MAP);
            listener = map.addEntryListener(new Listener(), true);
            for (String user : map.keySet()) {
                EntryView<String, Long> entry = map.getEntryView(user);
                if (entry != null && entry.getValue() != null) {
                    revocations.put(user, entry.getValue(), entry.getExpirationTime());
                }
            }
            return null;
        }, false);
        vertx.setPeriodic(SWEEP_MS, id -> revocations.sweep(System.currentTimeMillis()));
        return loaded
                .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.DISCONNECT_NODES, this::onNodeRequest).completion())
                .compose(v -> vertx.eventBus().<Object>consumer(Addresses.DISCONNECT, this::onDisconnect).completion());
    }

    @Override
    public Future<?> stop() {
        if (map == null || listener == null) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> map.removeEntryListener(listener), false).otherwiseEmpty();
    }

    private void onDisconnect(Message<Object> request) {
        DisconnectRequest disconnect;
        try {
            disconnect = DisconnectRequest.fromJson(request.body(), maxUsers, System.currentTimeMillis() / 1000);
        } catch (HeraldException e) {
            HeraldException.failReply(request, e);
            return;
        }
        disconnect(disconnect).onComplete(done -> {
            if (done.succeeded()) {
                request.reply(done.result().toJson());
            } else {
                HeraldException.failReply(request, done.cause());
            }
        });
    }

    /** Records the revocation in the cluster, asks every node to close the users' connections, sums the answers. */
    Future<Disconnected> disconnect(DisconnectRequest request) {
        long expiresAtMs = System.currentTimeMillis() + ttlSeconds * 1000L;
        if (request.revokeBefore() > 0) {
            // this node refuses the old tokens at once, whatever the map and the other nodes take
            request.users().forEach(user -> revocations.put(user, request.revokeBefore(), expiresAtMs));
        }
        int total = heraldNodes();
        String replyTo = Addresses.DISCONNECT_REPLY_PREFIX + UUID.randomUUID();
        Promise<Disconnected> answer = Promise.promise();
        long[] sum = {0};
        int[] answered = {0};
        MessageConsumer<JsonObject> replies = vertx.eventBus().consumer(replyTo, reply -> {
            if (!wire.accepts(reply.body(), "disconnect answer")) {
                return;
            }
            sum[0] += reply.body().getLong("disconnected", 0L);
            answered[0]++;
            if (answered[0] >= total) {
                answer.tryComplete(new Disconnected(sum[0], answered[0], total));
            }
        });
        long timer = vertx.setTimer(WAIT_MS, id -> answer.tryComplete(new Disconnected(sum[0], answered[0], total)));
        JsonObject toNodes = wire.mark(new JsonObject()).put("users", new JsonArray(request.users())).put("revokeBefore", request.revokeBefore())
                .put("expiresAtMs", expiresAtMs).put("replyTo", replyTo);
        replies.completion()
                .compose(v -> store(request))
                .onComplete(stored -> {
                    if (stored.failed()) {
                        LOG.warning("revocations could not be written to the cluster map (" + stored.cause()
                                + "); the nodes still get them with the disconnect");
                    }
                    vertx.eventBus().publish(Addresses.DISCONNECT_NODES, toNodes);
                });
        return answer.future().andThen(done -> {
            vertx.cancelTimer(timer);
            replies.unregister();
        });
    }

    /** The cutoffs, in the cluster's map with their TTL (the later cutoff wins); nothing unclustered or without a cutoff. */
    private Future<Void> store(DisconnectRequest request) {
        if (map == null || request.revokeBefore() <= 0) {
            return Future.succeededFuture();
        }
        List<Future<Long>> puts = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (String user : request.users()) {
            long cutoff = Math.max(request.revokeBefore(), revocations.cutoff(user, now));
            puts.add(Future.fromCompletionStage(map.putAsync(user, cutoff, ttlSeconds, TimeUnit.SECONDS), context));
        }
        return Future.all(puts).mapEmpty();
    }

    /** A disconnect published to every node: record the cutoff, close the users' connections here, say how many. */
    private void onNodeRequest(Message<JsonObject> message) {
        JsonObject body = message.body();
        if (!wire.accepts(body, "disconnect")) {
            return;
        }
        JsonArray array = body.getJsonArray("users", new JsonArray());
        List<String> users = new ArrayList<>();
        array.forEach(user -> {
            if (user instanceof String id) {
                users.add(id);
            }
        });
        long before = body.getLong("revokeBefore", 0L);
        if (before > 0) {
            long expiresAtMs = body.getLong("expiresAtMs", System.currentTimeMillis() + ttlSeconds * 1000L);
            users.forEach(user -> revocations.put(user, before, expiresAtMs));
        }
        String replyTo = body.getString("replyTo");
        connections.disconnect(users).onComplete(closed -> {
            if (replyTo != null && replyTo.startsWith(Addresses.DISCONNECT_REPLY_PREFIX)) {
                vertx.eventBus().send(replyTo, wire.mark(new JsonObject().put("node", nodeId).put("disconnected", closed.succeeded() ? closed.result() : 0)));
            }
        });
    }

    /** The Herald nodes of the cluster (JVM services that joined it are members too, and do not answer). */
    private int heraldNodes() {
        if (hazelcast == null) {
            return 1;
        }
        int n = 0;
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.getAttribute(HeraldMembers.ATTRIBUTE) != null) {
                n++;
            }
        }
        return Math.max(1, n);
    }

    /** The map's changes, on Hazelcast's event threads, into this node's copy. */
    private final class Listener implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long>,
            EntryRemovedListener<String, Long>, EntryExpiredListener<String, Long>, EntryEvictedListener<String, Long> {
        private void set(EntryEvent<String, Long> event) {
            if (event.getValue() != null) {
                revocations.put(event.getKey(), event.getValue(), System.currentTimeMillis() + ttlSeconds * 1000L);
                // a node that missed the disconnect's message still closes what the revocation refuses; later than the
                // message would have, so that a node that did get it counts its closes in the answer
                String user = event.getKey();
                vertx.setTimer(WAIT_MS, id -> connections.closeRevoked(java.util.List.of(user)));
            }
        }

        @Override
        public void entryAdded(EntryEvent<String, Long> event) {
            set(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, Long> event) {
            set(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, Long> event) {
            revocations.remove(event.getKey());
        }

        @Override
        public void entryExpired(EntryEvent<String, Long> event) {
            revocations.remove(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, Long> event) {
            revocations.remove(event.getKey());
        }
    }
}
