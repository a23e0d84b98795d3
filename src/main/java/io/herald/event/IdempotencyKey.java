package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A publish's idempotency key, scoped to whoever publishes ({@link #HTTP}: the HTTP API, with the API key or an admin
 * token; {@link #BUS}: {@link HeraldClient}), with the SHA-256 of what was published, which a repeat must match.
 * {@code scoped} is {@code "<scope>\n<key>"}, the key of the store.
 */
public record IdempotencyKey(String scoped, String hash, io.vertx.core.json.JsonObject asSent) {

    public IdempotencyKey(String scoped, String hash) {
        this(scoped, hash, null);
    }

    /** Publishes over HTTP ({@code POST /api/events}, {@code /api/events/batch}). */
    public static final String HTTP = "http";
    /** Publishes over the event bus ({@link HeraldClient}, {@code Addresses.PUBLISH}). */
    public static final String BUS = "bus";
    /** The HTTP request header. */
    public static final String HEADER = "Idempotency-Key";
    /** The field of a batch item or a bus request. */
    public static final String FIELD = "idempotencyKey";
    /** The response header of an answer given again. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** The field of a batch item's result (and a bus reply) given again. */
    public static final String REPLAYED_FIELD = "replayed";
    public static final int MAX_LENGTH = 255;

    /** The key of {@code scope} for a publish of {@code bytes}; refuses a key that is not 1–255 printable ASCII characters. */
    public static IdempotencyKey of(String scope, String key, byte[] bytes) {
        check(key);
        return new IdempotencyKey(scope + "\n" + key, sha256(bytes));
    }

    /**
     * The key of {@code scope} for the event it is published with, hashed by the publisher from what it encodes anyway
     * ({@link #ofEvent(String, String, String, Target, String, String, boolean)}): its type, its data in compact JSON
     * (fields in the order sent), its target and identity fields. For batch events and bus requests, whose bytes are not
     * at hand: encoding each again only to hash it cost a keyed batch event about a quarter of its CPU.
     */
    public static IdempotencyKey ofEvent(String scope, String key, io.vertx.core.json.JsonObject asSent) {
        check(key);
        return new IdempotencyKey(scope + "\n" + key, null, asSent);
    }

    /** Whether the hash is still to be taken from the event ({@link #ofEvent(String, String, io.vertx.core.json.JsonObject)}). */
    boolean hashedByPublisher() {
        return hash == null;
    }

    /** This key with the hash of the event it is published with; each field length-prefixed, so none can pass for another. */
    IdempotencyKey ofEvent(String type, String dataJson, Target target, String userId, String storeId, boolean delete) {
        StringBuilder event = new StringBuilder(type.length() + dataJson.length() + 48);
        for (String field : new String[]{type, dataJson, target == null ? null : target.toJson().encode(), userId, storeId}) {
            event.append(field == null ? -1 : field.length()).append(':').append(field == null ? "" : field);
        }
        return new IdempotencyKey(scoped, sha256(event.append(delete).toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * This key hashed as the release before hashed it: the SHA-256 of the event's JSON as sent (a batch item, the bus
     * request), for the map of keys that release shares with this one during a rolling upgrade.
     */
    IdempotencyKey hashedAsBefore() {
        return new IdempotencyKey(scoped, sha256(asSent.encode().getBytes(StandardCharsets.UTF_8)));
    }

    /** As {@link #of(String, String, byte[])} for a JSON object, hashed in its compact encoding (fields in the order sent). */
    public static IdempotencyKey of(String scope, String key, io.vertx.core.json.JsonObject json) {
        check(key);
        return new IdempotencyKey(scope + "\n" + key, sha256(json.encode().getBytes(StandardCharsets.UTF_8)));
    }

    /** Refuses (400 {@code invalid_parameter}) a key that is not 1–255 printable ASCII characters (space to tilde). */
    public static void check(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH) {
            throw new HeraldException(ErrorCode.INVALID_PARAMETER, "an idempotency key has 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new HeraldException(ErrorCode.INVALID_PARAMETER, "an idempotency key has printable ASCII characters only");
            }
        }
    }

    /** One digest per thread (event loops), reset by each {@code digest}: no provider lookup per publish. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    });

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(SHA_256.get().digest(bytes));
    }
}
