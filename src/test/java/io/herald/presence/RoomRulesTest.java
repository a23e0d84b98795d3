package io.herald.presence;

import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomRulesTest {
    static final RoleMatrix ROLES = RoleMatrix.compile(HeraldConfig.readJson(Path.of("conf/roles.json"), "roles"),
            EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog")));
    static final RoomRules SHIPPED = RoomRules.compile(HeraldConfig.readJson(Path.of("conf/rooms.json"), "rooms"), ROLES);

    static Principal who(String sub, String role, String storeId) {
        return new Principal(sub, role, storeId, Set.of());
    }

    @Test
    void aClaimInThePatternLetsUsersJoinTheirOwnRoomOnly() {
        Principal staffOfS1 = who("s-1", "staff", "s-1-store");
        assertTrue(SHIPPED.mayJoin(staffOfS1, "store:s-1-store"));
        assertFalse(SHIPPED.mayJoin(staffOfS1, "store:s-2-store"), "another store's room");
        assertFalse(SHIPPED.mayJoin(who("s-9", "staff", null), "store:s-1-store"), "no storeId claim, no store room");
        assertTrue(SHIPPED.mayJoin(who("a-1", "admin", null), "store:any"), "admins may join every store's room");

        assertTrue(SHIPPED.mayJoin(who("c-1", "customer", null), "chat:c-1"));
        assertFalse(SHIPPED.mayJoin(who("c-1", "customer", null), "chat:c-2"), "another customer's chat");
        assertFalse(SHIPPED.mayJoin(who("c-1", "customer", null), "chat:c-1x"), "the claim is the whole segment, not a prefix");
        assertTrue(SHIPPED.mayJoin(who("s-1", "staff", null), "chat:c-2"));
    }

    @Test
    void roomsNoRuleAllowsAreRefused() {
        assertFalse(SHIPPED.mayJoin(who("g", "guest", null), "dashboard"));
        assertFalse(SHIPPED.mayJoin(who("c-1", "customer", null), "dashboard"));
        assertFalse(SHIPPED.mayJoin(who("s-1", "staff", null), "secret"));
        assertFalse(SHIPPED.mayJoin(who("s-1", "staff", null), "batch:"), "* stands for at least one character");
        assertTrue(SHIPPED.mayJoin(who("s-1", "staff", null), "batch:import-7"));
    }

    @Test
    void whetherMembersSeeEachOtherIsSaidByTheFirstRuleCoveringTheRoom() {
        assertTrue(SHIPPED.membersSeeEachOther("dashboard"));
        assertTrue(SHIPPED.membersSeeEachOther("chat:c-1"));
        assertFalse(SHIPPED.membersSeeEachOther("store:s-1"));
        assertFalse(SHIPPED.membersSeeEachOther("batch:b-1"));
        assertFalse(SHIPPED.membersSeeEachOther("nowhere"));
        assertTrue(SHIPPED.maySeePresence("staff"));
        assertFalse(SHIPPED.maySeePresence("customer"));
    }

    @Test
    void roomNamesAreChecked() {
        assertEquals("store:s-1", RoomRules.checkName("store:s-1"));
        assertThrows(HeraldException.class, () -> RoomRules.checkName(""));
        assertThrows(HeraldException.class, () -> RoomRules.checkName(42));
        assertThrows(HeraldException.class, () -> RoomRules.checkName("a b"));
        assertThrows(HeraldException.class, () -> RoomRules.checkName("é"));
        assertThrows(HeraldException.class, () -> RoomRules.checkName("x".repeat(RoomRules.MAX_ROOM_LENGTH + 1)));
    }

    @Test
    void automaticRoomsAreTheUsersAndTheRoles() {
        assertEquals(List.of("user:c-1", "role:customer"), RoomRules.automaticRooms(who("c-1", "customer", null)));
        assertEquals(List.of("role:guest"), RoomRules.automaticRooms(Principal.anonymous("guest")));
        assertTrue(RoomRules.isAutomatic("user:c-1"));
        assertFalse(RoomRules.isAutomatic("store:s-1"));
    }

    @Test
    void badRulesStopTheNodeNamingTheKey() {
        ConfigException unknownRole = assertThrows(ConfigException.class, () -> RoomRules.compile(new JsonObject(
                "{\"rules\":[{\"room\":\"x\",\"roles\":[\"wizard\"]}]}"), ROLES));
        assertTrue(unknownRole.getMessage().contains("rooms.rules[0].roles"), unknownRole.getMessage());
        ConfigException unknownClaim = assertThrows(ConfigException.class, () -> RoomRules.compile(new JsonObject(
                "{\"rules\":[{\"room\":\"x:{email}\",\"roles\":[\"staff\"]}]}"), ROLES));
        assertTrue(unknownClaim.getMessage().contains("rooms.rules[0].room"), unknownClaim.getMessage());
        assertThrows(ConfigException.class, () -> RoomRules.compile(new JsonObject("{\"maxPerConnection\":0}"), ROLES));
    }
}
