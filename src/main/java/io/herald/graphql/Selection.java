package io.herald.graphql;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The fields a subscription selects from each event, by response key, under its root field's response key: how an
 * envelope becomes a {@code next} message's payload, {@code {"data":{"<root>":{…}}}}. Two operations that select the
 * same fields under the same key have equal selections, so the payload of an event is encoded once for both.
 */
record Selection(String rootKey, List<Field> fields) {
    /** A response key and the envelope field (or {@code __typename}) it takes. */
    record Field(String key, String name) {
    }

    /** The payload of a {@code next} message for one event's envelope. */
    String payload(JsonObject envelope) {
        JsonObject event = new JsonObject();
        for (Field field : fields) {
            event.put(field.key(), "__typename".equals(field.name()) ? EventSchema.EVENT : envelope.getValue(field.name()));
        }
        return new JsonObject().put("data", new JsonObject().put(rootKey, event)).encode();
    }
}
