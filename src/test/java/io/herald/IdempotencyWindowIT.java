package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idempotency window, performed: three nodes (two keep a majority) from the jar, each in its own JVM; the one publishing a keyed event
 * halts (Runtime.halt, as a SIGKILL ends it) right after its append and before it records the key's answer
 * ({@code -Dherald.test.haltAfterAppendOf}). The same key and body published on the survivor then gets the first
 * event (its id and seq, replayed), and history holds it once. Before claims carried their event id, the survivor
 * waited out the dead claim's 30 s lease and appended the event a second time.
 */
class IdempotencyWindowIT {
    static final String TYPE = "order:created";
    static final int VICTIM = 2;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    static HttpResponse<String> post(int port, String key, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                .header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY)
                .header("Idempotency-Key", key)
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNodeKilledBetweenAppendAndRecordLeavesOneEventAndTheRetryGetsIt() throws Exception {
        String key = "window-" + UUID.randomUUID();
        try (JarCluster cluster = new JarCluster(3, Map.of())
                .env(VICTIM, Map.of("JAVA_TOOL_OPTIONS", "-Dherald.test.haltAfterAppendOf=" + key)).startAll()) {
            String body = new JsonObject().put("type", TYPE).put("data", new JsonObject().put("orderId", key).put("total", 42)).encode();
            // someone else's events around it, on both nodes
            for (int i = 0; i < 5; i++) {
                assertEquals(202, post(cluster.http(i % 3), "other-" + UUID.randomUUID(), new JsonObject().put("type", TYPE)
                        .put("data", new JsonObject().put("n", i)).encode()).statusCode());
            }
            long before = cluster.history(0, TYPE).size();
            assertThrows(java.io.IOException.class, () -> post(cluster.http(VICTIM), key, body), "the node halts before it answers");
            cluster.node(VICTIM).process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(!cluster.alive(VICTIM), "the node halted");

            List<JsonObject> afterKill = cluster.history(0, TYPE);
            List<JsonObject> appended = afterKill.stream().filter(e -> key.equals(e.getJsonObject("data").getString("orderId"))).toList();
            assertEquals(1, appended.size(), "the halted node appended the event (its backup holds it) before it died");
            assertEquals(before + 1, afterKill.size());

            long retried = System.nanoTime();
            HttpResponse<String> retry = post(cluster.http(0), key, body);
            long retryMs = (System.nanoTime() - retried) / 1_000_000;
            System.out.println("IdempotencyWindowIT: the retry on the survivor was answered in " + retryMs + " ms");
            assertEquals(202, retry.statusCode(), retry.body());
            JsonObject answer = new JsonObject(retry.body());
            assertEquals(appended.get(0).getString("id"), answer.getString("id"), "the first event's id");
            assertEquals(appended.get(0).getLong("seq"), answer.getLong("seq"), "and its seq");
            assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(null), "nothing appended now");

            List<JsonObject> history = cluster.history(0, TYPE);
            assertEquals(1, history.stream().filter(e -> key.equals(e.getJsonObject("data").getString("orderId"))).count(),
                    "one logical event, one seq");
            assertEquals(before + 1, history.size(), "nothing else appended");
            // and the answer is now recorded: a second repeat gets it too
            HttpResponse<String> again = post(cluster.http(0), key, body);
            assertEquals(answer, new JsonObject(again.body()));
        }
    }
}
