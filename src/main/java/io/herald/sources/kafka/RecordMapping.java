package io.herald.sources.kafka;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ConfigException;
import io.herald.config.ConfigKeys;
import io.herald.event.IdempotencyKey;
import io.herald.event.PublishRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One Kafka record → one publish, with the same validation as {@code POST /api/events}: where the record's event type
 * comes from is its topic's rule ({@code sources.kafka.topics}), the value is JSON (the event's {@code data}, or a whole
 * body with {@code field:<name>}), and the idempotency key is the record's {@value #KEY_HEADER} header or
 * {@code topic/partition/offset}. A record that cannot be published throws a {@link HeraldException} with a code of the
 * one vocabulary; the source dead-letters it. Plain and thread-safe: the consumer's thread calls it.
 */
public final class RecordMapping {
    /** The header that names a record's idempotency key (else its position is the key). */
    public static final String KEY_HEADER = "idempotency-key";
    /** The scope of the keys (the HTTP API's are {@code http}): a key of a Kafka record never answers an HTTP publish. */
    public static final String SCOPE = "kafka";

    /** Where a topic's records get their event type. */
    public record Rule(Kind kind, String name) {
        public enum Kind { HEADER, FIELD, FIXED }

        /** {@code header:<name>}, {@code field:<name>}, or a fixed event type. */
        public static Rule parse(String text) {
            String rule = text.trim();
            if (rule.startsWith("header:")) {
                return new Rule(Kind.HEADER, rule.substring("header:".length()));
            }
            if (rule.startsWith("field:")) {
                return new Rule(Kind.FIELD, rule.substring("field:".length()));
            }
            return new Rule(Kind.FIXED, rule);
        }
    }

    /** What a record becomes: the publish and its idempotency key. */
    public record Mapped(PublishRequest request, IdempotencyKey key) {
    }

    private final Map<String, Rule> rules;
    private final int maxBytes;
    private final Consumer<PublishRequest> validate;

    /**
     * {@code topics}: topic → rule text; {@code knownType}: the catalog (a fixed type it lacks is a config error);
     * {@code maxBytes}: the largest value, as {@code http.maxBodyBytes}; {@code validate}: the publisher's checks.
     */
    public RecordMapping(Map<String, String> topics, Predicate<String> knownType, int maxBytes, Consumer<PublishRequest> validate) {
        Map<String, Rule> parsed = new LinkedHashMap<>();
        topics.forEach((topic, text) -> {
            Rule rule = Rule.parse(text);
            if (rule.kind() == Rule.Kind.FIXED && !knownType.test(rule.name())) {
                throw new ConfigException(ConfigKeys.SOURCES_KAFKA_TOPICS.mapPath() + "." + topic,
                        "'" + rule.name() + "' is not an event type of the catalog");
            }
            parsed.put(topic, rule);
        });
        this.rules = Map.copyOf(parsed);
        this.maxBytes = maxBytes;
        this.validate = validate;
    }

    public Map<String, Rule> rules() {
        return rules;
    }

    /** The record at {@code topic/partition/offset} as a publish; throws {@link HeraldException} when it cannot be one. */
    public Mapped map(String topic, int partition, long offset, Headers headers, byte[] value) {
        Rule rule = rules.get(topic);
        if (rule == null) {
            throw new HeraldException(ErrorCode.INVALID_EVENT, "no rule for the topic " + topic);
        }
        if (value == null || value.length == 0) {
            throw new HeraldException(ErrorCode.INVALID_JSON, "a record without a value (a tombstone) is no event");
        }
        if (value.length > maxBytes) {
            throw new HeraldException(ErrorCode.BODY_TOO_LARGE, "a record's value may have at most " + maxBytes + " bytes (http.maxBodyBytes)");
        }
        JsonObject json;
        try {
            Object decoded = Json.decodeValue(Buffer.buffer(value));
            if (!(decoded instanceof JsonObject object)) {
                throw new HeraldException(ErrorCode.INVALID_JSON, "a record's value must be a JSON object");
            }
            json = object;
        } catch (DecodeException e) {
            throw new HeraldException(ErrorCode.INVALID_JSON, "a record's value is not JSON");
        }
        PublishRequest request = switch (rule.kind()) {
            case FIXED -> PublishRequest.fromJson(new JsonObject().put("type", rule.name()).put("data", json));
            case HEADER -> {
                String type = header(headers, rule.name());
                if (type == null || type.isEmpty()) {
                    throw new HeraldException(ErrorCode.INVALID_EVENT, "no header '" + rule.name() + "' naming the event type");
                }
                yield PublishRequest.fromJson(new JsonObject().put("type", type).put("data", json));
            }
            case FIELD -> {
                if (!(json.getValue(rule.name()) instanceof String type) || type.isEmpty()) {
                    throw new HeraldException(ErrorCode.INVALID_EVENT, "no string field '" + rule.name() + "' naming the event type");
                }
                JsonObject body = json;
                if (!"type".equals(rule.name())) {
                    body = json.copy();
                    body.remove(rule.name());
                    body.put("type", type);
                }
                yield PublishRequest.fromJson(body);
            }
        };
        validate.accept(request);
        String key = header(headers, KEY_HEADER);
        if (key == null) {
            key = topic + "/" + partition + "/" + offset;
        }
        // a repeat must carry the same type and value: the hash covers both
        byte[] type = (request.type() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] hashed = new byte[type.length + value.length];
        System.arraycopy(type, 0, hashed, 0, type.length);
        System.arraycopy(value, 0, hashed, type.length, value.length);
        return new Mapped(request, IdempotencyKey.of(SCOPE, key, hashed));
    }

    /** The last header of that name, as UTF-8 text, or null. */
    static String header(Headers headers, String name) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
