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

    /** The secret, or the static public key; null when only the identity provider's key set verifies. */
    private final JWTAuth jwt;
    private final Vertx vertx;
    /** {@code auth.previousJwtSecret}, accepted until {@code auth.previousJwtSecretUntil}; null when not set. */
    private final JWTAuth previousJwt;
    /** The identity provider's keys ({@code auth.jwksUrl}); null when not set. */
    private final JwksKeys jwks;
    private final ClaimMapping claims;
    private final RoleMatrix roles;
    private final HeraldConfig.Auth config;
    /** Null: no revocation check. */
    private final Revocations revocations;

    public TokenVerifier(Vertx vertx, HeraldConfig.Auth config, RoleMatrix roles) {
        this(vertx, config, roles, null);
    }

    /** A verifier that also refuses the tokens {@code revocations} names ({@code token_revoked}). */
    public TokenVerifier(Vertx vertx, HeraldConfig.Auth config, RoleMatrix roles, Revocations revocations) {
        this(vertx, config, roles, revocations, null);
    }

    /** A verifier that also takes the tokens {@code jwks} (the identity provider's keys, null for none) signed. */
    public TokenVerifier(Vertx vertx, HeraldConfig.Auth config, RoleMatrix roles, Revocations revocations, JwksKeys jwks) {
        this.vertx = vertx;
        this.jwt = config.jwtSecret() == null && config.jwtPublicKey() == null ? null : JWTAuth.create(vertx, jwtOptions(config));
        this.previousJwt = config.previousJwtSecret() == null ? null : JWTAuth.create(vertx, new JWTAuthOptions()
                .setJWTOptions(new JWTOptions().setIgnoreExpiration(true))
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.previousJwtSecret())));
        this.jwks = jwks;
        this.claims = ClaimMapping.of(config.claims(), roles);
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
        if (jwks != null) {
            JwsToken parsed = JwsToken.parse(token);
            if (parsed != null && parsed.algorithm() != null) {
                return jwksClaims(parsed).compose(this::checkClaims);
            }
        }
        if (jwt == null) {
            return fail(ErrorCode.TOKEN_INVALID, "token rejected: bad signature, algorithm, format or claims");
        }
        return authenticate(jwt, token)
                .recover(err -> previousJwt == null ? Future.failedFuture(err) : authenticate(previousJwt, token).compose(claims -> {
                    long now = System.currentTimeMillis() / 1000;
                    return now <= config.previousJwtSecretUntil() ? Future.succeededFuture(claims)
                            : fail(ErrorCode.TOKEN_INVALID, "token signed with auth.previousJwtSecret, refused since " + config.previousJwtSecretUntil());
                }, e -> Future.failedFuture(err)))
                .recover(err -> err instanceof HeraldException ? Future.failedFuture(err)
                        : fail(ErrorCode.TOKEN_INVALID, "token rejected: bad signature, algorithm, format or claims"))
                .compose(this::checkClaims);
    }

    /** The claims of a token {@code auth} verifies (vertx-auth-jwt), or a failure. */
    private static Future<JsonObject> authenticate(JWTAuth auth, String token) {
        try {
            return auth.authenticate(new TokenCredentials(token)).map(user -> user.attributes().getJsonObject(DECODED_CLAIMS, user.principal()));
        } catch (RuntimeException e) {
            // vertx-auth-jwt throws (ClassCastException) for a signed token whose exp, iat or nbf is not a number
            return Future.failedFuture(e);
        }
    }

    /**
     * The claims of a token signed with one of the identity provider's keys: its {@code kid} (a token without one only
     * when the set has a single key) names the key, whose type must fit the token's {@code alg}. An unknown {@code kid}
     * waits for a fetch of the set (at most one per {@code auth.jwksMinRefetchSeconds}) and is refused if still unknown.
     * No key fetched yet: {@code unavailable} (the node is not ready; the client tries again or another node).
     */
    private Future<JsonObject> jwksClaims(JwsToken token) {
        JwkSet set = jwks.current();
        if (set == null) {
            return fail(ErrorCode.UNAVAILABLE, "this node has not fetched its identity provider's keys yet; try again or another node");
        }
        JwkSet.Key key = token.keyIn(set);
        if (key != null || token.kid() == null) {
            return checked(token, key);
        }
        Future<JwkSet> refetch = jwks.refetchForUnknownKid();
        if (refetch == null) {
            return fail(ErrorCode.TOKEN_INVALID, "token signed with a key the identity provider does not list (kid " + JwsToken.shown(token.kid()) + ")");
        }
        io.vertx.core.Context caller = Vertx.currentContext();
        io.vertx.core.Promise<JsonObject> result = io.vertx.core.Promise.promise();
        refetch.onComplete(done -> {
            JwkSet now = jwks.current();
            Future<JsonObject> verdict = checked(token, now == null ? null : token.keyIn(now));
            if (caller == null) {
                verdict.onComplete(result);
            } else {
                caller.runOnContext(v -> verdict.onComplete(result));
            }
        });
        return result.future();
    }

    /** EC and EdDSA signature checks waiting for or on a worker thread, node-wide, at most {@link #MAX_COSTLY_IN_FLIGHT}. */
    private static final java.util.concurrent.atomic.AtomicInteger COSTLY_IN_FLIGHT = new java.util.concurrent.atomic.AtomicInteger();
    static final int MAX_COSTLY_IN_FLIGHT = 64;

    /** The verified claims; an EC or EdDSA signature (milliseconds of CPU) is checked on a worker thread, off the event loop. */
    private Future<JsonObject> checked(JwsToken token, JwkSet.Key key) {
        if (key == null) {
            return fail(ErrorCode.TOKEN_INVALID, token.kid() == null
                    ? "token has no kid and the identity provider lists several keys"
                    : "token signed with a key the identity provider does not list (kid " + JwsToken.shown(token.kid()) + ")");
        }
        if (!token.algorithm().fits(key)) {
            return fail(ErrorCode.TOKEN_INVALID, "token alg " + token.algorithm() + " does not fit its key");
        }
        Future<JsonObject> claims;
        if (token.algorithm().costly() && Vertx.currentContext() != null) {
            // bounded: well-formed EC tokens from many addresses must not queue without end on the shared worker pool
            if (COSTLY_IN_FLIGHT.incrementAndGet() > MAX_COSTLY_IN_FLIGHT) {
                COSTLY_IN_FLIGHT.decrementAndGet();
                return fail(ErrorCode.UNAVAILABLE, "too many token checks in progress on this node; try again");
            }
            claims = vertx.executeBlocking(() -> token.verifiedClaims(key), false).andThen(done -> COSTLY_IN_FLIGHT.decrementAndGet());
        } else {
            claims = Future.succeededFuture(token.verifiedClaims(key));
        }
        return claims.compose(verified -> verified == null
                ? fail(ErrorCode.TOKEN_INVALID, "token rejected: bad signature, format or claims") : Future.succeededFuture(verified));
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
        ClaimMapping.Mapped mapped = this.claims.map(claims);
        if (mapped.error() != null) {
            return fail(ErrorCode.TOKEN_INVALID, mapped.error());
        }
        String sub = mapped.user();
        String role = mapped.role();
        String store = mapped.storeId();
        Set<String> rooms = new HashSet<>();
        if (claims.getValue(CLAIM_ROOMS) instanceof JsonArray array) {
            array.forEach(room -> rooms.add(String.valueOf(room)));
        }
        Principal principal = new Principal(sub, role, store, Set.copyOf(rooms),
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
