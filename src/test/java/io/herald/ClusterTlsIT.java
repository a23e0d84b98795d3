package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.Eventually;
import io.herald.testing.TestCerts;
import io.herald.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The event bus between nodes with {@code cluster.tls.*}: two Herald nodes with certificates of the cluster's CA (one
 * from PKCS#12 stores, one from PEM files) talk; two members that joined the same Hazelcast cluster (Hazelcast's
 * open-source edition lets anyone who reaches its port join) exchange no event-bus message with them: one with a
 * certificate of another CA (that trusts the cluster's CA), one with no TLS at all. Certificates are made here with keytool.
 * Also: Hazelcast listens on {@code cluster.host} only, not on every interface.
 */
class ClusterTlsIT {
    @TempDir
    static Path dir;
    static HeraldNode nodeA;
    static HeraldNode nodeB;
    static Map<String, Vertx> outsiders;
    static int hazelcastPortA;

    @BeforeAll
    static void start() throws Exception {
        TestCerts.Ca ca = TestCerts.ca(dir, "herald");
        TestCerts.Identity a = TestCerts.signed(dir, ca, "node-a");
        TestCerts.Identity b = TestCerts.signed(dir, ca, "node-b");
        TestCerts.Ca rogueCa = TestCerts.ca(dir, "rogue");
        TestCerts.Identity rogue = TestCerts.signed(dir, rogueCa, "rogue");

        String cluster = TestNodes.uniqueClusterName();
        List<Integer> ports = List.of(TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
        hazelcastPortA = ports.get(0);
        nodeA = TestNodes.startClustered(cluster, ports.get(0), ports, json -> json.getJsonObject("cluster").put("tls", new io.vertx.core.json.JsonObject()
                .put("keyStore", a.keyStore().toString()).put("keyStorePassword", TestCerts.PASSWORD)
                .put("trustStore", ca.trustStore().toString()).put("trustStorePassword", TestCerts.PASSWORD)));
        nodeB = TestNodes.startClustered(cluster, ports.get(1), ports, json -> json.getJsonObject("cluster").put("tls", new io.vertx.core.json.JsonObject()
                .put("certPath", b.certPem().toString()).put("keyPath", b.keyPem().toString()).put("trustPath", ca.certPem().toString())));
        outsiders = new java.util.LinkedHashMap<>();
        outsiders.put("another CA's certificate", member(cluster, ports.get(2), ports, new EventBusOptions().setSsl(true).setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(rogue.certPem().toString()).setKeyPath(rogue.keyPem().toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.certPem().toString()).addCertPath(rogueCa.certPem().toString()))));
        outsiders.put("no TLS", member(cluster, ports.get(3), ports, new EventBusOptions()));
        Eventually.assertWithin(120, "all four members joined", () -> nodeA.clusterSize() == 4);
    }

    /** A plain clustered Vert.x member (no Herald) with these event-bus options. */
    static Vertx member(String cluster, int hazelcastPort, List<Integer> ports, EventBusOptions eventBus) {
        VertxOptions options = new VertxOptions().setEventBusOptions(eventBus.setHost("127.0.0.1").setPort(0));
        return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(TestNodes.hazelcast(cluster, hazelcastPort, ports)))
                .buildClustered().await();
    }

    @AfterAll
    static void stop() {
        if (outsiders != null) {
            outsiders.values().forEach(v -> v.close().await());
        }
        if (nodeB != null) {
            nodeB.close().await();
        }
        if (nodeA != null) {
            nodeA.close().await();
        }
    }

    static MessageConsumer<Object> counting(Vertx vertx, String address, AtomicInteger count) {
        MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, message -> {
            count.incrementAndGet();
            message.reply("pong");
        });
        consumer.completion().await();
        return consumer;
    }

    @Test
    void theNodesWithTheClustersCertificatesTalk() {
        AtomicInteger onB = new AtomicInteger();
        counting(nodeB.vertx(), "probe.tls.b", onB);
        Eventually.assertWithin(60, "a request from A to B is answered over TLS", () -> {
            try {
                return "pong".equals(nodeA.vertx().eventBus().request("probe.tls.b", "ping", new DeliveryOptions().setSendTimeout(5000)).await().body());
            } catch (ReplyException notYet) {
                return false;
            }
        });
        AtomicInteger onA = new AtomicInteger();
        counting(nodeA.vertx(), "probe.tls.a", onA);
        Eventually.assertWithin(60, "a request from B to A is answered over TLS", () -> {
            try {
                return "pong".equals(nodeB.vertx().eventBus().request("probe.tls.a", "ping", new DeliveryOptions().setSendTimeout(5000)).await().body());
            } catch (ReplyException notYet) {
                return false;
            }
        });
    }

    @Test
    void aMemberWithoutTheRightCertificateExchangesNoMessage() {
        for (Map.Entry<String, Vertx> entry : outsiders.entrySet()) {
            String who = entry.getKey();
            Vertx outsider = entry.getValue();
            String tag = who.replace(' ', '-').replace("'", "");

            // the nodes to the outsider: the outsider consumes first, then B; once B got A's publishes, A knew of both
            AtomicInteger onOutsider = new AtomicInteger();
            AtomicInteger onB = new AtomicInteger();
            counting(outsider, "probe.to." + tag, onOutsider);
            counting(nodeB.vertx(), "probe.to." + tag, onB);
            Eventually.assertWithin(60, "B received A's publishes", () -> {
                nodeA.vertx().eventBus().publish("probe.to." + tag, "secret");
                return onB.get() >= 3;
            });
            AtomicInteger onOutsiderFromB = new AtomicInteger();
            counting(outsider, "probe.fromB." + tag, onOutsiderFromB);
            assertRequestFails(nodeB.vertx(), "probe.fromB." + tag, who + " answered B");

            // the outsider to the nodes: a request to a consumer on A only is never answered
            AtomicInteger onA = new AtomicInteger();
            counting(nodeA.vertx(), "probe.from." + tag, onA);
            assertRequestFails(outsider, "probe.from." + tag, "A answered " + who);
            // and the outsider's publishes (one of Herald's event types) reach no node
            AtomicInteger ordersOnA = new AtomicInteger();
            MessageConsumer<Object> orders = counting(nodeA.vertx(), "probe.order." + tag, ordersOnA);
            for (int i = 0; i < 5; i++) {
                outsider.eventBus().publish("probe.order." + tag, "forged");
            }
            orders.unregister().await();

            assertEquals(0, onOutsider.get(), who + " received " + onOutsider.get() + " of the TLS cluster's messages");
            assertEquals(0, onOutsiderFromB.get(), who + " received B's request");
            assertEquals(0, onA.get(), "A received " + onA.get() + " requests from " + who);
            assertEquals(0, ordersOnA.get(), "A received " + ordersOnA.get() + " publishes from " + who);
        }
    }

    /**
     * A request that cannot be delivered: retried while the sender does not know of the consumer yet (no handlers);
     * once it does, the request must fail (the connection is refused in the TLS handshake) rather than be answered.
     */
    static void assertRequestFails(Vertx from, String address, String what) {
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                from.eventBus().request(address, "ping", new DeliveryOptions().setSendTimeout(3000)).await();
                fail(what);
            } catch (ReplyException failed) {
                if (failed.failureType() != ReplyFailure.NO_HANDLERS) {
                    return;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        fail("the sender never learned of the consumer at " + address);
    }

    @Test
    void hazelcastListensOnClusterHostOnly() throws Exception {
        List<InetAddress> others = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream()
                        .filter(x -> x instanceof Inet4Address && !x.isLoopbackAddress() && !x.isLinkLocalAddress())
                        .forEach(others::add);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(others.isEmpty(), "this machine has no address but loopback");
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", hazelcastPortA), 5000);
        }
        for (InetAddress address : others) {
            try (Socket socket = new Socket()) {
                assertThrows(java.io.IOException.class, () -> socket.connect(new InetSocketAddress(address, hazelcastPortA), 5000),
                        "Hazelcast took a connection on " + address);
            }
        }
    }
}
