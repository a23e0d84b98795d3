package io.herald.sources.kafka;

import io.herald.stats.NodeStats;
import io.herald.testing.Eventually;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer's loop with Kafka's own mock clients: a batch is published in the partition's order, a refused record is
 * dead-lettered and committed past, a record to be retried is not committed, its partition goes back to it and pauses.
 */
class KafkaSourceTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private static ConsumerRecord<byte[], byte[]> record(long offset, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("event-type", "order:created".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(TP.topic(), TP.partition(), offset, 0L, TimestampType.CREATE_TIME, 0, value.length(), null,
                value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    @Test
    void aBatchIsPublishedInOrderBadRecordsDeadLetteredAndNothingCommittedPastARetry() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        RecordMapping mapping = new RecordMapping(Map.of("orders", "header:event-type"), type -> true, 65536, request -> { });
        List<Integer> published = Collections.synchronizedList(new ArrayList<>());
        KafkaSource source = new KafkaSource(consumer, producer, mapping, (batch, chain) -> {
            List<KafkaSource.Result> results = new ArrayList<>();
            for (RecordMapping.Mapped mapped : batch) {
                int n = mapped.request().data().getInteger("n");
                published.add(n);
                results.add(n == 4 ? KafkaSource.Result.RETRY : KafkaSource.Result.APPENDED); // n 4: history unreachable
            }
            return CompletableFuture.completedFuture(results);
        }, new NodeStats("test"), "broker:9092", "herald", 500);

        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
            consumer.seek(TP, 0);
            consumer.addRecord(record(0, "{\"n\":0}"));
            consumer.addRecord(record(1, "{\"n\":1}"));
            consumer.addRecord(record(2, "not json"));
            consumer.addRecord(record(3, "{\"n\":3}"));
            consumer.addRecord(record(4, "{\"n\":4}"));
            consumer.addRecord(record(5, "{\"n\":5}"));
        });
        Thread thread = new Thread(source, "kafka-source-test");
        thread.start();
        try {
            Eventually.assertWithin(30, "the batch was handled", () -> {
                synchronized (consumer) {
                    return !consumer.committed(Set.of(TP)).isEmpty();
                }
            });
            synchronized (consumer) {
                assertEquals(new OffsetAndMetadata(4), consumer.committed(Set.of(TP)).get(TP), "committed up to the record to retry");
                assertEquals(4, consumer.position(TP), "the partition goes back to it");
                assertTrue(consumer.paused().contains(TP), "and pauses");
            }
            assertEquals(List.of(0, 1, 3, 4, 5), published, "published in the partition's order, the bad record left out");
            List<ProducerRecord<byte[], byte[]>> dead = producer.history();
            assertEquals(1, dead.size());
            assertEquals("orders.herald-dlq", dead.get(0).topic());
            assertEquals("invalid_json", RecordMapping.header(dead.get(0).headers(), KafkaSource.ERROR_CODE_HEADER));
            assertEquals("orders/0/2", RecordMapping.header(dead.get(0).headers(), KafkaSource.SOURCE_HEADER));
        } finally {
            source.stop();
            assertTrue(source.awaitFinished(30_000));
            thread.join(10_000);
        }
    }
}
