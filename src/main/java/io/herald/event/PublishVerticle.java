package io.herald.event;

import io.herald.Addresses;
import io.herald.HeraldException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * Publishing for JVM services on the cluster: a clustered consumer of {@link Addresses#PUBLISH} on every
 * node (the bus spreads requests over them) that publishes the request and replies {@code {"id","seq"}}.
 * {@link HeraldClient} is the typed way to call it.
 */
public final class PublishVerticle extends VerticleBase {
    private final EventPublisher publisher;

    public PublishVerticle(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public Future<?> start() {
        return vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, request -> {
            try {
                publisher.publish(PublishRequest.fromJson(request.body()))
                        .onSuccess(published -> request.reply(published.toJson()))
                        .onFailure(err -> HeraldException.failReply(request, err));
            } catch (HeraldException e) {
                HeraldException.failReply(request, e);
            }
        }).completion();
    }
}
