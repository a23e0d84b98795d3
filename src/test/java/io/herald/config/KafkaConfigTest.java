package io.herald.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.herald.config.ConfigKeysTest.load;
import static io.herald.config.ConfigKeysTest.refused;
import static io.herald.config.ConfigKeysTest.shipped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sources.kafka}: off by default, read from the file and the environment (maps as JSON), bad rules named, properties never shown. */
class KafkaConfigTest {

    @Test
    void offByDefaultAndReadFromTheEnvironmentWithTopicAndPropertyNamesWhole() {
        HeraldConfig.Kafka off = load(shipped(), Map.of()).kafka();
        assertFalse(off.enabled());
        assertEquals("herald", off.groupId());
        HeraldConfig.Kafka kafka = load(shipped(), Map.of(
                "HERALD_SOURCES_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092",
                "HERALD_SOURCES_KAFKA_TOPICS", "{\"shop.orders.v1\":\"header:event-type\",\"payments\":\"payment:received\",\"erp\":\"field:type\"}",
                "HERALD_SOURCES_KAFKA_PROPERTIES", "{\"security.protocol\":\"SASL_SSL\",\"sasl.jaas.config\":\"secret-jaas\",\"max.poll.records\":200}")).kafka();
        assertTrue(kafka.enabled());
        assertEquals(Map.of("shop.orders.v1", "header:event-type", "payments", "payment:received", "erp", "field:type"), kafka.topics());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "secret-jaas", "max.poll.records", "200"), kafka.properties());
        assertFalse(kafka.toString().contains("secret-jaas"), "its text never shows a property's value: " + kafka);
    }

    @Test
    void badRulesAndValuesAreNamed() {
        JsonObject json = shipped();
        json.getJsonObject("sources").getJsonObject("kafka").put("topics", new JsonObject().put("orders", "ordercreated"));
        assertEquals("sources.kafka.topics.orders", refused(json, Map.of()).key());
        json.getJsonObject("sources").getJsonObject("kafka").put("topics", new JsonObject().put("orders", "header:"));
        assertEquals("sources.kafka.topics.orders", refused(json, Map.of()).key());
        json.getJsonObject("sources").getJsonObject("kafka").put("topics", new JsonObject().put("orders", new JsonObject()));
        assertEquals("sources.kafka.topics.orders", refused(json, Map.of()).key());
        assertTrue(refused(shipped(), Map.of("HERALD_SOURCES_KAFKA_TOPICS", "[1]")).key().startsWith("sources.kafka.topics"));
        assertTrue(refused(shipped(), Map.of("HERALD_SOURCES_KAFKA_GROUP_ID", " ")).key().startsWith("sources.kafka.groupId"));
    }
}
