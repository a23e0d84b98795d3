package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.config.HeraldConfig;
import io.herald.testing.TestJwks;
import io.herald.testing.TestJwks.SigningKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.herald.auth.TokenVerifierTest.SECRET;
import static io.herald.auth.TokenVerifierTest.auth;
import static io.herald.auth.TokenVerifierTest.hs256;
import static io.herald.auth.TokenVerifierTest.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Tokens an identity provider signs, against its key set as {@link JwksKeys} holds it (filled by hand here; JwksIT fetches
 * it over real HTTP): each algorithm, kid lookup, algorithm confusion, unknown kids, the HS256 previous secret.
 */
class IdentityTokensTest {
    static final SigningKey RS = TestJwks.rsa("rs-1", "RS256");
    static final SigningKey PS = TestJwks.rsa("ps-1", "PS256");
    static final SigningKey ES = TestJwks.ec("es-1");
    static final SigningKey ED = TestJwks.ed25519("ed-1");
    static final HeraldConfig.Jwks JWKS = new HeraldConfig.Jwks("https://id.example.com/certs", 30, 60, 3600);

    static io.vertx.core.Vertx vertx;
    static RoleMatrix roles;

    @org.junit.jupiter.api.BeforeAll
    static void setUp() {
        TokenVerifierTest.setUp();
        vertx = TokenVerifierTest.vertx;
        roles = TokenVerifierTest.roles;
    }

    @org.junit.jupiter.api.AfterAll
    static void tearDown() {
        TokenVerifierTest.tearDown();
    }

    static JwksKeys keys(List<SigningKey> keys, AtomicLong clock) {
        JwksKeys jwks = new JwksKeys(JWKS, clock::get);
        jwks.fetched(JwkSet.parse(TestJwks.document(keys)), null);
        return jwks;
    }

    static TokenVerifier verifier(JwksKeys jwks) {
        return new TokenVerifier(vertx, auth(true).with(null, 0, JWKS, HeraldConfig.Claims.DEFAULT), roles, null, jwks);
    }

    @Test
    void eachAlgorithmSignsATokenTheHubAccepts() {
        TokenVerifier verifier = verifier(keys(List.of(RS, PS, ES, ED), new AtomicLong()));
        for (SigningKey key : List.of(RS, PS, ES, ED)) {
            Principal principal = verifier.verify(key.sign(TestJwks.claims("u-" + key.alg(), "staff"))).await();
            assertEquals("u-" + key.alg(), principal.userId(), key.alg());
            assertEquals("staff", principal.role());
        }
        // HS256 with the node's secret still works beside the provider
        assertEquals("staff", verifier.verify(hs256(TestJwks.claims("h", "staff"))).await().role());
        // a key the provider publishes without alg (Entra ID) fits any algorithm of its type
        JwksKeys noAlg = new JwksKeys(JWKS, System::currentTimeMillis);
        noAlg.fetched(JwkSet.parse(new JsonObject().put("keys", new JsonArray().add(RS.jwk(false)))), null);
        assertEquals("staff", verifier(noAlg).verify(RS.sign(TestJwks.claims("e", "staff"))).await().role());
    }

