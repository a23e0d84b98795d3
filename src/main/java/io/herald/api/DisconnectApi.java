package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.access.DisconnectRequest;
import io.herald.stats.NodeStats;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /api/disconnect} (API key or admin token): {@code {"users":[…],"revokeTokensIssuedBefore":<unix seconds,
 * optional>}} closes every connection of those users on every node with {@code revoked} (4403) and, with the cutoff,
 * refuses their tokens issued earlier ({@code token_revoked}). Answers
 * {@code 200 {"disconnected":n,"nodes":{"answered":a,"total":t}}} within about 2 s. Bad JSON: {@code invalid_json};
 * no or bad users or cutoff: {@code invalid_parameter}; more users than {@code http.maxBatchSize}: {@code batch_too_large}.
 */
public final class DisconnectApi {
    public static final String PATH = "/api/disconnect";
    /** Longer than the nodes' 2 s to answer. */
    private static final long TIMEOUT_MS = 10_000;

    private final EventBus bus;
    private final NodeStats stats;
    private final AdminAccess access;
    private final int maxBodyBytes;
    private final int maxUsers;

    public DisconnectApi(EventBus bus, NodeStats stats, AdminAccess access, int maxBodyBytes, int maxUsers) {
        this.bus = bus;
        this.stats = stats;
        this.access = access;
        this.maxBodyBytes = maxBodyBytes;
        this.maxUsers = maxUsers;
    }

    public void mount(Router router) {
        router.post(PATH).handler(access);
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::disconnect).failureHandler(this::onFailure);
    }

    private void disconnect(RoutingContext ctx) {
        DisconnectRequest request;
        try {
            request = DisconnectRequest.fromJson(HttpResponses.jsonBody(ctx), maxUsers, System.currentTimeMillis() / 1000);
        } catch (HeraldException e) {
            refuse(ctx, e);
            return;
        }
        bus.<JsonObject>request(Addresses.DISCONNECT, request.toJson(), new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
                .onSuccess(reply -> HttpResponses.json(ctx, 200, reply.body()))
                .onFailure(err -> {
                    HeraldException e = HeraldException.from(err);
                    refuse(ctx, e.code() == ErrorCode.INTERNAL_ERROR ? new HeraldException(ErrorCode.UNAVAILABLE, "the disconnect could not be done now") : e);
                });
    }


    private void onFailure(RoutingContext ctx) {
        refuse(ctx, HttpResponses.bodyFailure(ctx, maxBodyBytes));
    }

    private void refuse(RoutingContext ctx, HeraldException error) {
        stats.refused(error.code());
        HttpResponses.error(ctx, error.code(), error.getMessage(), null);
    }
}
