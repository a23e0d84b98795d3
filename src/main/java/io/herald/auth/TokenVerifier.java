package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns a JWT into a {@link Principal}. The signature is checked by vertx-auth-jwt (HS256 with the
 * secret, or RS256 with a public key; {@code alg: none} and any other algorithm are refused); expiry,
 * role and subject are checked here so that each refusal has its own code and reason.
 */
public final class TokenVerifier {
    public static final String CLAIM_ROLE = "role";
    public static final String CLAIM_STORE = "storeId";
    public static final String CLAIM_ROOMS = "rooms";

    /** Where vertx-auth-jwt keeps the whole decoded payload (the principal holds only part of it). */
    private static final String DECODED_CLAIMS = "accessToken";

    private final JWTAuth jwt;
    private final RoleMatrix roles;
    private final HeraldConfig.Auth config;
    /** Null: no revocation check. */
    private final Revocations revocations;

    public TokenVerifier(Vertx vertx, HeraldConfig.Auth config, RoleMatrix roles) {
        this(vertx, config, roles, null);
    }

    /** A verifier that also refuses the tokens {@code revocations} names ({@code token_revoked}). */
    public TokenVerifier(Vertx vertx, HeraldConfig.Auth config, RoleMatrix roles, Revocations revocations) {
        this.jwt = JWTAuth.create(vertx, jwtOptions(config));
        this.roles = roles;
        this.config = config;
        this.revocations = revocations;
    }

    static JWTAuthOptions jwtOptions(HeraldConfig.Auth config) {
        JWTAuthOptions options = new JWTAuthOptions()
                // expiry is checked below, to tell an expired token from a forged one
                .setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
        if (config.jwtPublicKey() != null) {
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(readPem(config.jwtPublicKey())));
        } else {
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
        }
        return options;
    }

    private static String readPem(String keyOrPath) {
        if (keyOrPath.startsWith("-----BEGIN")) {
            return keyOrPath;
        }
        try {
            return Files.readString(Path.of(keyOrPath));
        } catch (IOException e) {
            throw new UncheckedIOException("auth.jwtPublicKey: cannot read " + keyOrPath, e);
        }
    }

    /** Verifies a token; null or empty means none (a guest, when anonymous access is allowed). */
    public Future<Principal> verify(String token) {
        if (token == null || token.isEmpty()) {
            return config.allowAnonymous()
                    ? Future.succeededFuture(Principal.anonymous(roles.anonymousRole()))
                    : Future.failedFuture(new HeraldException(ErrorCode.TOKEN_REQUIRED, "this hub does not accept anonymous connections: pass a token"));
        }
        Future<User> authenticated;
        try {
            authenticated = jwt.authenticate(new TokenCredentials(token));
        } catch (RuntimeException e) {
            // vertx-auth-jwt throws (ClassCastException) for a signed token whose exp, iat or nbf is not a number
            authenticated = Future.failedFuture(e);
        }
        return authenticated
                .recover(err -> Future.failedFuture(new HeraldException(ErrorCode.TOKEN_INVALID, "token rejected: bad signature, algorithm, format or claims")))
                .compose(user -> checkClaims(user.attributes().getJsonObject(DECODED_CLAIMS, user.principal())));
    }

    private Future<Principal> checkClaims(JsonObject claims) {
        Object exp = claims.getValue("exp");
        Object iat = claims.getValue("iat");
        if (iat != null && !(iat instanceof Number)) {
            return fail(ErrorCode.TOKEN_INVALID, "iat claim is not a number");
        }
        long issuedAt = iat instanceof Number n ? n.longValue() : 0;
        if (exp == null) {
            if (config.requireExpiry()) {
                return fail(ErrorCode.TOKEN_INVALID, "token has no exp claim");
            }
            // a token that never expires still ages out, so that a revocation (kept that long) covers it
            if (issuedAt <= 0) {
                return fail(ErrorCode.TOKEN_INVALID, "a token without exp needs an iat claim");
            }
            if (issuedAt + config.maxTokenLifetimeSeconds() + config.leewaySeconds() < System.currentTimeMillis() / 1000) {
                return fail(ErrorCode.TOKEN_EXPIRED, "token issued at " + issuedAt + " is older than auth.maxTokenLifetimeSeconds");
            }
        } else if (!(exp instanceof Number expiry)) {
            return fail(ErrorCode.TOKEN_INVALID, "exp claim is not a number");
        } else if (expiry.longValue() + config.leewaySeconds() < System.currentTimeMillis() / 1000) {
            return fail(ErrorCode.TOKEN_EXPIRED, "token expired at " + expiry.longValue());
        }
        if (claims.getValue("nbf") instanceof Number notBefore
                && notBefore.longValue() - config.leewaySeconds() > System.currentTimeMillis() / 1000) {
            return fail(ErrorCode.TOKEN_INVALID, "token is not valid before " + notBefore.longValue());
        }
        if (config.issuer() != null && !config.issuer().equals(claims.getValue("iss"))) {
            return fail(ErrorCode.TOKEN_INVALID, "token issuer is not " + config.issuer());
        }
        if (config.audience() != null && !hasAudience(claims.getValue("aud"), config.audience())) {
            return fail(ErrorCode.TOKEN_INVALID, "token is not for audience " + config.audience());
        }
        if (!(claims.getValue("sub") instanceof String sub) || sub.isEmpty()) {
            return fail(ErrorCode.TOKEN_INVALID, "token has no sub claim");
        }
        if (!(claims.getValue(CLAIM_ROLE) instanceof String role) || !roles.hasRole(role)) {
            return fail(ErrorCode.TOKEN_INVALID, "token role must be one of " + roles.roleNames());
        }
        Object store = claims.getValue(CLAIM_STORE);
        Set<String> rooms = new HashSet<>();
        if (claims.getValue(CLAIM_ROOMS) instanceof JsonArray array) {
            array.forEach(room -> rooms.add(String.valueOf(room)));
        }
        Principal principal = new Principal(sub, role, store == null ? null : String.valueOf(store), Set.copyOf(rooms),
                exp instanceof Number n ? n.longValue() : 0, issuedAt);
        if (revocations != null && revocations.revoked(principal, System.currentTimeMillis())) {
            return fail(ErrorCode.TOKEN_REVOKED, "this user's tokens issued before " + revocations.cutoff(sub, System.currentTimeMillis())
                    + " are revoked: get a new token");
        }
        return Future.succeededFuture(principal);
    }

    /** {@code aud} is one string or an array of them (RFC 7519 §4.1.3). */
    private static boolean hasAudience(Object aud, String expected) {
        return expected.equals(aud) || aud instanceof JsonArray array && array.contains(expected);
    }

    private static <T> Future<T> fail(ErrorCode code, String message) {
        return Future.failedFuture(new HeraldException(code, message));
    }
}
