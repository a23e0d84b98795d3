package io.herald.auth;

import io.herald.config.HeraldConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.Collection;

/** Signs HS256 tokens with the node's secret: the dev admin token and the {@code token} subcommand. */
public final class TokenMinter {
    private final JWTAuth jwt;

    public TokenMinter(Vertx vertx, HeraldConfig.Auth config) {
        if (config.jwtSecret() == null) {
            throw new IllegalStateException("minting needs auth.jwtSecret (HS256); with an RS256 public key, tokens come from your identity provider");
        }
        this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret())));
    }

    public String mint(String userId, String role, String storeId, Collection<String> rooms, long ttlSeconds) {
        JsonObject claims = new JsonObject().put("sub", userId).put(TokenVerifier.CLAIM_ROLE, role);
        if (storeId != null) {
            claims.put(TokenVerifier.CLAIM_STORE, storeId);
        }
        if (rooms != null && !rooms.isEmpty()) {
            claims.put(TokenVerifier.CLAIM_ROOMS, new JsonArray(java.util.List.copyOf(rooms)));
        }
        return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) ttlSeconds));
    }
}
