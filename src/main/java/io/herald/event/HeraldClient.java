package io.herald.event;

import io.herald.Addresses;
import io.herald.HeraldException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * Publishes events from any verticle of a Vert.x instance clustered with Herald (same cluster.xml):
 * <pre>{@code
 * HeraldClient herald = HeraldClient.create(vertx);
 * herald.publish("order:created", new JsonObject().put("orderId", "o-1").put("customerId", "c-7"))
 *       .onSuccess(p -> log.info("published seq " + p.seq()));
 * }</pre>
 * A refusal fails the future with a {@link HeraldException} carrying the error code. {@link #disconnect} closes every
 * connection of some users on every node ({@code revoked}), and with a cutoff refuses their older tokens.
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
        return publish(request, null);
    }

    /**
     * Publishes once per {@code idempotencyKey} (1–255 printable ASCII characters; null: none) within
     * {@code api.idempotencyWindowSeconds}, from any node: a repeat gets the first answer again, with
     * {@link Published#replayed()}, and publishes nothing; the same key for another request fails with
     * {@code idempotency_conflict}. Keys of {@code HeraldClient} are apart from those of the HTTP API.
     */
    public Future<Published> publish(PublishRequest request, String idempotencyKey) {
        JsonObject body = request.toJson();
        if (idempotencyKey != null) {
            try {
                IdempotencyKey.check(idempotencyKey);
            } catch (HeraldException e) {
                return Future.failedFuture(e);
            }
            body.put(IdempotencyKey.FIELD, idempotencyKey);
        }
        return vertx.eventBus().<JsonObject>request(Addresses.PUBLISH, body)
                .map(reply -> Published.fromJson(reply.body()))
                .recover(err -> Future.failedFuture(HeraldException.from(err)));
    }

    /**
     * Closes every connection of {@code users} on every Herald node with the close reason {@code revoked}; with
     * {@code revokeTokensIssuedBefore} (unix seconds, or null) their tokens issued earlier (or without {@code iat})
     * are refused from now on ({@code token_revoked}), for {@code auth.maxTokenLifetimeSeconds}. Answers once every
     * node answered, or after 2 s with those that did.
     */
    public Future<Disconnected> disconnect(Collection<String> users, Long revokeTokensIssuedBefore) {
        JsonObject request = new JsonObject().put("users", new JsonArray(java.util.List.copyOf(users)));
        if (revokeTokensIssuedBefore != null) {
            request.put("revokeTokensIssuedBefore", revokeTokensIssuedBefore);
        }
        return vertx.eventBus().<JsonObject>request(Addresses.DISCONNECT, request, new DeliveryOptions().setSendTimeout(DISCONNECT_TIMEOUT_MS))
                .map(reply -> Disconnected.fromJson(reply.body()))
                .recover(err -> Future.failedFuture(HeraldException.from(err)));
    }

    /** Longer than the nodes' 2 s to answer. */
    private static final long DISCONNECT_TIMEOUT_MS = 10_000;
}
