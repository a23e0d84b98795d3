package io.herald.presence;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.ConfigFile;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresenceAnnouncementsTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));

    static PresenceAnnouncements parse(String json, boolean strict) {
        return PresenceAnnouncements.parse(new JsonObject(json), "conf/presence.json", CATALOG::contains, RoomRulesTest.ROLES::hasRole, strict);
    }

    static String error(String json) {
        return assertThrows(ConfigException.class, () -> parse(json, true)).getMessage();
    }

    @Test
    void theShippedFileAndTheBuiltInCopyAnnounceWhatHeraldAlwaysDid() {
        for (ConfigFile file : List.of(ConfigFile.of(Path.of("conf/presence.json")), ConfigFile.builtIn("presence.json"))) {
            PresenceAnnouncements shipped = PresenceAnnouncements.parse(file.readJson("presence.announceFile"), file.toString(),
                    CATALOG::contains, RoomRulesTest.ROLES::hasRole, !file.isBuiltIn());
            assertEquals(Map.of("customer", new PresenceAnnouncements.Entry("customer", "customer:online", "customer:offline", "customerId",
                    List.of("storeId"))), shipped.entries(), file.toString());
            PresenceAnnouncements.Entry customer = shipped.forRole("customer");
            // the data today's consumers read: customerId, storeId (null without the claim) and, online, since
            assertEquals("{\"customerId\":\"c-1\",\"storeId\":\"s-7\",\"since\":42}",
                    customer.data("c-1", Map.of("storeId", "s-7"), 42L).encode());
            assertEquals("{\"customerId\":\"c-1\",\"storeId\":null}", customer.data("c-1", Map.of(), null).encode());
            assertNull(shipped.forRole("staff"), "other roles announce nothing");
        }
    }

    @Test
    void anotherBusinessAnnouncesOtherRolesWithOtherFields() {
        PresenceAnnouncements a = parse("{\"announce\":[{\"role\":\"staff\",\"online\":\"system:status\",\"userField\":\"agentId\"},"
                + "{\"role\":\"manager\",\"offline\":\"system:notification\",\"claims\":[\"storeId\"]}]}", true);
        assertEquals(new PresenceAnnouncements.Entry("staff", "system:status", null, "agentId", List.of()), a.forRole("staff"));
        assertEquals(new PresenceAnnouncements.Entry("manager", null, "system:notification", "userId", List.of("storeId")), a.forRole("manager"));
        assertTrue(parse("{\"announce\":[]}", true).entries().isEmpty(), "nothing announced");
        assertTrue(parse("{}", true).entries().isEmpty());
    }

    @Test
    void anUnknownEventTypeIsAnErrorNamingTheFileAndTheEntry() {
        assertEquals("conf/presence.json announce[1].online: 'customer:onlin' is not an event type of the catalog",
                error("{\"announce\":[{\"role\":\"staff\",\"online\":\"system:status\"},{\"role\":\"customer\",\"online\":\"customer:onlin\"}]}"));
        assertEquals("conf/presence.json announce[0].offline: '7' is not an event type of the catalog",
                error("{\"announce\":[{\"role\":\"customer\",\"offline\":7}]}"));
    }

    @Test
    void theBuiltInCopyDropsATypeTheCatalogLacksAsHeraldAlwaysDid() {
        PresenceAnnouncements lenient = parse("{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:online\",\"offline\":\"gone:type\"},"
                + "{\"role\":\"staff\",\"online\":\"gone:type\"}]}", false);
        assertEquals(new PresenceAnnouncements.Entry("customer", "customer:online", null, "userId", List.of()), lenient.forRole("customer"));
        assertNull(lenient.forRole("staff"));
    }

    @Test
    void everyOtherMistakeIsNamedToo() {
        assertEquals("conf/presence.json announce[0].role: 'cashier' is not a role of the role matrix",
                error("{\"announce\":[{\"role\":\"cashier\",\"online\":\"customer:online\"}]}"));
        assertEquals("conf/presence.json announce[0].role: 'null' is not a role of the role matrix",
                error("{\"announce\":[{\"online\":\"customer:online\"}]}"));
        assertEquals("conf/presence.json announce[1].role: role customer is announced by an earlier entry already",
                error("{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:online\"},{\"role\":\"customer\",\"offline\":\"customer:offline\"}]}"));
        assertEquals("conf/presence.json announce[0]: names neither an online nor an offline event type",
                error("{\"announce\":[{\"role\":\"customer\"}]}"));
        assertEquals("conf/presence.json announce[0].claims: 'tenantId' is not a claim presence keeps (known: storeId)",
                error("{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:online\",\"claims\":[\"tenantId\"]}]}"));
        assertEquals("conf/presence.json announce[0].claims: 'storeId' would overwrite the userField field",
                error("{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:online\",\"userField\":\"storeId\",\"claims\":[\"storeId\"]}]}"));
        assertEquals("conf/presence.json announce[0].userField: must be the name of the data field for the user id, e.g. \"customerId\"",
                error("{\"announce\":[{\"role\":\"customer\",\"online\":\"customer:online\",\"userField\":\"\"}]}"));
        assertEquals("conf/presence.json announce[0]: unknown field 'onlne' (known: role, online, offline, userField, claims)",
                error("{\"announce\":[{\"role\":\"customer\",\"onlne\":\"customer:online\"}]}"));
        assertEquals("conf/presence.json: unknown field 'announcements' (known: announce)", error("{\"announcements\":[]}"));
        assertEquals("conf/presence.json announce: must be an array of {role, online, offline, userField, claims}", error("{\"announce\":{}}"));
        assertEquals("conf/presence.json announce[0]: must be an object {role, online, offline, userField, claims}", error("{\"announce\":[\"customer\"]}"));
    }
}
