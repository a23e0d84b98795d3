package io.herald.bridge;

import io.herald.catalog.EventCatalog;
import io.vertx.core.json.JsonObject;

/**
 * A {@code publish} or {@code send} of a catalog type as the policies see it. Publishing starts
 * refused (deny by default): the access policy allows what the role may publish, and stamps the data
 * with the publisher's identity.
 */
public final class PublishFrame {
    private final String type;
    private final EventCatalog.Namespace namespace;
    private JsonObject data;
    private boolean allowed;

    PublishFrame(String type, EventCatalog.Namespace namespace, JsonObject data) {
        this.type = type;
        this.namespace = namespace;
        this.data = data;
    }

    public String type() {
        return type;
    }

    public EventCatalog.Namespace namespace() {
        return namespace;
    }

    public JsonObject data() {
        return data;
    }

    public void data(JsonObject data) {
        this.data = data;
    }

    public boolean allowed() {
        return allowed;
    }

    public void allow() {
        this.allowed = true;
    }
}
