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

/** {@code sources.outbox.*}: off by default, each key from the file and from its environment name, bad values named. */
class OutboxConfigTest {
    @Test
    void offByDefaultAndReadFromTheEnvironment() {
        HeraldConfig.Outbox shipped = load(shipped(), Map.of()).outbox();
        assertFalse(shipped.enabled());
        assertEquals("herald_outbox", shipped.table());
        assertEquals(1000, shipped.pollMs());
        assertEquals(500, shipped.batch());
        HeraldConfig.Outbox env = load(shipped(), Map.of("HERALD_SOURCES_OUTBOX_JDBC_URL", "jdbc:postgresql://db:5432/shop",
                "HERALD_SOURCES_OUTBOX_USER", "herald", "HERALD_SOURCES_OUTBOX_PASSWORD", "s3cret",
                "HERALD_SOURCES_OUTBOX_TABLE", "shop.events_outbox", "HERALD_SOURCES_OUTBOX_POLL_MS", "250",
                "HERALD_SOURCES_OUTBOX_BATCH", "100")).outbox();
        assertTrue(env.enabled());
        assertEquals("jdbc:postgresql://db:5432/shop", env.jdbcUrl());
        assertEquals("herald", env.user());
        assertEquals("s3cret", env.password());
        assertEquals("shop.events_outbox", env.table());
        assertEquals("shop.events_outbox_dead", env.deadTable());
        assertEquals(250, env.pollMs());
        assertEquals(100, env.batch());
        assertEquals("HERALD_SOURCES_OUTBOX_JDBC_URL", ConfigKeys.SOURCES_OUTBOX_JDBC_URL.envName());
    }

    @Test
    void badValuesAreNamed() {
        JsonObject badTable = shipped();
        badTable.getJsonObject("sources").getJsonObject("outbox").put("table", "outbox; DROP TABLE orders");
        assertTrue(refused(badTable, Map.of()).getMessage().contains("sources.outbox.table"));
        assertTrue(refused(shipped(), Map.of("HERALD_SOURCES_OUTBOX_JDBC_URL", "jdbc:mysql://db/shop")).getMessage()
                .contains("sources.outbox.jdbcUrl"));
        assertTrue(refused(shipped(), Map.of("HERALD_SOURCES_OUTBOX_BATCH", "0")).getMessage().contains("sources.outbox.batch"));
    }
}