    @Test
    void forgedOrConfusedTokensAreRefused() {
        TokenVerifier verifier = verifier(keys(List.of(RS, ES), new AtomicLong()));
        SigningKey impostor = TestJwks.rsa("rs-1", "RS256");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(impostor.sign(TestJwks.claims("u", "staff")))), "another key under a known kid");
        // the RSA key's kid on an ES256 token, and a PS256 token under a key declared RS256
        SigningKey esUnderRsKid = new SigningKey("rs-1", "ES256", ES.pair());
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(esUnderRsKid.sign(TestJwks.claims("u", "staff")))));
        SigningKey psUnderRs = new SigningKey("rs-1", "PS256", RS.pair());
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(psUnderRs.sign(TestJwks.claims("u", "staff")))), "alg must equal the key's alg");
        // HS256 signed with the RSA key's public bytes as the secret: only the configured secret verifies HS256
        String publicAsSecret = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
                        .setBuffer(new String(RS.pair().getPublic().getEncoded(), StandardCharsets.ISO_8859_1))))
                .generateToken(TestJwks.claims("u", "admin"), new JWTOptions().setAlgorithm("HS256").setHeader(new JsonObject().put("kid", "rs-1")));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(publicAsSecret)));
        // a crit header is not understood: refused; a jku pointing elsewhere is ignored (the key still comes from the set)
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(withHeader(RS, new JsonObject().put("crit", new JsonArray().add("b64"))))));
        assertEquals("staff", verifier.verify(withHeader(RS, new JsonObject().put("jku", "https://evil.example.com/keys"))).await().role());
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(RS.sign(TestJwks.claims("u", "root")))), "an unknown role");
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(verifier.verify(RS.sign(TestJwks.claims("u", "staff").put("exp", 1000)))));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(RS.sign(TestJwks.claims("u", "staff"), null))),
                "no kid while the set has two keys");
        assertEquals("staff", verifier(keys(List.of(ES), new AtomicLong())).verify(ES.sign(TestJwks.claims("u", "staff"), null)).await().role(),
                "no kid, one key: that key");
    }

    static String withHeader(SigningKey key, JsonObject extra) {
        return key.signWithHeader(extra, TestJwks.claims("u", "staff"));
    }

    @Test
    void anUnknownKidFetchesAtMostOncePerMinRefetchThenIsRefused() {
        AtomicLong clock = new AtomicLong(1_000_000);
        JwksKeys jwks = keys(List.of(RS), clock);
        AtomicInteger fetches = new AtomicInteger();
        List<SigningKey>[] published = new List[]{List.of(RS)};
        jwks.fetcher(() -> {
            fetches.incrementAndGet();
            JwkSet set = JwkSet.parse(TestJwks.document(published[0]));
            jwks.fetched(set, null);
            return Future.succeededFuture(set);
        });
        TokenVerifier verifier = verifier(jwks);
        SigningKey rotated = TestJwks.rsa("rs-2", "RS256");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(rotated.sign(TestJwks.claims("u", "staff")))));
        assertEquals(1, fetches.get(), "the unknown kid fetched the set once");
        for (int i = 0; i < 5; i++) {
            assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(rotated.sign(TestJwks.claims("u", "staff")))));
        }
        assertEquals(1, fetches.get(), "and not again within auth.jwksMinRefetchSeconds");
        published[0] = List.of(RS, rotated);
        clock.addAndGet(30_000);
        assertEquals("staff", verifier.verify(rotated.sign(TestJwks.claims("u", "staff"))).await().role(), "the provider now lists it");
        assertEquals(2, fetches.get());
        assertEquals("staff", verifier.verify(rotated.sign(TestJwks.claims("u", "staff"))).await().role());
        assertEquals(2, fetches.get(), "a known kid fetches nothing");
    }

    @Test
    void beforeAnyKeyArrivesProviderTokensAreUnavailable() {
        JwksKeys empty = new JwksKeys(JWKS, System::currentTimeMillis);
        assertNull(empty.current());
        assertEquals(ErrorCode.UNAVAILABLE, refusal(verifier(empty).verify(RS.sign(TestJwks.claims("u", "staff")))));
        assertEquals("staff", verifier(empty).verify(hs256(TestJwks.claims("h", "staff"))).await().role(), "HS256 needs no provider");
    }

    @Test
    void thePreviousSecretIsAcceptedUntilItsTime() {
        String previous = "the-previous-secret-of-at-least-32-bytes";
        String oldToken = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(previous)))
                .generateToken(TestJwks.claims("old", "staff"), new JWTOptions().setAlgorithm("HS256"));
        long now = System.currentTimeMillis() / 1000;
        TokenVerifier rotating = new TokenVerifier(vertx, auth(true).with(previous, now + 600, null, HeraldConfig.Claims.DEFAULT), roles);
        assertEquals("old", rotating.verify(oldToken).await().userId());
        assertEquals("new", rotating.verify(hs256(TestJwks.claims("new", "staff"))).await().userId(), "the current secret, of course");
        TokenVerifier rotated = new TokenVerifier(vertx, auth(true).with(previous, now - 1, null, HeraldConfig.Claims.DEFAULT), roles);
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(rotated.verify(oldToken)));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(new TokenVerifier(vertx, auth(true), roles).verify(oldToken)), "no previous secret: refused");
        String forged = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
                .setBuffer("neither-secret-neither-secret-neither-42"))).generateToken(TestJwks.claims("x", "staff"), new JWTOptions().setAlgorithm("HS256"));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(rotating.verify(forged)));
        assertEquals(SECRET.length() > 0, true);
        assertEquals(Map.of(), HeraldConfig.Claims.DEFAULT.roleMap());
    }
}
