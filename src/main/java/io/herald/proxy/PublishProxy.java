package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.access.IdentityStamp;
import io.herald.auth.Principal;
import io.herald.bridge.ConnectionPolicy;
import io.herald.bridge.PublishFrame;
import io.herald.delivery.Connection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * {@code proxy.publish.url} with {@code proxy.publish.types}: after the role's publish list allowed it, a client's
 * {@code publish} or {@code send} of one of those types is POSTed to the backend as
 * {@code {"user", "role", "type", "data"}} (the data as the client sent it). 200 {@code {"data"?}} publishes it, with
 * the backend's {@code data} when it gives one (stamped with the publisher's identity after, as any client publish
 * is; a {@code send}'s reply then carries the published {@code data}); 403 {@code {"error"?}} refuses it with an
 * {@code access_denied} err carrying the backend's message. Any other type costs one set lookup.
 */
public final class PublishProxy implements ConnectionPolicy {
    static final int ALLOW = 200;
    static final int REFUSE = 403;
    /** The longest backend message passed on to the client. */
    static final int MAX_MESSAGE_CHARS = 500;

    private final ProxyClient client;
    private final Set<String> types;

    public PublishProxy(ProxyClient client, Set<String> types) {
        this.client = client;
        this.types = Set.copyOf(types);
    }

    @Override
    public PublishCheck publishCheck() {
        return this::check;
    }

    Future<Void> check(Connection connection, PublishFrame publish) {
        if (!types.contains(publish.type())) {
            return null;
        }
        Principal who = connection.principal();
        JsonObject request = new JsonObject().put("user", who.userId()).put("role", who.role()).put("type", publish.type())
                .put("data", publish.clientData());
        return client.post(request).map(answer -> {
            apply(answer, publish, who);
            return null;
        });
    }

    /** What the backend's answer does to the publish: rewrites its data, or refuses it (throws). */
    static void apply(ProxyClient.Answer answer, PublishFrame publish, Principal who) {
        if (answer.status() == REFUSE) {
            String message = answer.body() != null && answer.body().getValue("error") instanceof String error && !error.isBlank()
                    ? error : "the backend refused this publish";
            throw new HeraldException(ErrorCode.ACCESS_DENIED,
                    message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
        }
        Object data = answer.body().getValue("data");
        if (data == null) {
            return; // published as the client sent it (already stamped)
        }
        if (!(data instanceof JsonObject changed)) {
            throw new HeraldException(ErrorCode.UNAVAILABLE, "the publish proxy: the backend's data is not a JSON object");
        }
        publish.data(IdentityStamp.stamp(changed, publish.namespace().ownerField(), who));
        publish.replyWithData(true);
    }
}
