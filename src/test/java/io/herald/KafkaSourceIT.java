package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.node.HeraldNode;
import io.herald.sources.kafka.KafkaSource;
import io.herald.testing.Eventually;
import io.herald.testing.KafkaBroker;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka source against Kafka's own broker (KRaft, in this JVM, on loopback): records of three topic rules become
 * events in each partition's order, bad ones go to the dead-letter topic with the error, a repeated idempotency key
 * appends once; two jar nodes share the topics' partitions in one group, one is killed mid-stream (SIGKILL) and history
 * holds every record in order (once, bar the known window); a node of another group reading everything again appends nothing new. A broker nobody
 * answers on shows in /ready without making the node unready.
 */
class KafkaSourceIT {
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new KafkaBroker().start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static ProducerRecord<String, String> record(String topic, Integer partition, String value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<String, String>(topic, partition, (String) null, value, h);
    }

    /** Every event of {@code type} in history, oldest first. */
    static List<JsonObject> history(int port, String type) {
        List<JsonObject> all = new ArrayList<>();
        long since = 0;
        while (true) {
            TestNodes.Response page = TestNodes.http("GET", port, "/api/history/" + type + "?since=" + since + "&limit=1000",
                    "Bearer " + HeraldConfig.DEV_API_KEY, null);
            assertEquals(200, page.status(), page.body());
            JsonArray events = page.json().getJsonArray("events");
            events.forEach(e -> all.add((JsonObject) e));
            if (!page.json().getBoolean("more", false) || events.isEmpty()) {
                return all;
            }
            since = page.json().getLong("next");
        }
    }

    /** Per partition ({@code data.p}), the records' numbers ({@code data.n}) in the order of the type's seq. */
    static Map<Integer, List<Integer>> byPartition(List<JsonObject> events) {
        Map<Integer, List<Integer>> result = new TreeMap<>();
        for (JsonObject e : events) {
            JsonObject data = e.getJsonObject("data");
            result.computeIfAbsent(data.getInteger("p"), p -> new ArrayList<>()).add(data.getInteger("n"));
        }
        return result;
    }

    static void assertAscending(Map<Integer, List<Integer>> byPartition, String what) {
        byPartition.forEach((p, ns) -> {
            for (int i = 1; i < ns.size(); i++) {
                assertTrue(ns.get(i - 1) < ns.get(i), what + ": partition " + p + " in seq order " + ns);
            }
        });
    }

