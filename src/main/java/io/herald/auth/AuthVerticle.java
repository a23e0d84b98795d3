package io.herald.auth;

import io.herald.Addresses;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Answers {@link Addresses#AUTH_VERIFY} on this node: token in, principal (JSON) or a coded refusal out. */
public final class AuthVerticle extends VerticleBase {
    private final HeraldConfig.Auth config;
    private final RoleMatrix roles;

    public AuthVerticle(HeraldConfig.Auth config, RoleMatrix roles) {
        this.config = config;
        this.roles = roles;
    }

    @Override
    public Future<?> start() {
        TokenVerifier verifier = new TokenVerifier(vertx, config, roles);
        return vertx.eventBus().<String>localConsumer(Addresses.AUTH_VERIFY, request ->
                verifier.verify(request.body())
                        .onSuccess(principal -> request.reply(principal.toJson()))
                        .onFailure(err -> HeraldException.failReply(request, err)))
                .completion();
    }
}
