package io.herald.testing;

import io.herald.node.HeraldNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Consumer;

/**
 * Two clustered nodes in this JVM (a cluster of their own, shipped configuration that {@code edit} changes) and a Vert.x
 * for their bridge clients, for the ITs of what the cluster shares (inbox, keyed state): connecting a user and asking a
 * control address. Closing it closes the clients, then the nodes.
 */
public final class TwoNodes implements AutoCloseable {
    public final HeraldNode a;
    public final HeraldNode b;
    public final Vertx clients;
    /** The cluster's name and the nodes' Hazelcast ports, for a third member an IT starts or spawns. */
    public final String cluster;
    public final int hazelcastA;
    public final int hazelcastB;

    private TwoNodes(HeraldNode a, HeraldNode b, String cluster, int hazelcastA, int hazelcastB) {
        this.a = a;
        this.b = b;
        this.clients = Vertx.vertx();
        this.cluster = cluster;
        this.hazelcastA = hazelcastA;
        this.hazelcastB = hazelcastB;
    }

    public static TwoNodes start(Consumer<JsonObject> edit) {
        String cluster = TestNodes.uniqueClusterName();
        int a = TestNodes.freePort();
        int b = TestNodes.freePort();
        HeraldNode[] nodes = startPair(cluster, a, b, edit);
        return new TwoNodes(nodes[0], nodes[1], cluster, a, b);
    }

    /**
     * Just the two clustered nodes, for a test that closes them itself (one of them on purpose, before the other): the
     * oldest, then the other.
     */
    public static HeraldNode[] startPair(Consumer<JsonObject> edit) {
        int a = TestNodes.freePort();
        int b = TestNodes.freePort();
        return startPair(TestNodes.uniqueClusterName(), a, b, edit);
    }

    private static HeraldNode[] startPair(String cluster, int a, int b, Consumer<JsonObject> edit) {
        HeraldNode first = TestNodes.startClustered(cluster, a, List.of(a, b), edit);
        try {
            return new HeraldNode[] {first, TestNodes.startClustered(cluster, b, List.of(a, b), edit)};
        } catch (RuntimeException | Error e) {
            // the second did not start: the first is closed here, not left running for the rest of the JVM's tests
            try {
                first.close().await();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** A bridge client of {@code node} with a token for this user and role. */
    public BridgeClient connect(HeraldNode node, String user, String role) {
        return BridgeClient.connect(clients, node.port(), TestNodes.token(node, user, role));
    }

    /** Sends {@code body} to a control address ({@code herald:…}) and answers the frame that replies (rec or err). */
    public static JsonObject ask(BridgeClient client, String address, JsonObject body) {
        String reply = "reply-" + System.nanoTime();
        client.request(address, body, reply);
        return client.next(f -> reply.equals(f.getString("address")));
    }

    @Override
    public void close() {
        clients.close().await();
        b.close().await();
        a.close().await();
    }
}
