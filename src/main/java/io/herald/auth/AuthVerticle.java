package io.herald.auth;

import io.herald.Addresses;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

/**
 * Answers {@link Addresses#AUTH_VERIFY} on this node: token in, principal (JSON) or a coded refusal out. The node
 * deploys one instance per event loop; each also answers {@link Addresses#authVerifyOn} for its own loop, where
 * {@link AuthRequests} sends the verifications asked from that loop (connects, {@code herald:token}, admin API
 * requests), so that verifications spread over the loops with their callers and none waits behind another loop's.
 * A token whose user is revoked ({@link Revocations}) is refused with {@code token_revoked}.
 */
public final class AuthVerticle extends VerticleBase {
    private final HeraldConfig.Auth config;
    private final RoleMatrix roles;
    private final Revocations revocations;
    /** The identity provider's keys, shared by every instance; null without {@code auth.jwksUrl}. */
    private JwksKeys jwks;

    public AuthVerticle(HeraldConfig.Auth config, RoleMatrix roles) {
        this(config, roles, null);
    }

    public AuthVerticle(HeraldConfig.Auth config, RoleMatrix roles, Revocations revocations) {
        this.config = config;
        this.roles = roles;
        this.revocations = revocations;
    }

    /** Also verifies the tokens the identity provider signed, with {@code keys} (null: none). */
    public AuthVerticle jwks(JwksKeys keys) {
        this.jwks = keys;
        return this;
    }

    @Override
    public Future<?> start() {
        TokenVerifier verifier = new TokenVerifier(vertx, config, roles, revocations, jwks);
        return Future.all(
                vertx.eventBus().<String>localConsumer(Addresses.AUTH_VERIFY, request -> verify(verifier, request)).completion(),
                // start() runs on this instance's event loop: its thread names the loop
                vertx.eventBus().<String>localConsumer(Addresses.authVerifyOn(Thread.currentThread().getName()),
                        request -> verify(verifier, request)).completion());
    }

    private static void verify(TokenVerifier verifier, Message<String> request) {
        verifier.verify(request.body())
                .onSuccess(principal -> request.reply(principal.toJson()))
                .onFailure(err -> HeraldException.failReply(request, err));
    }
}
