package io.herald.event;

import io.herald.Addresses;
import io.herald.HeraldException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Publishes events from any verticle of a Vert.x instance clustered with Herald (same cluster.xml):
 * <pre>{@code
 * HeraldClient herald = HeraldClient.create(vertx);
 * herald.publish("order:created", new JsonObject().put("orderId", "o-1").put("customerId", "c-7"))
 *       .onSuccess(p -> log.info("published seq " + p.seq()));
 * }</pre>
 * A refusal fails the future with a {@link HeraldException} carrying the error code.
 */
public final class HeraldClient {
    private final Vertx vertx;

    private HeraldClient(Vertx vertx) {
        this.vertx = vertx;
    }

    public static HeraldClient create(Vertx vertx) {
        return new HeraldClient(vertx);
    }

    public Future<Published> publish(String type, JsonObject data) {
        return publish(new PublishRequest(type, data, null, null, null));
    }

    public Future<Published> publish(PublishRequest request) {
        return vertx.eventBus().<JsonObject>request(Addresses.PUBLISH, request.toJson())
                .map(reply -> Published.fromJson(reply.body()))
                .recover(err -> Future.failedFuture(HeraldException.from(err)));
    }
}
