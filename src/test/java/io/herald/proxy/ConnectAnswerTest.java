package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The connect proxy's answers as claims, checked as a token's are; and what it is told of a connection. */
class ConnectAnswerTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    static final RoleMatrix ROLES = RoleMatrix.compile(HeraldConfig.readJson(Path.of("conf/roles.json"), "roles"), CATALOG);
    static final HeraldConfig.Auth STRICT = new HeraldConfig.Auth("s", null, true, true, 5, null, null);
    static final HeraldConfig.Auth LAX = new HeraldConfig.Auth("s", null, true, false, 5, null, null);
    static final long NOW = 1_800_000_000L;

    static ProxyClient.Answer ok(JsonObject body) {
        return new ProxyClient.Answer(200, body);
    }

    static ErrorCode refusal(ProxyClient.Answer answer, HeraldConfig.Auth auth) {
        return assertThrows(HeraldException.class, () -> ConnectAnswer.principal(answer, ROLES, auth, NOW)).code();
    }

    @Test
    void a200GivesItsClaims() {
        Principal p = ConnectAnswer.principal(ok(new JsonObject().put("sub", "c-7").put("role", "customer").put("storeId", 12)
                .put("rooms", new JsonArray().add("store:12")).put("exp", NOW + 600)), ROLES, STRICT, NOW);
        assertEquals(new Principal("c-7", "customer", "12", Set.of("store:12"), NOW + 600, NOW), p);
        Principal forever = ConnectAnswer.principal(ok(new JsonObject().put("sub", "c-7").put("role", "staff")), ROLES, LAX, NOW);
        assertEquals(0, forever.expiresAt(), "without auth.requireExpiry, no exp is no expiry");
    }

    @Test
    void a401IsNoIdentityAndA403RefusesAsAnInvalidToken() {
        assertNull(ConnectAnswer.principal(new ProxyClient.Answer(401, null), ROLES, STRICT, NOW));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(new ProxyClient.Answer(403, new JsonObject()), STRICT));
    }

    @Test
    void claimsAreCheckedAsATokensAre() {
        JsonObject good = new JsonObject().put("sub", "c-7").put("role", "customer").put("exp", NOW + 600);
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("role", "root")), STRICT), "a role the matrix lacks");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("sub", "")), STRICT), "no sub");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().putNull("exp")), STRICT), "no exp with auth.requireExpiry");
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("exp", "soon")), STRICT));
        assertEquals(ErrorCode.TOKEN_EXPIRED, refusal(ok(good.copy().put("exp", NOW - 60)), STRICT));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("rooms", "store:1")), STRICT));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("rooms", new JsonArray().add(5))), STRICT));
        assertEquals(ErrorCode.TOKEN_INVALID, refusal(ok(good.copy().put("storeId", new JsonObject())), STRICT));
    }

    @Test
    void theBackendIsToldOnlyTheAllowListedHeadersAndTheRemoteAddress() {
        ConnectProxy proxy = new ConnectProxy(null, List.of("cookie", "user-agent"), ROLES, STRICT);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Cookie", "session=abc").add("Cookie", "theme=dark")
                .add("User-Agent", "Mozilla/5.0")
                .add("Authorization", "Basic c2VjcmV0")
                .add("X-Other", "1");
        assertEquals(new JsonObject().put("headers", new JsonObject().put("cookie", "session=abc; theme=dark").put("user-agent", "Mozilla/5.0"))
                .put("remoteAddress", "10.0.0.7"), proxy.request(headers, "10.0.0.7"));
    }
}
