package io.herald;

import io.herald.event.HeraldClient;
import io.herald.event.Published;
import io.herald.event.PublishRequest;
import io.herald.node.HeraldNode;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotent publishing on a real two-node cluster: a repeat with the same key, on either node, gets the first answer
 * again and history holds the event once; concurrent repeats wait for the first; another body is a conflict; a refused
 * first attempt is not remembered; batches and {@link HeraldClient} carry keys too.
 */
class IdempotencyIT {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static HeraldNode nodeA;
    static HeraldNode nodeB;

    @BeforeAll
    static void startCluster() {
        String cluster = TestNodes.uniqueClusterName();
        int portA = TestNodes.freePort();
        int portB = TestNodes.freePort();
        nodeA = TestNodes.startClustered(cluster, portA, List.of(portA, portB));
        nodeB = TestNodes.startClustered(cluster, portB, List.of(portA, portB));
    }

    @AfterAll
    static void stopCluster() {
        nodeB.close().await();
        nodeA.close().await();
    }

    record Answer(int status, JsonObject body, String replayed) {
    }

    static HttpRequest request(HeraldNode node, String path, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .header("Authorization", "Bearer " + node.config().apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.build();
    }

    static Answer answer(HttpResponse<String> response) {
        return new Answer(response.statusCode(), new JsonObject(response.body()),
                response.headers().firstValue("Idempotent-Replayed").orElse(null));
    }

    static Answer post(HeraldNode node, String path, String key, String body) {
        try {
            return answer(HTTP.send(request(node, path, key, body), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String event(String type, Object value) {
        return new JsonObject().put("type", type).put("data", new JsonObject().put("v", value)).encode();
    }

    /** How many events history holds with this id, from {@code afterSeq} on. */
    static long copies(HeraldNode node, String type, long afterSeq, String id) {
        JsonArray events = TestNodes.history(node, type, "since=" + afterSeq + "&limit=1000").getJsonArray("events");
        return events.stream().map(JsonObject.class::cast).filter(e -> id.equals(e.getString("id"))).count();
    }

    static long tail(HeraldNode node, String type) {
        return TestNodes.history(node, type, "limit=1").getLong("tail");
    }

    static String key() {
        return "order-" + UUID.randomUUID();
    }

    @Test
    void aRepeatOnTheOtherNodeGetsTheFirstAnswerAndAppendsNothing() {
        String type = "order:created";
        String key = key();
        long before = tail(nodeA, type);
        String body = event(type, 1);
        Answer first = post(nodeA, "/api/events", key, body);
        assertEquals(202, first.status(), first.body().encode());
        assertEquals(null, first.replayed());

        Answer again = post(nodeB, "/api/events", key, body);
        assertEquals(202, again.status(), again.body().encode());
        assertEquals("true", again.replayed());
        assertEquals(first.body(), again.body(), "the same id, seq and epoch");
        Answer third = post(nodeA, "/api/events", key, body);
        assertEquals(first.body(), third.body());
        assertEquals("true", third.replayed());

        assertEquals(before + 1, tail(nodeB, type), "one event appended");
        assertEquals(1, copies(nodeB, type, before, first.body().getString("id")));
    }

    @Test
    void concurrentRepeatsWaitForTheFirstAndAllGetItsAnswer() {
        String type = "order:updated";
        String key = key();
        String body = event(type, "concurrent");
        long before = tail(nodeA, type);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sent.add(HTTP.sendAsync(request(i % 2 == 0 ? nodeA : nodeB, "/api/events", key, body), HttpResponse.BodyHandlers.ofString()));
        }
        List<Answer> answers = sent.stream().map(CompletableFuture::join).map(IdempotencyIT::answer).toList();
        answers.forEach(a -> assertEquals(202, a.status(), a.body().encode()));
        answers.forEach(a -> assertEquals(answers.get(0).body(), a.body(), "every repeat gets the one answer"));
        assertEquals(7, answers.stream().filter(a -> "true".equals(a.replayed())).count(), "one publish, seven replays");
        assertEquals(before + 1, tail(nodeA, type));
        assertEquals(1, copies(nodeA, type, before, answers.get(0).body().getString("id")));
    }

    @Test
    void theSameKeyWithAnotherBodyIsAConflict() {
        String type = "order:status_changed";
        String key = key();
        long before = tail(nodeA, type);
        assertEquals(202, post(nodeA, "/api/events", key, event(type, 1)).status());
        Answer other = post(nodeB, "/api/events", key, event(type, 2));
        assertEquals(409, other.status());
        assertEquals("idempotency_conflict", other.body().getString("error"));
        // the same JSON with other whitespace is other bytes: a conflict too (the header's contract is the bytes)
        Answer spaced = post(nodeA, "/api/events", key, event(type, 1).replace(",", ", "));
        assertEquals(409, spaced.status());
        assertEquals(before + 1, tail(nodeA, type));
    }

    @Test
    void aRefusedFirstAttemptIsNotRemembered() {
        String type = "order:deleted";
        String key = key();
        Answer refused = post(nodeA, "/api/events", key, event("order:unknown", 1));
        assertEquals(400, refused.status());
        Answer published = post(nodeB, "/api/events", key, event(type, 1));
        assertEquals(202, published.status(), "the retry, fixed, publishes: " + published.body().encode());
        assertEquals(null, published.replayed());
        assertEquals("true", post(nodeA, "/api/events", key, event(type, 1)).replayed());
    }

    @Test
    void keysAreOneTo255PrintableAsciiCharacters() {
        Answer tooLong = post(nodeA, "/api/events", "k".repeat(256), event("order:created", 1));
        assertEquals(400, tooLong.status());
        assertEquals("invalid_parameter", tooLong.body().getString("error"));
        Answer batchHeader = post(nodeA, "/api/events/batch", "k", new JsonObject().put("events", new JsonArray()).encode());
        assertEquals("invalid_parameter", batchHeader.body().getString("error"));
        Answer notAString = post(nodeA, "/api/events/batch", null, new JsonObject().put("events", new JsonArray()
                .add(new JsonObject().put("type", "order:created").put("idempotencyKey", 5))).encode());
        assertEquals("invalid_parameter", notAString.body().getString("error"));
        assertEquals(0, notAString.body().getInteger("index"));
    }

    @Test
    void batchEventsCarryTheirOwnKeys() {
        String type = "payment:received";
        String k1 = key();
        String k2 = key();
        long before = tail(nodeA, type);
        JsonObject batch = new JsonObject().put("events", new JsonArray()
                .add(new JsonObject().put("type", type).put("data", new JsonObject().put("n", 1)).put("idempotencyKey", k1))
                .add(new JsonObject().put("type", type).put("data", new JsonObject().put("n", 2)))
                .add(new JsonObject().put("type", type).put("data", new JsonObject().put("n", 3)).put("idempotencyKey", k2)));
        Answer first = post(nodeA, "/api/events/batch", null, batch.encode());
        assertEquals(202, first.status(), first.body().encode());
        JsonArray results = first.body().getJsonArray("results");
        results.forEach(r -> assertFalse(((JsonObject) r).containsKey("replayed")));

        Answer again = post(nodeB, "/api/events/batch", null, batch.encode());
        assertEquals(202, again.status(), again.body().encode());
        JsonArray repeated = again.body().getJsonArray("results");
        for (int i : new int[]{0, 2}) {
            JsonObject r = repeated.getJsonObject(i);
            assertTrue(r.getBoolean("replayed"), r.encode());
            r.remove("replayed");
            assertEquals(results.getJsonObject(i), r, "the same per-event answer");
        }
        assertFalse(repeated.getJsonObject(1).containsKey("replayed"));
        assertNotEquals(results.getJsonObject(1).getLong("seq"), repeated.getJsonObject(1).getLong("seq"), "the event without a key is published again");
        assertEquals(before + 4, tail(nodeA, type), "three, then the one without a key");

        // a key used for another event in a batch: the batch answers 409, its other events are published
        JsonObject changed = new JsonObject().put("events", new JsonArray()
                .add(new JsonObject().put("type", type).put("data", new JsonObject().put("n", 99)).put("idempotencyKey", k1)));
        assertEquals(409, post(nodeB, "/api/events/batch", null, changed.encode()).status());
    }

    @Test
    void heraldClientPublishesOncePerKey() {
        String type = "inventory:low_stock";
        String key = key();
        long before = tail(nodeA, type);
        PublishRequest request = new PublishRequest(type, new JsonObject().put("sku", "s-1"), null, null, null);
        Published first = HeraldClient.create(nodeA.vertx()).publish(request, key).await();
        assertFalse(first.replayed());
        Published again = HeraldClient.create(nodeB.vertx()).publish(request, key).await();
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        assertEquals(first.seq(), again.seq());
        assertEquals(before + 1, tail(nodeB, type));

        HeraldException conflict = assertThrows(HeraldException.class, () -> HeraldClient.create(nodeB.vertx())
                .publish(new PublishRequest(type, new JsonObject().put("sku", "s-2"), null, null, null), key).await());
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, conflict.code());
        HeraldException invalid = assertThrows(HeraldException.class, () -> HeraldClient.create(nodeB.vertx())
                .publish(request, "").await());
        assertEquals(ErrorCode.INVALID_PARAMETER, invalid.code());
        // the bus and the HTTP API keep their keys apart: the same key over HTTP publishes
        assertEquals(null, post(nodeA, "/api/events", key, event(type, 1)).replayed());
    }

    @Test
    void aKeyIsOneEventOfItsTypeSoTheSameKeyOnAnotherTypePublishesThatToo() {
        String key = key();
        Answer created = post(nodeA, "/api/events", key, event("order:created", 7));
        Answer updated = post(nodeB, "/api/events", key, event("order:updated", 7));
        assertEquals(202, created.status(), created.body().encode());
        assertEquals(202, updated.status(), updated.body().encode());
        assertEquals(null, updated.replayed(), "another type: not a repeat");
        org.junit.jupiter.api.Assertions.assertNotEquals(created.body().getString("id"), updated.body().getString("id"));
        assertEquals("true", post(nodeB, "/api/events", key, event("order:updated", 7)).replayed(), "each type remembers its own");
    }
}
