package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.event.EventPublisher;
import io.herald.event.IdempotencyKey;
import io.herald.event.Published;
import io.herald.event.PublishRequest;
import io.herald.limits.PublishRateLimit;
import io.herald.stats.NodeStats;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/events} (one event) and {@code POST /api/events/batch} ({@code {"events":[…]}}) for
 * backends, with {@code Authorization: Bearer <API key>} (or an admin token, as the console's test form
 * sends). The key is checked before the body is read;
 * a batch is validated whole before any of it is published. The key (admin tokens count with it) may publish
 * {@code limits.publishEventsPerSecond} events a second on each node (a batch counts each event); past
 * that the answer is {@code 429 rate_limited} with {@code Retry-After}.
 *
 * <p>Idempotent publishing (docs/backends.md): an {@code Idempotency-Key} header on {@code /api/events}, or an
 * {@code "idempotencyKey"} field on a batch's event, makes a repeat within the window get the first answer again
 * (header {@code Idempotent-Replayed: true}; in a batch, {@code "replayed": true} on that event's result).
 */
public final class PublishApi {
    public static final String EVENTS_PATH = "/api/events";
    public static final String BATCH_PATH = "/api/events/batch";

    private final EventPublisher publisher;
    private final NodeStats stats;
    private final AdminAccess access;
    private final String key;
    private final PublishRateLimit rateLimit;
    private final int maxBodyBytes;
    private final int maxBatchSize;

    public PublishApi(EventPublisher publisher, PublishRateLimit rateLimit, NodeStats stats, AdminAccess access, String apiKey,
                      int maxBodyBytes, int maxBatchSize) {
        this.publisher = publisher;
        this.rateLimit = rateLimit;
        this.stats = stats;
        this.access = access;
        this.key = apiKey;
        this.maxBodyBytes = maxBodyBytes;
        this.maxBatchSize = maxBatchSize;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        // the key (or an admin token) is checked in a route of its own, before the body handler reads anything
        router.post(EVENTS_PATH).handler(access);
        router.post(BATCH_PATH).handler(access);
        router.post(EVENTS_PATH).handler(body).handler(this::publishOne).failureHandler(this::onFailure);
        router.post(BATCH_PATH).handler(body).handler(this::publishBatch).failureHandler(this::onFailure);
    }

    private void publishOne(RoutingContext ctx) {
        PublishRequest request;
        IdempotencyKey idempotencyKey = null;
        try {
            String header = ctx.request().getHeader(IdempotencyKey.HEADER);
            if (header != null) {
                // the SHA-256 of the body's bytes as sent: a repeat must send the same bytes
                idempotencyKey = IdempotencyKey.of(IdempotencyKey.HTTP, header, ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            }
            request = PublishRequest.fromJson(HttpResponses.jsonBody(ctx));
            publisher.validate(request);
        } catch (HeraldException e) {
            refuse(ctx, e, null);
            return;
        }
        if (!withinRate(ctx, 1)) {
            return;
        }
        publisher.publish(request, idempotencyKey).onComplete(ar -> {
            if (ar.succeeded()) {
                if (ar.result().replayed()) {
                    ctx.response().putHeader(IdempotencyKey.REPLAYED_HEADER, "true");
                }
                HttpResponses.json(ctx, 202, ar.result().toJson());
            } else {
                refuse(ctx, HeraldException.from(ar.cause()), null);
            }
        });
    }

    private void publishBatch(RoutingContext ctx) {
        List<PublishRequest> requests = new ArrayList<>();
        List<IdempotencyKey> keys = null;
        int index = -1;
        try {
            if (ctx.request().getHeader(IdempotencyKey.HEADER) != null) {
                throw new HeraldException(ErrorCode.INVALID_PARAMETER, "a batch carries an \"" + IdempotencyKey.FIELD
                        + "\" on each event, not an " + IdempotencyKey.HEADER + " header");
            }
            Object body = HttpResponses.jsonBody(ctx);
            if (!(body instanceof JsonObject json) || !(json.getValue("events") instanceof JsonArray events)) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "a batch is {\"events\":[…]}");
            }
            if (events.size() > maxBatchSize) {
                throw new HeraldException(ErrorCode.BATCH_TOO_LARGE, "at most " + maxBatchSize + " events per batch");
            }
            for (index = 0; index < events.size(); index++) {
                PublishRequest request = PublishRequest.fromJson(events.getValue(index));
                publisher.validate(request);
                requests.add(request);
                Object key = events.getJsonObject(index).getValue(IdempotencyKey.FIELD);
                if (key != null) {
                    if (!(key instanceof String text)) {
                        throw new HeraldException(ErrorCode.INVALID_PARAMETER, "'" + IdempotencyKey.FIELD + "' must be a string");
                    }
                    if (keys == null) {
                        keys = new ArrayList<>(java.util.Collections.nCopies(events.size(), null));
                    }
                    // hashed by the publisher from the event it parsed (docs/backends.md)
                    keys.set(index, IdempotencyKey.ofEvent(IdempotencyKey.HTTP, text, events.getJsonObject(index)));
                }
            }
        } catch (HeraldException e) {
            refuse(ctx, e, index >= 0 ? new JsonObject().put("index", index) : null);
            return;
        }
        if (!withinRate(ctx, requests.size())) {
            return;
        }
        publisher.publishAll(requests, keys).onComplete(published -> {
            if (published.succeeded()) {
                JsonArray results = new JsonArray();
                published.result().forEach(p -> results.add(p.toJsonMarked()));
                HttpResponses.json(ctx, 202, new JsonObject().put("results", results));
            } else {
                refuse(ctx, HeraldException.from(published.cause()), null);
            }
        });
    }

    /** Takes {@code events} from the key's rate; past it, answers 429 with Retry-After (whole seconds, at least 1). */
    private boolean withinRate(RoutingContext ctx, int events) {
        long waitMs = rateLimit.take(key, events);
        if (waitMs == 0) {
            return true;
        }
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (waitMs + 999) / 1000)));
        refuse(ctx, new HeraldException(ErrorCode.RATE_LIMITED,
                "at most " + rateLimit.eventsPerSecond() + " events a second per API key on this node"), null);
        return false;
    }


    private void onFailure(RoutingContext ctx) {
        refuse(ctx, HttpResponses.bodyFailure(ctx, maxBodyBytes), null);
    }

    private void refuse(RoutingContext ctx, HeraldException error, JsonObject extra) {
        stats.refused(error.code());
        HttpResponses.error(ctx, error.code(), error.getMessage(), extra);
    }
}
