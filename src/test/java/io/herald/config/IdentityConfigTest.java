package io.herald.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herald.config.ConfigKeysTest.load;
import static io.herald.config.ConfigKeysTest.refused;
import static io.herald.config.ConfigKeysTest.shipped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code auth.jwks*}, {@code auth.claims.*} and {@code auth.previousJwtSecret*}: read from the file and the environment, each bad value named. */
class IdentityConfigTest {
    static final Map<String, String> PROD = Map.of("HERALD_MODE", "prod", "HERALD_JWT_SECRET", HeraldConfigTest.STRONG_SECRET,
            "HERALD_API_KEY", HeraldConfigTest.STRONG_KEY, "HERALD_ALLOWED_ORIGINS", "https://shop.example.com");

    @Test
    void defaultsAreTodaysClaimsAndNoKeySet() {
        HeraldConfig.Auth auth = load(shipped(), Map.of()).auth();
        assertNull(auth.jwks());
        assertEquals(HeraldConfig.Claims.DEFAULT, auth.claims());
        assertNull(auth.previousJwtSecret());
    }

    @Test
    void keySetAndClaimsFromTheEnvironment() {
        HeraldConfig.Auth auth = load(shipped(), Map.of(
                "HERALD_AUTH_JWKS_URL", "https://id.example.com/realms/shop/protocol/openid-connect/certs",
                "HERALD_AUTH_JWKS_MIN_REFETCH_SECONDS", "10",
                "HERALD_AUTH_CLAIMS_ROLE", "realm_access.roles",
                "HERALD_AUTH_CLAIMS_USER", "preferred_username",
                "HERALD_AUTH_CLAIMS_ROLE_MAP", "{\"shop-admin\":\"admin\",\"shop.staff\":\"staff\"}")).auth();
        assertEquals(new HeraldConfig.Jwks("https://id.example.com/realms/shop/protocol/openid-connect/certs", 10, 60, 3600), auth.jwks());
        assertEquals("realm_access.roles", auth.claims().role());
        assertEquals("preferred_username", auth.claims().user());
        assertEquals(Map.of("shop-admin", "admin", "shop.staff", "staff"), auth.claims().roleMap());
        assertEquals(List.of("shop-admin", "shop.staff"), List.copyOf(auth.claims().roleMap().keySet()), "in the given order");
        JsonObject file = shipped();
        file.getJsonObject("auth").getJsonObject("claims").put("roleMap", new JsonObject().put("Admins", "admin"));
        assertEquals(Map.of("Admins", "admin"), load(file, Map.of()).auth().claims().roleMap());
    }

    @Test
    void badValuesAreNamed() {
        assertEquals("auth.jwksUrl (HERALD_AUTH_JWKS_URL)", refused(shipped(), Map.of("HERALD_AUTH_JWKS_URL", "id.example.com/certs")).key());
        assertEquals("auth.jwksUrl (HERALD_AUTH_JWKS_URL)", refused(shipped(), Map.of("HERALD_AUTH_JWKS_URL", "ftp://id.example.com/certs")).key());
        assertEquals("auth.jwksMaxRefreshSeconds (HERALD_AUTH_JWKS_MAX_REFRESH_SECONDS)", refused(shipped(), Map.of(
                "HERALD_AUTH_JWKS_URL", "https://id.example.com/certs", "HERALD_AUTH_JWKS_MAX_REFRESH_SECONDS", "30")).key());
        JsonObject both = shipped();
        both.getJsonObject("auth").put("jwtPublicKey", "-----BEGIN PUBLIC KEY-----").put("jwksUrl", "https://id.example.com/certs");
        assertTrue(refused(both, Map.of()).getMessage().contains("not both"));
        assertEquals("auth.claims.roleMap (HERALD_AUTH_CLAIMS_ROLE_MAP)", refused(shipped(), Map.of("HERALD_AUTH_CLAIMS_ROLE_MAP", "[1]")).key());
        assertEquals("auth.claims.roleMap.x (HERALD_AUTH_CLAIMS_ROLE_MAP)", refused(shipped(), Map.of("HERALD_AUTH_CLAIMS_ROLE_MAP", "{\"x\":1}")).key());
        assertEquals("auth.claims.role (HERALD_AUTH_CLAIMS_ROLE)", refused(shipped(), Map.of("HERALD_AUTH_CLAIMS_ROLE", "realm_access..roles")).key());
        assertEquals("auth.previousJwtSecretUntil", refused(shipped(), Map.of("HERALD_AUTH_PREVIOUS_JWT_SECRET", "old-secret")).key());
    }

    @Test
    void anIdentityProviderAloneNeedsNoSecretAndRotationIsHeldToProdRules() {
        JsonObject idpOnly = shipped();
        idpOnly.getJsonObject("auth").putNull("jwtSecret").put("jwksUrl", "https://id.example.com/certs");
        assertEquals("https://id.example.com/certs", load(idpOnly, Map.of()).auth().jwks().url());
        HeraldConfig.Auth emptySecret = load(shipped(), Map.of("HERALD_JWT_SECRET", "", "HERALD_AUTH_JWKS_URL", "https://id.example.com/certs")).auth();
        assertNull(emptySecret.jwtSecret(), "an empty secret turns HS256 off, it is never an empty HMAC key");
        assertEquals("auth.jwtSecret", refused(shipped(), Map.of("HERALD_JWT_SECRET", " ")).key(), "and alone it is no way to verify tokens");
        java.util.HashMap<String, String> prodIdpOnly = new java.util.HashMap<>(PROD);
        prodIdpOnly.put("HERALD_JWT_SECRET", "");
        prodIdpOnly.put("HERALD_AUTH_JWKS_URL", "https://id.example.com/certs");
        assertNull(load(shipped(), prodIdpOnly).auth().jwtSecret(), "prod with the identity provider only");
        HeraldConfig.Auth rotating = load(shipped(), Map.of("HERALD_AUTH_PREVIOUS_JWT_SECRET", "old-secret",
                "HERALD_AUTH_PREVIOUS_JWT_SECRET_UNTIL", "1900000000")).auth();
        assertEquals(1_900_000_000L, rotating.previousJwtSecretUntil());
        java.util.HashMap<String, String> prod = new java.util.HashMap<>(PROD);
        prod.put("HERALD_AUTH_PREVIOUS_JWT_SECRET_UNTIL", "1900000000");
        prod.put("HERALD_AUTH_PREVIOUS_JWT_SECRET", "short");
        assertEquals("auth.previousJwtSecret", refused(shipped(), prod).key());
        prod.put("HERALD_AUTH_PREVIOUS_JWT_SECRET", HeraldConfig.DEV_JWT_SECRET);
        assertTrue(refused(shipped(), prod).getMessage().contains("development secret"));
        prod.put("HERALD_AUTH_PREVIOUS_JWT_SECRET", "an-old-secret-of-more-than-32-bytes-0123456789");
        assertEquals("an-old-secret-of-more-than-32-bytes-0123456789", load(shipped(), prod).auth().previousJwtSecret());
    }
}
