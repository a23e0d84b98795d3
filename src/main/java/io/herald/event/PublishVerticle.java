package io.herald.event;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.Counters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Publishing from the event bus, for JVM services on the cluster:
 * <ul>
 * <li>{@link Addresses#PUBLISH}: a publish request (see {@link HeraldClient}) → {@code {"id","seq","epoch"}};</li>
 * <li>each catalog type's own address: a raw {@code publish(type, data)} or {@code request(type, data)}
 * with a JSON object as the event's data. A request is taken in by the one node it reaches, which
 * replies {@code {"id","seq","epoch"}}; a publish reaches every node, and only the oldest Herald node
 * takes it in, so that it becomes exactly one event.</li>
 * </ul>
 * Anything else on a type's address is counted and logged, never delivered. A publish request with an
 * {@code "idempotencyKey"} is published once per key within the window (scope {@link IdempotencyKey#BUS}); a repeat's
 * reply is the first one plus {@code "replayed": true}.
 */
public final class PublishVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(PublishVerticle.class.getName());

    private final EventPublisher publisher;
    private final EventCatalog catalog;
    private final Counters stats;
    private final BooleanSupplier takesRawPublishes;

    public PublishVerticle(EventPublisher publisher, EventCatalog catalog, Counters stats, BooleanSupplier takesRawPublishes) {
        this.publisher = publisher;
        this.catalog = catalog;
        this.stats = stats;
        this.takesRawPublishes = takesRawPublishes;
    }

    @Override
    public Future<?> start() {
        List<Future<Void>> registered = new ArrayList<>();
        registered.add(vertx.eventBus().<JsonObject>consumer(Addresses.PUBLISH, request -> {
            try {
                Object key = request.body() == null ? null : request.body().getValue(IdempotencyKey.FIELD);
                if (key != null && !(key instanceof String)) {
                    throw new HeraldException(ErrorCode.INVALID_PARAMETER, "'" + IdempotencyKey.FIELD + "' must be a string");
                }
                reply(request, publisher.publish(PublishRequest.fromJson(request.body()),
                        key == null ? null : IdempotencyKey.ofEvent(IdempotencyKey.BUS, (String) key, request.body())));
            } catch (HeraldException e) {
                HeraldException.failReply(request, e);
            }
        }).completion());
        for (String type : catalog.types()) {
            registered.add(vertx.eventBus().consumer(type, this::onRaw).completion());
        }
        return Future.all(registered);
    }

    private void onRaw(Message<Object> message) {
        if (!message.isSend() && !takesRawPublishes.getAsBoolean()) {
            return;
        }
        if (!(message.body() instanceof JsonObject data) || JsonDepth.exceeds(data, JsonDepth.MAX)) {
            stats.rawEventRejected();
            LOG.warning("dropped a raw event on " + message.address() + ": its body must be a JSON object (the event's data), not "
                    + (message.body() == null ? "null" : message.body().getClass().getSimpleName()));
            if (message.isSend()) {
                HeraldException.failReply(message, new HeraldException(ErrorCode.INVALID_EVENT,
                        "the body of an event must be a JSON object nesting at most " + JsonDepth.MAX + " levels"));
            }
            return;
        }
        Future<Published> published = publisher.publish(new PublishRequest(message.address(), data, null, null, null));
        if (message.isSend()) {
            reply(message, published);
        } else {
            published.onFailure(err -> LOG.warning("a raw event published on " + message.address() + " was lost: " + err.getMessage()));
        }
    }

    private static void reply(Message<?> request, Future<Published> published) {
        published.onSuccess(p -> request.reply(p.toJsonMarked())).onFailure(err -> HeraldException.failReply(request, err));
    }
}
