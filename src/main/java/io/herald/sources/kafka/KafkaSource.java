package io.herald.sources.kafka;

import io.herald.HeraldException;
import io.herald.stats.NodeStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Kafka source's loop, on a thread of its own (never an event loop): poll, map each record ({@link RecordMapping}),
 * publish the batch through {@code EventPublisher} (on the source's event loop, every record of a partition in its
 * order, so a type's {@code seq} follows the partition's order), dead-letter what was refused to
 * {@code <topic>}{@value #DLQ_SUFFIX} with the error in the {@value #ERROR_HEADER} header, and only then commit each
 * partition's offset. A publish that failed for want of history (503 {@code unavailable}) is not committed: the
 * partition goes back to that record and pauses (backoff), so nothing is skipped; what after it was appended is found
 * again by its idempotency key on the redelivery. The next poll starts only when the batch is committed, so the group's
 * rebalance (a node that joins, dies or leaves) finds every partition's work committed.
 */
public final class KafkaSource implements Runnable {
    private static final Logger LOG = Logger.getLogger(KafkaSource.class.getName());
    public static final String DLQ_SUFFIX = ".herald-dlq";
    /** The dead letter's header with the error: {@code <code>: <message>}. */
    public static final String ERROR_HEADER = "herald-error";
    /** The dead letter's header with the error code alone. */
    public static final String ERROR_CODE_HEADER = "herald-error-code";
    /** The dead letter's header with the record's position: {@code topic/partition/offset}. */
    public static final String SOURCE_HEADER = "herald-source";

    /** A topic's name as a source in stats ({@code source="kafka:<topic>"}, next to {@code "outbox"}). */
    public static String source(String topic) {
        return "kafka:" + topic;
    }

    /** Whether this node's consumer has a broker connection, for each topic it reads. */
    private void connected(boolean connected) {
        mapping.rules().keySet().forEach(topic -> stats.sourceConnected(source(topic), connected));
    }
    static final Duration POLL = Duration.ofMillis(500);
    static final long COMMIT_TIMEOUT_MS = 30_000;
    /** The longest a batch's publishes may take before the batch is retried. */
    static final long PUBLISH_TIMEOUT_MS = 120_000;
    static final long FIRST_BACKOFF_MS = 500;
    static final long MAX_BACKOFF_MS = 30_000;

    /** What became of one record's publish. */
    public enum Outcome { APPENDED, REPLAYED, RETRY, REFUSED }

    /** A publish's answer: its outcome and, when refused, why. */
    public record Result(Outcome outcome, HeraldException refused) {
        public static final Result APPENDED = new Result(Outcome.APPENDED, null);
        public static final Result REPLAYED = new Result(Outcome.REPLAYED, null);
        public static final Result RETRY = new Result(Outcome.RETRY, null);
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final RecordMapping mapping;
    /**
     * Publishes a batch on the source's event loop, all at once (the group commit keeps their order); answers each
     * record's result, in the same order. {@code run[i]} is the record's partition (an index within the batch): a
     * record to be retried stops its partition's later records of the batch, so none lands ahead of it.
     */
    private final BiFunction<List<RecordMapping.Mapped>, int[], CompletableFuture<List<Result>>> publish;
    private final NodeStats stats;
    private final String bootstrapServers;
    private final String groupId;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean running = true;

    /** Paused partitions → when they resume; with the failures in a row that set it. */
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final Map<TopicPartition, Integer> failures = new HashMap<>();
    private long nextObservation;

    // what /ready shows (written by the loop, read by the health check)
    private volatile String state = "connecting";
    private volatile boolean everConnected;
    private volatile int assigned;
    private volatile long lag;
    private volatile String lastError;

    public KafkaSource(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, RecordMapping mapping,
                       BiFunction<List<RecordMapping.Mapped>, int[], CompletableFuture<List<Result>>> publish, NodeStats stats,
                       String bootstrapServers, String groupId, int maxPollRecords) {
        this.consumer = consumer;
        this.producer = producer;
        this.mapping = mapping;
        this.publish = publish;
        this.stats = stats;
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        connected(false); // each topic shows as a source, not connected, until the consumer has a broker
    }

    /** Asks the loop to end after the batch in hand (committed); {@link #awaitFinished} waits for it. */
    public void stop() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
    }

    public boolean awaitFinished(long ms) throws InterruptedException {
        return finished.await(ms, TimeUnit.MILLISECONDS);
    }

    /** The source as {@code /ready}'s {@code kafka} check shows it. */
    public JsonObject status() {
        return new JsonObject().put("state", state).put("bootstrapServers", bootstrapServers).put("groupId", groupId)
                .put("topics", new JsonArray(new ArrayList<>(mapping.rules().keySet()))).put("partitions", assigned).put("lag", lag)
                .put("lastError", lastError);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(mapping.rules().keySet(), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // every batch was committed before this poll: nothing of these partitions is in hand
                    partitions.forEach(tp -> {
                        resumeAt.remove(tp);
                        failures.remove(tp);
                    });
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.info("Kafka source: assigned " + partitions.size() + " partitions of " + mapping.rules().keySet()
                            + " (group " + groupId + ")");
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    continue; // stop() woke it
                } catch (RuntimeException e) {
                    failed("poll", e);
                    backoff(FIRST_BACKOFF_MS * 4);
                    continue;
                }
                observe();
                resumeDue();
                if (!records.isEmpty()) {
                    handle(records);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Kafka source stopped: " + e, e);
            lastError = String.valueOf(e);
            state = "stopped";
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.fine("Kafka consumer close: " + e);
            }
            try {
                producer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.fine("Kafka producer close: " + e);
            }
            connected(false);
            if (!"stopped".equals(state)) {
                state = "closed";
            }
            finished.countDown();
        }
    }

    /** One record of a batch and what became of it. */
    private static final class Item {
        final TopicPartition partition;
        final ConsumerRecord<byte[], byte[]> record;
        RecordMapping.Mapped mapped;
        HeraldException refused;
        boolean retry;
        boolean appended;

        Item(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
            this.partition = partition;
            this.record = record;
        }
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, List<Item>> byPartition = new LinkedHashMap<>();
        List<Item> toPublish = new ArrayList<>(records.count());
        Map<String, Integer> consumed = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<Item> items = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                Item item = new Item(tp, record);
                items.add(item);
                try {
                    item.mapped = mapping.map(record.topic(), record.partition(), record.offset(), record.headers(), record.value());
                    toPublish.add(item);
                } catch (HeraldException e) {
                    item.refused = e;
                }
            }
            byPartition.put(tp, items);
            consumed.merge(tp.topic(), items.size(), Integer::sum);
        }
        consumed.forEach((topic, n) -> stats.sourceConsumed(source(topic), n));

        if (!toPublish.isEmpty()) {
            // All at once, also a partition's first records after it came to this node: a key its previous owner claimed
            // and died holding is taken over at once (its member left the cluster) and the record published as the
            // previous owner's event, found in history or appended, in the batch's order; a key its previous owner
            // still holds (not yet known dead) makes that record and the partition's later ones retry (docs/kafka.md)
            int[] run = new int[toPublish.size()];
            Map<TopicPartition, Integer> runs = new HashMap<>();
            for (int i = 0; i < run.length; i++) {
                run[i] = runs.computeIfAbsent(toPublish.get(i).partition, tp -> runs.size());
            }
            List<Result> results = publishAll(toPublish, run);
            for (int i = 0; i < toPublish.size(); i++) {
                Item item = toPublish.get(i);
                Result result = results.get(i);
                switch (result.outcome()) {
                    case APPENDED -> item.appended = true;
                    case REPLAYED -> { }
                    case RETRY -> item.retry = true;
                    case REFUSED -> item.refused = result.refused();
                }
            }
        }
        // a partition is read again from its first record to retry: a refused record after it comes back then, and is
        // dead-lettered then, once (it went to the dead-letter topic again at every backoff)
        for (List<Item> items : byPartition.values()) {
            boolean rereadFromHere = false;
            for (Item item : items) {
                rereadFromHere |= item.retry;
                if (rereadFromHere && item.refused != null) {
                    item.retry = true;
                }
            }
        }
        deadLetter(byPartition);

        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        Map<String, Integer> appended = new HashMap<>();
        Map<String, Integer> deadLettered = new HashMap<>();
        for (Map.Entry<TopicPartition, List<Item>> entry : byPartition.entrySet()) {
            TopicPartition tp = entry.getKey();
            List<Item> items = entry.getValue();
            long next = items.get(items.size() - 1).record.offset() + 1;
            for (Item item : items) {
                if (item.appended) {
                    appended.merge(tp.topic(), 1, Integer::sum);
                }
                if (item.refused != null && !item.retry) {
                    deadLettered.merge(tp.topic(), 1, Integer::sum);
                }
            }
            Item first = items.stream().filter(i -> i.retry).findFirst().orElse(null);
            if (first != null) {
                next = first.record.offset();
                consumer.seek(tp, next);
                int failed = failures.merge(tp, 1, Integer::sum);
                long wait = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failed - 1, 10));
                resumeAt.put(tp, System.currentTimeMillis() + wait);
                consumer.pause(List.of(tp));
            } else {
                failures.remove(tp);
            }
            if (next > items.get(0).record.offset()) {
                commits.put(tp, new OffsetAndMetadata(next));
            }
        }
        appended.forEach((topic, n) -> stats.sourceAppended(source(topic), n));
        deadLettered.forEach((topic, n) -> stats.sourceDeadLettered(source(topic), n));
        if (!commits.isEmpty()) {
            commit(commits);
        }
    }

    /** The batch's publishes, in order; all {@link Result#RETRY} when the publisher did not answer (it always should). */
    private List<Result> publishAll(List<Item> items, int[] run) {
        List<RecordMapping.Mapped> batch = new ArrayList<>(items.size());
        items.forEach(i -> batch.add(i.mapped));
        try {
            return publish.apply(batch, run).get(PUBLISH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed("publish", e);
        }
        List<Result> retry = new ArrayList<>(items.size());
        items.forEach(i -> retry.add(Result.RETRY));
        return retry;
    }

    /** Sends the refused records to their dead-letter topics and waits for the broker; one it did not take is retried. */
    private void deadLetter(Map<TopicPartition, List<Item>> byPartition) {
        List<Item> refused = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (List<Item> items : byPartition.values()) {
            for (Item item : items) {
                if (item.refused == null || item.retry) {
                    continue;
                }
                refused.add(item);
                try {
                    sends.add(producer.send(deadLetter(item)));
                } catch (RuntimeException e) {
                    sends.add(CompletableFuture.failedFuture(e));
                }
            }
        }
        for (int i = 0; i < refused.size(); i++) {
            Item item = refused.get(i);
            try {
                sends.get(i).get(COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                LOG.fine(() -> "Kafka source: dead-lettered " + position(item.record) + ": " + item.refused.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                item.retry = true;
            } catch (Exception e) {
                failed("dead letter", e);
                item.retry = true;
            }
        }
    }

    /** The record as it came (key, value, headers), to {@code <topic>.herald-dlq}, with the error and its position. */
    static ProducerRecord<byte[], byte[]> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
                                                     Iterable<Header> headers, HeraldException error) {
        RecordHeaders out = new RecordHeaders();
        if (headers != null) {
            headers.forEach(out::add);
        }
        out.add(ERROR_HEADER, (error.code().id() + ": " + error.getMessage()).getBytes(StandardCharsets.UTF_8));
        out.add(ERROR_CODE_HEADER, error.code().id().getBytes(StandardCharsets.UTF_8));
        out.add(SOURCE_HEADER, (topic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic + DLQ_SUFFIX, null, key, value, out);
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(Item item) {
        ConsumerRecord<byte[], byte[]> r = item.record;
        return deadLetter(r.topic(), r.partition(), r.offset(), r.key(), r.value(), r.headers(), item.refused);
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> commits) {
        try {
            consumer.commitSync(commits, Duration.ofMillis(COMMIT_TIMEOUT_MS));
        } catch (WakeupException e) {
            commit(commits); // stop() woke it: the batch is still committed
        } catch (RuntimeException e) {
            // a rebalance took the partitions, or the broker is away: the next owner redelivers, and finds the events by key
            failed("commit", e);
        }
    }

    private void resumeDue() {
        if (resumeAt.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<TopicPartition> due = new ArrayList<>();
        resumeAt.entrySet().removeIf(e -> {
            if (e.getValue() <= now) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        due.retainAll(consumer.assignment());
        if (!due.isEmpty()) {
            consumer.resume(due);
        }
    }

    /** At most once a second: lag per topic, the connection, the assignment. */
    private void observe() {
        long now = System.currentTimeMillis();
        if (now < nextObservation) {
            return;
        }
        nextObservation = now + 1000;
        Map<String, Long> lagByTopic = new HashMap<>();
        mapping.rules().keySet().forEach(topic -> lagByTopic.put(topic, 0L));
        long total = 0;
        java.util.Set<TopicPartition> assignment = consumer.assignment();
        for (TopicPartition tp : assignment) {
            OptionalLong partitionLag = consumer.currentLag(tp);
            if (partitionLag.isPresent()) {
                lagByTopic.merge(tp.topic(), partitionLag.getAsLong(), Long::sum);
                total += partitionLag.getAsLong();
            }
        }
        lagByTopic.forEach((topic, n) -> stats.sourceLag(source(topic), n));
        lag = total;
        assigned = assignment.size();
        boolean connected = false;
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            if (metric.getKey().name().equals("connection-count") && metric.getKey().group().equals("consumer-metrics")
                    && metric.getValue().metricValue() instanceof Number count && count.doubleValue() > 0) {
                connected = true;
            }
        }
        if (connected) {
            everConnected = true;
        }
        state = connected ? "connected" : everConnected ? "disconnected" : "connecting";
        connected(connected);
    }

    private void failed(String what, Exception e) {
        lastError = what + ": " + e;
        LOG.warning("Kafka source: " + what + " failed: " + e);
    }

    /** Waits {@code ms} or until stopped, whichever first (the consumer's thread; never an event loop). */
    private void backoff(long ms) {
        try {
            stopped.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }
}
