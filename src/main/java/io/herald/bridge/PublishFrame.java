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
    private final JsonObject clientData;
    private JsonObject data;
    private boolean allowed;
    private boolean replyWithData;

    public PublishFrame(String type, EventCatalog.Namespace namespace, JsonObject data) {
        this.type = type;
        this.namespace = namespace;
        this.clientData = data;
        this.data = data;
    }

    /** The data as the client sent it, before any policy rewrote or stamped it. */
    public JsonObject clientData() {
        return clientData;
    }

    /** Whether a {@code send}'s reply carries the published {@code data} (a check changed it). */
    public boolean replyWithData() {
        return replyWithData;
    }

    /** A {@code send}'s reply carries the published {@code data}: the client did not publish what it sent. */
    public void replyWithData(boolean replyWithData) {
        this.replyWithData = replyWithData;
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
