package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.herald.stats.NodeStats;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxies' owner closes what it opened: on one long-lived Vert.x (as a node's is until it stops), each
 * deploy-undeploy cycle of {@link BackendProxies} leaves no connection open to a real backend that counts them, and a
 * stopped proxy refuses at once ({@code unavailable}) without reaching the backend.
 */
class BackendProxiesTest {
    static Vertx vertx;
    static HttpServer backend;
    static final AtomicInteger open = new AtomicInteger();
    static final AtomicInteger requests = new AtomicInteger();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        backend = vertx.createHttpServer()
                .connectionHandler(connection -> {
                    open.incrementAndGet();
                    connection.closeHandler(v -> open.decrementAndGet());
                })
                .requestHandler(request -> request.body().onSuccess(body -> {
                    requests.incrementAndGet();
                    request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                            .end(request.path().equals("/connect")
                                    ? new JsonObject().put("sub", "c-1").put("role", "customer").put("exp", System.currentTimeMillis() / 1000 + 600).encode()
                                    : "{}");
                }))
                .listen(0, "127.0.0.1").await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    static HeraldConfig config() {
        String base = "http://127.0.0.1:" + backend.actualPort();
        return TestNodes.config(json -> json.put("proxy", new JsonObject()
                .put("connect", new JsonObject().put("url", base + "/connect").put("timeoutMs", 10_000).put("maxConcurrent", 8)
                        .put("breakerFailures", 5).put("breakerResetMs", 2000))
                .put("publish", new JsonObject().put("url", base + "/publish").put("types", new JsonArray().add("customer:viewing_product"))
                        .put("timeoutMs", 10_000).put("maxConcurrent", 8).put("breakerFailures", 5).put("breakerResetMs", 2000))));
    }

    /**
     * Posts from a Vert.x context, as the bridge and the publish path do. From the test's own thread the answer's body
     * handler was once set after the response had ended ("Response already ended" in a CI check).
     */
    static Future<ProxyClient.Answer> postOnContext(ProxyClient client, JsonObject body) {
        Promise<ProxyClient.Answer> answer = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.post(body).onComplete(answer));
        return answer.future();
    }

    @Test
    void eachDeployUndeployCycleLeavesNoConnectionToTheBackendOpen() {
        HeraldConfig config = config();
        for (int cycle = 1; cycle <= 2; cycle++) {
            BackendProxies proxies = new BackendProxies(vertx, config, ConnectAnswerTest.ROLES, ConnectAnswerTest.CATALOG, new NodeStats("n-1"));
            assertEquals(2, proxies.clients().size());
            String id = vertx.deployVerticle(proxies).await();
            for (ProxyClient client : proxies.clients()) {
                assertEquals(200, postOnContext(client, new JsonObject().put("cycle", cycle)).await().status());
            }
            int cycleNo = cycle;
            Eventually.assertEventually("cycle " + cycleNo + ": the two clients keep their connections alive",
                    () -> open.get() == 2);
            vertx.undeploy(id).await();
            Eventually.assertEventually("cycle " + cycleNo + ": undeployed, no connection to the backend is left open (open: " + open.get() + ")",
                    () -> open.get() == 0);
            int before = requests.get();
            for (ProxyClient client : proxies.clients()) {
                HeraldException refused = assertThrows(HeraldException.class, () -> postOnContext(client, new JsonObject()).await());
                assertEquals(ErrorCode.UNAVAILABLE, refused.code());
            }
            assertEquals(before, requests.get(), "a stopped proxy does not reach the backend");
            assertEquals(0, open.get(), "nor opens a connection to it");
        }
    }

    @Test
    void closingAProxyClientClosesItsBreakerAndCompletes() {
        HeraldConfig.BackendProxy proxy = config().proxy().connect();
        ProxyClient client = new ProxyClient(vertx, "connect", proxy, java.util.Set.of(200), new NodeStats("n-2"));
        assertEquals(CircuitBreakerState.CLOSED, client.state());
        client.close().await();
        assertTrue(client.post(new JsonObject()).failed());
    }
}
