package io.herald.sources.kafka;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ConfigException;
import io.herald.config.ConfigKeys;
import io.herald.config.HeraldConfig;
import io.herald.event.EventPublisher;
import io.herald.event.Published;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * {@code sources.kafka}: consumes the configured topics in the group {@code sources.kafka.groupId} (every node joins it,
 * so the partitions spread over the cluster) and publishes each record through {@link EventPublisher}, as
 * {@code POST /api/events} does. The consumer runs on a thread of its own ({@link KafkaSource}); its publishes run on
 * this verticle's event loop. See docs/kafka.md.
 */
public final class KafkaSourceVerticle extends VerticleBase {
    private final HeraldConfig.Kafka config;
    private final EventPublisher publisher;
    private final RecordMapping mapping;
    private final NodeStats stats;
    private KafkaSource source;
    private Thread thread;

    /** Checks the topics (a fixed type the catalog lacks is a config error) before anything starts. */
    public KafkaSourceVerticle(HeraldConfig.Kafka config, EventPublisher publisher, java.util.function.Predicate<String> knownType,
                               int maxBytes, NodeStats stats) {
        if (config.topics().isEmpty()) {
            throw new ConfigException(ConfigKeys.SOURCES_KAFKA_TOPICS.mapPath(),
                    "name at least one topic (topic → \"header:<name>\", \"field:<name>\" or an event type) when sources.kafka.bootstrapServers is set");
        }
        this.config = config;
        this.publisher = publisher;
        this.stats = stats;
        this.mapping = new RecordMapping(config.topics(), knownType, maxBytes, publisher::validate);
    }

    /** What {@code /ready}'s {@code kafka} check shows: the connection, the partitions this node has, their lag. */
    public JsonObject status() {
        KafkaSource running = source;
        return running == null ? new JsonObject().put("state", "starting") : running.status();
    }

    @Override
    public Future<?> start() {
        // creating the clients resolves the brokers' names: off the event loop
        return vertx.executeBlocking(() -> {
            KafkaConsumer<byte[], byte[]> consumer;
            KafkaProducer<byte[], byte[]> producer;
            try {
                consumer = new KafkaConsumer<>(consumerProperties(config, "herald-" + stats.nodeId()));
                producer = new KafkaProducer<>(producerProperties(config, "herald-dlq-" + stats.nodeId()));
            } catch (KafkaException e) {
                throw new ConfigException(ConfigKeys.SOURCES_KAFKA_BOOTSTRAP_SERVERS.path(),
                        "the Kafka client does not start: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            }
            int maxPollRecords = Integer.parseInt(consumerProperties(config, "").getProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG).trim());
            source = new KafkaSource(consumer, producer, mapping, this::publish, stats, config.bootstrapServers(), config.groupId(),
                    maxPollRecords);
            thread = new Thread(source, "herald-kafka-source");
            thread.setDaemon(true);
            thread.start();
            return null;
        }, false);
    }

    @Override
    public Future<?> stop() {
        if (source == null) {
            return Future.succeededFuture();
        }
        source.stop();
        return vertx.executeBlocking(() -> source.awaitFinished(30_000), false);
    }

    /**
     * On this verticle's event loop: the batch's records published at once, in the batch's order, each partition's
     * ({@code run[i]}) as one {@link EventPublisher.InOrder} run, so that a record to be retried stops the ones behind
     * it. Answers each record's result, in the batch's order.
     */
    private CompletableFuture<List<KafkaSource.Result>> publish(List<RecordMapping.Mapped> batch, int[] run) {
        CompletableFuture<List<KafkaSource.Result>> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            List<Future<KafkaSource.Result>> all = new ArrayList<>(batch.size());
            java.util.Map<Integer, EventPublisher.InOrder> runs = new java.util.HashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                RecordMapping.Mapped mapped = batch.get(i);
                EventPublisher.InOrder inOrder = runs.computeIfAbsent(run[i], r -> new EventPublisher.InOrder());
                all.add(publisher.publish(mapped.request(), mapped.key(), inOrder).transform(f -> Future.succeededFuture(result(f))));
            }
            Future.join(all).onComplete(joined -> {
                List<KafkaSource.Result> results = new ArrayList<>(all.size());
                for (Future<KafkaSource.Result> f : all) {
                    results.add(f.succeeded() ? f.result() : KafkaSource.Result.RETRY);
                }
                done.complete(results);
            });
        });
        return done;
    }

    /** Appended, found again by its key, refused for good (dead-lettered), or to be tried again (history unreachable). */
    static KafkaSource.Result result(io.vertx.core.AsyncResult<Published> f) {
        if (f.succeeded()) {
            return f.result().replayed() ? KafkaSource.Result.REPLAYED : KafkaSource.Result.APPENDED;
        }
        if (f.cause() instanceof HeraldException refused && refused.code() != ErrorCode.UNAVAILABLE) {
            return new KafkaSource.Result(KafkaSource.Outcome.REFUSED, refused);
        }
        return KafkaSource.Result.RETRY;
    }

    /** Herald's settings, then {@code sources.kafka.properties} over them (security, timeouts), then the ones it needs. */
    static Properties consumerProperties(HeraldConfig.Kafka config, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // a new group starts at the topics' beginning: nothing written before Herald's first start is skipped
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        p.putAll(config.properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        dropOther(p, ConsumerConfig.configNames());
        return p;
    }

    static Properties producerProperties(HeraldConfig.Kafka config, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.putAll(config.properties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        dropOther(p, ProducerConfig.configNames());
        return p;
    }

    /** One properties map serves both clients: each gets the names it knows (no "unknown config" warnings). */
    private static void dropOther(Properties p, java.util.Set<String> known) {
        p.keySet().removeIf(name -> !known.contains(name) && !((String) name).startsWith("sasl.") && !((String) name).startsWith("ssl."));
    }
}
