package io.herald.sources.outbox;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.event.IdempotencyKey;
import io.herald.event.PublishRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A row of the outbox to the publish it stands for, with the checks of {@code POST /api/events}: the type in the
 * catalog (the {@code validate} given: the publisher's), {@code data} a JSON object no deeper than the API allows and
 * no larger than {@code http.maxBodyBytes}, {@code target} as the API's. Pure: unit-tested without a database.
 *
 * <p>The idempotency key (scope {@value #SCOPE}) is the row's own position, {@code <table>:<id>}, so a row published
 * and not yet deleted (the node died in between) is answered from the key and appended nothing new; a row with an
 * {@code idempotency_key} uses that instead, so the same key in two rows is one event. The key's hash is the SHA-256
 * of the row's {@code {"type","data","target"}} as read.
 */
public final class OutboxMapping {
    /** The idempotency scope of outbox rows: their keys never meet those of the HTTP API or HeraldClient. */
    public static final String SCOPE = "outbox";

    private final String table;
    private final int maxDataBytes;
    private final Consumer<PublishRequest> validate;

    public OutboxMapping(String table, int maxDataBytes, Consumer<PublishRequest> validate) {
        this.table = table;
        this.maxDataBytes = maxDataBytes;
        this.validate = validate;
    }

    /** A row as a publish, or why it cannot be one. */
    public record Mapped(long id, PublishRequest request, IdempotencyKey key, String error) {
        public boolean bad() {
            return error != null;
        }
    }

    public Mapped map(OutboxRow row) {
        try {
            if (row.type() == null || row.type().isEmpty()) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "an event needs a type");
            }
            if (row.data() == null) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "'data' must be a JSON object");
            }
            if (row.data().length() > maxDataBytes && row.data().getBytes(StandardCharsets.UTF_8).length > maxDataBytes) {
                throw new HeraldException(ErrorCode.BODY_TOO_LARGE, "'data' is larger than " + maxDataBytes + " bytes (http.maxBodyBytes)");
            }
            JsonObject body = new JsonObject().put("type", row.type()).put("data", parse(row.data(), "data"));
            if (row.target() != null) {
                body.put("target", parse(row.target(), "target"));
            }
            if (!(body.getValue("data") instanceof JsonObject)) {
                throw new HeraldException(ErrorCode.INVALID_EVENT, "'data' must be a JSON object");
            }
            PublishRequest request = PublishRequest.fromJson(body);
            validate.accept(request);
            String key = row.idempotencyKey() != null ? row.idempotencyKey() : table + ":" + row.id();
            return new Mapped(row.id(), request, IdempotencyKey.of(SCOPE, key, body), null);
        } catch (HeraldException e) {
            return new Mapped(row.id(), null, null, e.code().id() + ": " + e.getMessage());
        }
    }

    private static Object parse(String text, String column) {
        try {
            return io.vertx.core.json.Json.decodeValue(text);
        } catch (DecodeException e) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "'" + column + "' is not JSON");
        }
    }
}
