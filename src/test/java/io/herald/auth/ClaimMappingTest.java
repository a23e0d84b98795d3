package io.herald.auth;

import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code auth.claims.*}: user, role (string or list, mapped or not, first match in the token's order) and store, by name or dotted path. */
class ClaimMappingTest {
    static RoleMatrix roles;

    @BeforeAll
    static void roles() {
        EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        roles = RoleMatrix.compile(HeraldConfig.readJson(Path.of("conf/roles.json"), "roles"), catalog);
    }

    static ClaimMapping mapping(String user, String role, Map<String, String> roleMap, String store) {
        return ClaimMapping.of(new HeraldConfig.Claims(user, role, roleMap, store), roles);
    }

    @Test
    void theDefaultsReadTodaysTokens() {
        ClaimMapping mapping = ClaimMapping.of(HeraldConfig.Claims.DEFAULT, roles);
        assertEquals(new ClaimMapping.Mapped("c-1", "customer", "s-1", null),
                mapping.map(new JsonObject().put("sub", "c-1").put("role", "customer").put("storeId", "s-1")));
        assertEquals(new ClaimMapping.Mapped("c-1", "staff", "7", null),
                mapping.map(new JsonObject().put("sub", "c-1").put("role", "staff").put("storeId", 7)), "a numeric store id");
        assertTrue(mapping.map(new JsonObject().put("sub", "c-1").put("role", "root")).error().contains("must be one of"));
        assertTrue(mapping.map(new JsonObject().put("role", "staff")).error().contains("no sub claim"));
        assertTrue(mapping.map(new JsonObject().put("sub", "").put("role", "staff")).error() != null);
        assertEquals("staff", mapping.map(new JsonObject().put("sub", "u").put("role", new JsonArray().add("root").add("staff").add("admin"))).role(),
                "a list without a map: the first Herald role in the token's order");
    }

    @Test
    void keycloakRealmRolesThroughARoleMap() {
        Map<String, String> roleMap = new LinkedHashMap<>();
        roleMap.put("shop-staff", "staff");
        roleMap.put("shop-admin", "admin");
        ClaimMapping mapping = mapping("preferred_username", "realm_access.roles", roleMap, "store");
        JsonObject keycloak = new JsonObject().put("sub", "f81d4fae").put("preferred_username", "alice")
                .put("realm_access", new JsonObject().put("roles", new JsonArray().add("offline_access").add("shop-admin").add("shop-staff")))
                .put("store", "s-9");
        assertEquals(new ClaimMapping.Mapped("alice", "admin", "s-9", null), mapping.map(keycloak),
                "the first of the token's roles the map names wins, whatever the map's order");
        keycloak.getJsonObject("realm_access").put("roles", new JsonArray().add("offline_access").add("admin"));
        assertTrue(mapping.map(keycloak).error().contains("roleMap"), "with a map, only mapped names count: " + mapping.map(keycloak).error());
        keycloak.remove("realm_access");
        assertTrue(mapping.map(keycloak).error() != null);
    }

    @Test
    void aWholeClaimNameWinsOverItsDots() {
        ClaimMapping mapping = mapping("sub", "https://shop.example.com/roles", Map.of("Managers", "manager"), "custom:storeId");
        JsonObject auth0 = new JsonObject().put("sub", "auth0|42").put("https://shop.example.com/roles", new JsonArray().add("Managers"))
                .put("custom:storeId", "s-2");
        assertEquals(new ClaimMapping.Mapped("auth0|42", "manager", "s-2", null), mapping.map(auth0));
        ClaimMapping nested = mapping("sub", "app.role", Map.of(), "app.store.id");
        assertEquals(new ClaimMapping.Mapped("u", "staff", "s-3", null), nested.map(new JsonObject().put("sub", "u")
                .put("app", new JsonObject().put("role", "staff").put("store", new JsonObject().put("id", "s-3")))));
        assertNull(nested.map(new JsonObject().put("sub", "u").put("app", new JsonObject().put("role", "staff").put("store", "flat"))).storeId());
        assertTrue(nested.map(new JsonObject().put("sub", "u").put("app", "not an object")).error() != null);
    }

    @Test
    void aRoleMapToAnUnknownHeraldRoleIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> mapping("sub", "role", Map.of("Admins", "root"), "storeId"));
        assertEquals("auth.claims.roleMap.Admins", e.key());
    }
}
