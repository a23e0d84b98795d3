package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token checks with vertx-auth-jwt doing the signatures (a Vert.x instance, no node). */
class TokenVerifierTest {
    static final String SECRET = "test-secret-test-secret-test-secret-42";
    static Vertx vertx;
    static RoleMatrix roles;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        roles = RoleMatrix.compile(HeraldConfig.readJson(Path.of("conf/roles.json"), "roles"), catalog);
    }

    @AfterAll
    static void tearDown() {
        vertx.close().await();
    }

    static HeraldConfig.Auth auth(boolean anonymous) {
        return new HeraldConfig.Auth(SECRET, null, anonymous, true, 5, null, null);
    }

    static String hs256(JsonObject claims) {
        return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)))
                .generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static ErrorCode refusal(Future<Principal> verdict) {
        return assertThrows(HeraldException.class, verdict::await).code();
    }

    @Test
    void validTokenGivesThePrincipal() {
        String token = hs256(new JsonObject().put("sub", "c-1").put("role", "customer").put("storeId", "s-1")
                .put("rooms", new JsonArray().add("vip")).put("exp", now() + 60));
        Principal principal = new TokenVerifier(vertx, auth(true), roles).verify(token).await();
        assertEquals(new Principal("c-1", "customer", "s-1", Set.of("vip"), now() + 60, principal.issuedAt()), principal);
        assertTrue(Math.abs(principal.issuedAt() - now()) <= 5, "the principal carries iat: " + principal.issuedAt());
        assertEquals(principal, Principal.fromJson(principal.toJson()), "iat survives the bus");
    }

    /** A token with the given claims as they are: no iat added. */
    static String hs256Raw(JsonObject claims) {
        return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)))
                .generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    }

    @Test
    void aRevokedUsersTokensIssuedBeforeTheCutoffOrWithoutIatAreRefused() {
        Revocations revocations = new Revocations();
        TokenVerifier verifier = new TokenVerifier(vertx, auth(true), roles, revocations);
        JsonObject old = new JsonObject().put("sub", "c-1").put("role", "customer").put("exp", now() + 600).put("iat", now() - 100);
        JsonObject fresh = old.copy().put("iat", now());
        JsonObject noIat = old.copy();
        noIat.remove("iat");
        revocations.put("c-1", now() - 10, System.currentTimeMillis() + 60_000);
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(verifier.verify(hs256Raw(old))));
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(verifier.verify(hs256Raw(noIat))));
        assertEquals("c-1", verifier.verify(hs256Raw(fresh)).await().userId(), "a token issued after the cutoff is accepted");
        assertEquals("c-2", verifier.verify(hs256Raw(old.copy().put("sub", "c-2"))).await().userId(), "other users are not touched");
        revocations.put("c-3", now() - 10, System.currentTimeMillis() - 1);
        assertEquals("c-3", verifier.verify(hs256Raw(old.copy().put("sub", "c-3"))).await().userId(), "an expired revocation no longer counts");
        assertEquals(ErrorCode.INVALID_PARAMETER.status(), 400);
        assertEquals(401, ErrorCode.TOKEN_REVOKED.status());
        assertEquals("token_revoked", ErrorCode.TOKEN_REVOKED.id());
    }

    @Test
    void withoutRequiredExpiryATokenAgesOutAfterTheMaxLifetime() {
        HeraldConfig.Auth lax = new HeraldConfig.Auth(SECRET, null, true, false, 5, null, null, 3600);
        TokenVerifier verifier = new TokenVerifier(vertx, lax, roles);
        JsonObject claims = new JsonObject().put("sub", "c-1").put("role", "customer");
        assertEquals("c-1", verifier.verify(hs256Raw(claims.copy().put("iat", now() - 3000))).await().userId());
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(verifier.verify(hs256Raw(claims.copy().put("iat", now() - 4000)))));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(hs256Raw(claims))), "no exp and no iat: its age is unknown");
    }

    @Test
    void minterAndVerifierAgree() {
        String token = new TokenMinter(vertx, auth(true)).mint("u-9", "staff", null, java.util.List.of(), 60);
        assertEquals("staff", new TokenVerifier(vertx, auth(true), roles).verify(token).await().role());
    }

    @Test
    void expiryHonoursTheLeeway() {
        TokenVerifier verifier = new TokenVerifier(vertx, auth(true), roles);
        assertEquals("c-1", verifier.verify(hs256(new JsonObject().put("sub", "c-1").put("role", "customer").put("exp", now() - 2))).await().userId());
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(verifier.verify(hs256(new JsonObject().put("sub", "c-1").put("role", "customer").put("exp", now() - 30)))));
    }

    @Test
    void notBeforeIsHonouredWithTheLeeway() {
        TokenVerifier verifier = new TokenVerifier(vertx, auth(true), roles);
        JsonObject claims = new JsonObject().put("sub", "c-1").put("role", "customer").put("exp", now() + 600);
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(hs256(claims.copy().put("nbf", now() + 60)))));
        assertEquals("c-1", verifier.verify(hs256(claims.copy().put("nbf", now() + 2))).await().userId());
    }

    @Test
    void noTokenIsAGuestOrARefusal() {
        Principal guest = new TokenVerifier(vertx, auth(true), roles).verify(null).await();
        assertEquals("guest", guest.role());
        assertTrue(guest.isAnonymous());
        assertEquals(ErrorCode.TOKEN_REQUIRED, refusal(new TokenVerifier(vertx, auth(false), roles).verify("")));
    }

    @Test
    void rs256WithAPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        String privatePem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
        JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(privatePem)));
        JsonObject claims = new JsonObject().put("sub", "m-1").put("role", "manager").put("exp", now() + 60);
        String token = issuer.generateToken(claims, new JWTOptions().setAlgorithm("RS256"));

        TokenVerifier verifier = new TokenVerifier(vertx, new HeraldConfig.Auth(null, publicPem, true, true, 5, null, null), roles);
        assertEquals("manager", verifier.verify(token).await().role());
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(verifier.verify(hs256(claims))), "an HS256 token is not accepted by an RS256 hub");

        TokenVerifier strict = new TokenVerifier(vertx, new HeraldConfig.Auth(null, publicPem, true, true, 5, "herald", "https://id.example.com"), roles);
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(strict.verify(token)), "no aud and iss");
        JsonObject issued = claims.copy().put("iss", "https://id.example.com").put("aud", new JsonArray().add("shop").add("herald"));
        assertEquals("m-1", strict.verify(issuer.generateToken(issued, new JWTOptions().setAlgorithm("RS256"))).await().userId());
        JsonObject otherAudience = issued.copy().put("aud", "billing");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(strict.verify(issuer.generateToken(otherAudience, new JWTOptions().setAlgorithm("RS256")))));
        JsonObject otherIssuer = issued.copy().put("iss", "https://evil.example.com");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(strict.verify(issuer.generateToken(otherIssuer, new JWTOptions().setAlgorithm("RS256")))));
    }

    static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + kind + "-----\n";
    }
}
