package io.herald.auth;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoleMatrixTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    static final JsonObject ROLES = HeraldConfig.readJson(Path.of("conf/roles.json"), "roles");
    static final List<String> NAMESPACES = List.of("orders", "customers", "products", "inventory", "payments", "system");

    @Test
    void shippedRolesCompileToTheMatrixOfTheDesign() {
        RoleMatrix matrix = RoleMatrix.compile(ROLES, CATALOG);
        String[][] expected = {
                {"admin", "AAAAAA"}, {"manager", "AAAAAN"}, {"staff", "AAAANN"}, {"customer", "ONANNN"}, {"guest", "NNANNN"}};
        for (String[] row : expected) {
            RolePermissions permissions = matrix.forRole(row[0]);
            for (int i = 0; i < NAMESPACES.size(); i++) {
                Access want = switch (row[1].charAt(i)) {
                    case 'A' -> Access.ALL;
                    case 'O' -> Access.OWN;
                    default -> Access.NONE;
                };
                for (String type : CATALOG.namespace(NAMESPACES.get(i)).types()) {
                    assertEquals(want, permissions.readAccess(type), row[0] + " reading " + type);
                }
            }
        }
        assertEquals("guest", matrix.anonymousRole());
        assertEquals(Access.NONE, matrix.forRole("admin").readAccess("order:unknown"));
        assertTrue(matrix.forRole("customer").mayPublish("customer:viewing_product"));
        assertFalse(matrix.forRole("customer").mayPublish("order:created"));
        assertFalse(matrix.forRole("staff").mayPublish("customer:viewing_product"));
    }

    @Test
    void aTypeRuleWinsOverItsNamespace() {
        JsonObject roles = new JsonObject().put("roles", new JsonObject().put("guest", new JsonObject()
                .put("read", new JsonObject().put("products", "all").put("product:deleted", "none"))));
        RolePermissions guest = RoleMatrix.compile(roles, CATALOG).forRole("guest");
        assertEquals(Access.ALL, guest.readAccess("product:created"));
        assertEquals(Access.NONE, guest.readAccess("product:deleted"));
    }

    @Test
    void mistakesNameTheirKey() {
        assertEquals("roles.roles.guest.read.widgets", assertThrows(ConfigException.class, () -> RoleMatrix.compile(
                new JsonObject().put("roles", new JsonObject().put("guest", new JsonObject().put("read", new JsonObject().put("widgets", "all")))), CATALOG)).key());
        assertEquals("roles.roles.guest.read.products", assertThrows(ConfigException.class, () -> RoleMatrix.compile(
                new JsonObject().put("roles", new JsonObject().put("guest", new JsonObject().put("read", new JsonObject().put("products", "own")))), CATALOG)).key());
        assertEquals("roles.roles.guest.read.products", assertThrows(ConfigException.class, () -> RoleMatrix.compile(
                new JsonObject().put("roles", new JsonObject().put("guest", new JsonObject().put("read", new JsonObject().put("products", "most")))), CATALOG)).key());
        assertEquals("roles.roles.guest.publish", assertThrows(ConfigException.class, () -> RoleMatrix.compile(
                new JsonObject().put("roles", new JsonObject().put("guest", new JsonObject().put("publish", List.of("nope:nope")))), CATALOG)).key());
        assertEquals("roles.anonymousRole", assertThrows(ConfigException.class, () -> RoleMatrix.compile(
                new JsonObject().put("anonymousRole", "visitor").put("roles", new JsonObject().put("guest", new JsonObject())), CATALOG)).key());
    }
}