    static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + java.util.UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (all.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void recordsBecomeEventsInPartitionOrderAndBadOnesAreDeadLettered() throws Exception {
        broker.createTopics(3, "k1-orders");
        broker.createTopics(1, "k1-payments", "k1-bodies");
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.put("sources", new JsonObject().put("kafka", new JsonObject()
                .put("bootstrapServers", broker.bootstrapServers()).put("groupId", "k1")
                .put("topics", new JsonObject().put("k1-orders", "header:event-type").put("k1-payments", "payment:received")
                        .put("k1-bodies", "field:kind"))))));
        try (KafkaProducer<String, String> producer = producer()) {
            for (int n = 0; n < 30; n++) {
                for (int p = 0; p < 3; p++) {
                    String type = n % 2 == 0 ? "order:created" : "order:updated";
                    producer.send(record("k1-orders", p, new JsonObject().put("p", p).put("n", n).put("orderId", "o-" + p + "-" + n).encode(),
                            "event-type", type));
                }
            }
            for (int n = 0; n < 5; n++) {
                producer.send(record("k1-payments", 0, new JsonObject().put("p", 0).put("n", n).put("amount", n * 10).encode()));
            }
            // the same key and value twice: one event
            producer.send(record("k1-payments", 0, "{\"p\":0,\"n\":100,\"amount\":7}", "idempotency-key", "pay-100"));
            producer.send(record("k1-payments", 0, "{\"p\":0,\"n\":100,\"amount\":7}", "idempotency-key", "pay-100"));
            producer.send(record("k1-bodies", 0, "{\"kind\":\"inventory:low_stock\",\"data\":{\"p\":0,\"n\":1,\"sku\":\"A\"},"
                    + "\"target\":{\"roles\":[\"staff\"]}}"));
            producer.send(record("k1-bodies", 0, "{\"kind\":\"inventory:low_stock\",\"data\":{\"p\":0,\"n\":2,\"sku\":\"B\"}}"));
            // five bad records
            producer.send(record("k1-orders", 1, "{\"p\":1,\"n\":999}")); // no event-type header
            producer.send(record("k1-orders", 2, "not json", "event-type", "order:created"));
            producer.send(record("k1-orders", 0, "{\"p\":0,\"n\":998}", "event-type", "nope:unknown"));
            producer.send(record("k1-bodies", 0, "{\"data\":{\"sku\":\"C\"}}")); // no kind
            producer.send(record("k1-bodies", 0, "{\"kind\":\"inventory:low_stock\",\"data\":5}"));
            producer.flush();
        }
        try {
            Eventually.assertWithin(90, "every good record in history", () -> history(node.port(), "order:created").size() == 45
                    && history(node.port(), "order:updated").size() == 45 && history(node.port(), "payment:received").size() == 6
                    && history(node.port(), "inventory:low_stock").size() == 2);
            for (String type : List.of("order:created", "order:updated")) {
                List<JsonObject> events = history(node.port(), type);
                Map<Integer, List<Integer>> parts = byPartition(events);
                assertEquals(Set.of(0, 1, 2), parts.keySet(), type);
                parts.values().forEach(ns -> assertEquals(15, ns.size(), type + " " + ns));
                assertAscending(parts, type);
            }
            assertAscending(byPartition(history(node.port(), "payment:received")), "payment:received");
            JsonObject body = history(node.port(), "inventory:low_stock").get(0);
            assertEquals("A", body.getJsonObject("data").getString("sku"), body.encode());

            List<ConsumerRecord<String, String>> orderDead = readAll("k1-orders" + KafkaSource.DLQ_SUFFIX, 3);
            List<ConsumerRecord<String, String>> bodyDead = readAll("k1-bodies" + KafkaSource.DLQ_SUFFIX, 2);
            Map<String, String> errors = new HashMap<>();
            for (ConsumerRecord<String, String> r : orderDead) {
                errors.put(r.value(), header(r, KafkaSource.ERROR_CODE_HEADER));
                assertTrue(header(r, KafkaSource.ERROR_HEADER).startsWith(header(r, KafkaSource.ERROR_CODE_HEADER) + ": "), header(r, KafkaSource.ERROR_HEADER));
                assertTrue(header(r, KafkaSource.SOURCE_HEADER).startsWith("k1-orders/"), header(r, KafkaSource.SOURCE_HEADER));
            }
            assertEquals(Map.of("{\"p\":1,\"n\":999}", "invalid_event", "not json", "invalid_json", "{\"p\":0,\"n\":998}", "unknown_event_type"),
                    errors, "the order topic's dead letters");
            assertEquals("nope:unknown", orderDead.stream().filter(r -> r.value().contains("998")).findFirst().map(r -> header(r, "event-type")).orElseThrow(),
                    "a dead letter keeps the record's headers");
            assertEquals(List.of("invalid_event", "invalid_event"), bodyDead.stream().map(r -> header(r, KafkaSource.ERROR_CODE_HEADER)).toList());

            Eventually.assertWithin(30, "the stats count them", () -> {
                JsonObject totals = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + HeraldConfig.DEV_API_KEY, null).json()
                        .getJsonObject("totals");
                // one family for every source: source="kafka:<topic>" next to "outbox"
                return new JsonObject().put("kafka:k1-orders", 93).put("kafka:k1-payments", 7).put("kafka:k1-bodies", 4).equals(totals.getJsonObject("sourceConsumed"))
                        && new JsonObject().put("kafka:k1-orders", 90).put("kafka:k1-payments", 6).put("kafka:k1-bodies", 2).equals(totals.getJsonObject("sourceAppended"))
                        && new JsonObject().put("kafka:k1-orders", 3).put("kafka:k1-bodies", 2).equals(totals.getJsonObject("sourceDeadLettered"))
                        && new JsonObject().put("kafka:k1-orders", 1).put("kafka:k1-payments", 1).put("kafka:k1-bodies", 1).equals(totals.getJsonObject("sourceConnected"))
                        && !totals.containsKey("kafkaConsumed");
            });
            String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
            assertTrue(metrics.contains("herald_source_appended_total{source=\"kafka:k1-orders\"} 90.0"), "metrics: kafka appended");
            assertTrue(!metrics.contains("herald_kafka_"), "no herald_kafka_* family any more");
            TestNodes.Response ready = TestNodes.http("GET", node.port(), "/ready", null, null);
            assertEquals(200, ready.status(), ready.body());
            JsonObject kafka = HealthIT.check(ready.json(), "sources").getJsonObject("data").getJsonObject("kafka");
            assertEquals("connected", kafka.getString("state"), kafka.encode());
            assertEquals(5, kafka.getInteger("partitions"), kafka.encode());
        } finally {
            node.close().await();
        }
    }

    @Test
    void aBrokerNobodyAnswersOnShowsInReadyWithoutMakingTheNodeUnready() {
        HeraldNode node = TestNodes.start(TestNodes.config(json -> json.put("sources", new JsonObject().put("kafka", new JsonObject()
                .put("bootstrapServers", "127.0.0.1:" + TestNodes.freePort())
                .put("topics", new JsonObject().put("nowhere", "order:created"))))));
        try {
            Eventually.assertWithin(30, "/ready shows the source not connected", () -> {
                TestNodes.Response ready = TestNodes.http("GET", node.port(), "/ready", null, null);
                JsonObject kafka = HealthIT.check(ready.json(), "sources").getJsonObject("data").getJsonObject("kafka");
                return ready.status() == 200 && !"connected".equals(kafka.getString("state")) && !"starting".equals(kafka.getString("state"));
            });
            // the topic is a source, not connected: 0 in /metrics; /api/stats leaves keyed zeros out
            String metrics = TestNodes.http("GET", node.port(), "/metrics", null, null).body();
            assertTrue(metrics.contains("herald_source_connected{source=\"kafka:nowhere\"} 0.0"), "metrics: the topic's source not connected");
            JsonObject totals = TestNodes.http("GET", node.port(), "/api/stats", "Bearer " + HeraldConfig.DEV_API_KEY, null).json()
                    .getJsonObject("totals");
            assertEquals(new JsonObject(), totals.getJsonObject("sourceConnected"), totals.encode());
        } finally {
            node.close().await();
        }
    }

    /**
     * Two jar nodes in one group over three partitions; node 0 is killed (SIGKILL) while records flow; node 1 takes its
     * partitions and history holds every record, in each partition's order, once: not even the records the killed node
     * appended and died before their keys' answers were recorded are there twice (their keys are taken over with their
     * event ids and found in history). Then node 0 comes back in
     * another group, reads every record again, and appends nothing new (the idempotency keys are the records' positions).
     */
    @Test
    void aNodeKilledMidStreamLosesNothingAndDoublesNothing() throws Exception {
        broker.createTopics(3, "k2-orders");
        Map<String, String> env = Map.of(
                "HERALD_SOURCES_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "HERALD_SOURCES_KAFKA_GROUP_ID", "k2",
                "HERALD_SOURCES_KAFKA_TOPICS", "{\"k2-orders\":\"header:event-type\"}",
                "HERALD_SOURCES_KAFKA_PROPERTIES", "{\"session.timeout.ms\":\"6000\",\"heartbeat.interval.ms\":\"1000\"}",
                // two nodes: the survivor keeps appending alone
                "HERALD_CLUSTER_MIN_MEMBERS", "1");
        int perPartition = 400;
        try (JarCluster cluster = new JarCluster(2, env).startAll(); KafkaProducer<String, String> producer = producer()) {
            Eventually.assertWithin(60, "both nodes have partitions", () -> partitions(cluster, 0) > 0 && partitions(cluster, 1) > 0);
            int killAt = perPartition / 3;
            for (int n = 0; n < perPartition; n++) {
                for (int p = 0; p < 3; p++) {
                    producer.send(record("k2-orders", p, new JsonObject().put("p", p).put("n", n).encode(),
                            "event-type", n % 3 == 0 ? "order:created" : "order:updated"));
                }
                if (n % 20 == 19) {
                    producer.flush();
                    Thread.sleep(50);
                }
                if (n == killAt) {
                    producer.flush();
                    Eventually.assertWithin(30, "node 0 appended some", () -> appended(cluster, 0) > 0);
                    cluster.kill(0);
                }
            }
            producer.flush();
            int total = 3 * perPartition;
            Eventually.assertWithin(120, "every record in history through node 1", () -> history(cluster.http(1), "order:created").size()
                    + history(cluster.http(1), "order:updated").size() >= total);
            int held = assertEveryRecordInOrder(cluster, perPartition);
            assertEquals(3 * perPartition, held);

            // node 0 again, in a group of its own: it reads the whole topic again and appends nothing new
            cluster.env(0, Map.of("HERALD_SOURCES_KAFKA_GROUP_ID", "k2-again"));
            cluster.restart(0);
            Eventually.assertWithin(120, "node 0 read every record again", () -> consumed(cluster, 0) >= total);
            assertEquals(held, assertEveryRecordInOrder(cluster, perPartition), "reading every record again appended nothing");
            assertEquals(0L, cluster.get(0, "/api/stats").json().getJsonArray("nodes").stream().map(n -> (JsonObject) n)
                    .filter(n -> n.getString("node").equals(cluster.nodeId(0))).findFirst().orElseThrow()
                    .getJsonObject("sourceAppended", new JsonObject()).getLong("kafka:k2-orders", 0L), "the second reading appended nothing");
        }
    }

    /**
     * History holds every record once, in each partition's order, with unique event ids; answers how many events it holds.
     * No repeat at all: a record the killed node appended before its key's answer was recorded is found by its id.
     */
    private static int assertEveryRecordInOrder(JarCluster cluster, int perPartition) {
        List<JsonObject> created = history(cluster.http(1), "order:created");
        List<JsonObject> updated = history(cluster.http(1), "order:updated");
        int repeats = 0;
        for (List<JsonObject> events : List.of(created, updated)) {
            Set<String> ids = new HashSet<>();
            events.forEach(e -> ids.add(e.getString("id")));
            assertEquals(events.size(), ids.size(), "unique ids");
            for (Map.Entry<Integer, List<Integer>> part : byPartition(events).entrySet()) {
                List<Integer> ns = part.getValue();
                for (int i = 1; i < ns.size(); i++) {
                    assertTrue(ns.get(i - 1) <= ns.get(i), events.get(0).getString("type") + ": partition " + part.getKey() + " in seq order " + ns);
                    if (ns.get(i - 1).equals(ns.get(i))) {
                        repeats++;
                    }
                }
            }
        }
        Map<Integer, Set<Integer>> seen = new TreeMap<>();
        for (List<JsonObject> events : List.of(created, updated)) {
            byPartition(events).forEach((p, ns) -> seen.computeIfAbsent(p, x -> new HashSet<>()).addAll(ns));
        }
        seen.forEach((p, ns) -> assertEquals(perPartition, ns.size(), "partition " + p + ": every record"));
        System.out.printf("KafkaSourceIT: %d events for %d records, %d repeated next to themselves%n", created.size() + updated.size(),
                3 * perPartition, repeats);
        assertEquals(0, repeats, repeats + " records appended twice");
        assertEquals(3 * perPartition, created.size() + updated.size(), "history holds each record once");
        return created.size() + updated.size();
    }

    private static JsonObject nodeStats(JarCluster cluster, int i) {
        JsonObject stats = cluster.get(i, "/api/stats").json();
        String id = cluster.nodeId(i);
        return stats.getJsonArray("nodes").stream().map(n -> (JsonObject) n).filter(n -> n.getString("node").equals(id)).findFirst()
                .orElse(new JsonObject());
    }

    private static int partitions(JarCluster cluster, int i) {
        TestNodes.Response ready = cluster.get(i, "/ready");
        return HealthIT.check(ready.json(), "sources").getJsonObject("data").getJsonObject("kafka").getInteger("partitions", 0);
    }

    private static long appended(JarCluster cluster, int i) {
        return nodeStats(cluster, i).getJsonObject("sourceAppended", new JsonObject()).getLong("kafka:k2-orders", 0L);
    }

    private static long consumed(JarCluster cluster, int i) {
        return nodeStats(cluster, i).getJsonObject("sourceConsumed", new JsonObject()).getLong("kafka:k2-orders", 0L);
    }
}
