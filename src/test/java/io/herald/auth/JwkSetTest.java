package io.herald.auth;

import io.herald.testing.TestJwks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JWKS document to keys: the usable ones by kid, the others skipped with a reason, the whole set bounded. */
class JwkSetTest {
    @Test
    void usableKeysAreFoundByKidAndTheRestSkippedWithAReason() throws Exception {
        TestJwks.SigningKey rs = TestJwks.rsa("rs", "RS256");
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        JsonArray keys = new JsonArray()
                .add(rs.jwk())
                .add(TestJwks.ec("es").jwk())
                .add(TestJwks.ed25519("ed").jwk())
                .add(new TestJwks.SigningKey("enc", "RS256", rs.pair()).jwk().put("use", "enc"))
                .add(new TestJwks.SigningKey("small", "RS256", small.generateKeyPair()).jwk())
                .add(new JsonObject().put("kty", "oct").put("kid", "hmac").put("k", "c2VjcmV0"))
                .add(TestJwks.ec("p256k").jwk().put("crv", "secp256k1"))
                .add(new TestJwks.SigningKey("ops", "RS256", rs.pair()).jwk().put("key_ops", new JsonArray().add("encrypt")))
                .add(new TestJwks.SigningKey("mismatch", "RS256", rs.pair()).jwk().put("alg", "ES256"))
                .add(new TestJwks.SigningKey("hs", "RS256", rs.pair()).jwk().put("alg", "HS256"))
                .add("not a key");
        JwkSet set = JwkSet.parse(new JsonObject().put("keys", keys));
        assertEquals(3, set.size(), set.skipped().toString());
        assertNotNull(set.byKid("rs"));
        assertEquals(rs.pair().getPublic(), set.byKid("rs").publicKey());
        assertEquals("P-256", set.byKid("es").crv());
        assertEquals("Ed25519", set.byKid("ed").crv());
        for (String kid : List.of("enc", "small", "hmac", "p256k", "ops", "mismatch", "hs")) {
            assertNull(set.byKid(kid), kid);
            assertTrue(set.skipped().stream().anyMatch(reason -> reason.startsWith("kid " + kid + ":")), kid + " " + set.skipped());
        }
        assertTrue(set.skipped().stream().anyMatch(reason -> reason.contains("1024 bits")), set.skipped().toString());
        assertThrows(IllegalArgumentException.class, () -> JwkSet.parse(new JsonObject().put("keys", "none")));
        assertThrows(IllegalArgumentException.class, () -> JwkSet.parse(new JsonObject()));
    }

    @Test
    void theSetIsBounded() {
        JsonObject one = TestJwks.ec("k").jwk();
        JsonArray many = new JsonArray();
        for (int i = 0; i < JwkSet.MAX_KEYS + 5; i++) {
            many.add(one.copy().put("kid", "k" + i));
        }
        JwkSet set = JwkSet.parse(new JsonObject().put("keys", many));
        assertEquals(JwkSet.MAX_KEYS, set.size());
        assertEquals(5, set.skipped().size());
    }
}
