package io.herald;

import io.herald.node.HeraldNode;
import io.herald.testing.BridgeClient;
import io.herald.testing.Eventually;
import io.herald.testing.TestJwks;
import io.herald.testing.TestJwks.SigningKey;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack the cap of EC/EdDSA token checks answers (TokenVerifier, at most 64 waiting or running per node): a flood of
 * connections carrying well-formed ES256 tokens of the identity provider (a real JWKS server on loopback), each a
 * signature check of milliseconds on the shared worker pool. The pool is held busy here (its threads wait on a latch,
 * as behind slow blocking work), so every check the node admits waits: the node admits 64, refuses every one beyond
 * with {@code unavailable} (an err, then the close that tells the client to reconnect) at once, instead of queueing
 * them without end; HS256 clients, verified on their event loop, connect meanwhile; once the pool is free the 64
 * waiting connections open and a new EC connection is admitted again.
 */
class TokenCheckFloodIT {
    static final int CAP = 64;
    static final int FLOOD = 100;
    static Vertx clients;

    @BeforeAll
    static void start() {
        clients = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        clients.close().await();
    }

    /** The first frame of a connection that sent nothing yet: its refusal's err, if it was refused; null if none came. */
    static JsonObject first(BridgeClient client) {
        return client.poll(Duration.ofMillis(1));
    }

    @Test
    void aFloodOfEcTokensIsCappedAt64ChecksInFlightAndHs256ClientsStillConnect() throws Exception {
        SigningKey es = TestJwks.ec("es-1");
        try (JwksIT.Provider provider = new JwksIT.Provider(TestNodes.freePort(), "max-age=86400", List.of(es)).up()) {
            HeraldNode node = JwksIT.node(provider, 3600, 3600, 3600, a -> { });
            CountDownLatch release = new CountDownLatch(1);
            List<BridgeClient> flood = new ArrayList<>();
            try {
                assertEquals("open", JwksIT.connect(clients, node, es.sign(JwksIT.claims("before", "staff"))), "an EC token opens a connection");

                // every thread of the node's shared worker pool (Vert.x's default size) held busy
                int pool = VertxOptions.DEFAULT_WORKER_POOL_SIZE;
                AtomicInteger busy = new AtomicInteger();
                for (int i = 0; i < pool; i++) {
                    node.vertx().executeBlocking(() -> {
                        busy.incrementAndGet();
                        return release.await(120, TimeUnit.SECONDS);
                    }, false);
                }
                Eventually.assertWithin(30, "the worker pool is busy", () -> busy.get() == pool);

                for (int i = 0; i < FLOOD; i++) {
                    flood.add(BridgeClient.connect(clients, node.port(), es.sign(JwksIT.claims("ec-" + i, "staff"))));
                }
                // beyond the cap, refused at once: unavailable, then closed
                Eventually.assertWithin(60, (FLOOD - CAP) + " of " + FLOOD + " EC connections refused", () ->
                        flood.stream().filter(BridgeClient::isClosed).count() == FLOOD - CAP);
                int refused = 0;
                List<BridgeClient> waiting = new ArrayList<>();
                for (BridgeClient client : flood) {
                    if (client.isClosed()) {
                        JsonObject err = first(client);
                        assertTrue(err != null && "unavailable".equals(err.getString("failureType")), "refused with unavailable: " + err);
                        refused++;
                    } else {
                        waiting.add(client);
                    }
                }
                assertEquals(FLOOD - CAP, refused);
                assertEquals(CAP, waiting.size(), "64 checks wait for the pool");

                // an HS256 client is verified on its event loop: not behind the flood
                try (BridgeClient hs = BridgeClient.connect(clients, node.port(), TestNodes.token(node, "hs-1", "staff"))) {
                    hs.register("order:created").sync();
                }
                assertEquals(CAP, flood.stream().filter(c -> !c.isClosed()).count(), "the waiting ones still wait");

                // the pool free again: the 64 waiting connections open, and the cap is free again for new ones
                release.countDown();
                for (BridgeClient client : waiting) {
                    client.register("order:created").sync();
                }
                assertEquals("open", JwksIT.connect(clients, node, es.sign(JwksIT.claims("after", "staff"))), "the cap is released");
            } finally {
                release.countDown();
                flood.forEach(BridgeClient::close);
                node.close().await();
            }
        }
    }
}
