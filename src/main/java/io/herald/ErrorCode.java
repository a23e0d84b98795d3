package io.herald;

/**
 * The one error vocabulary of Herald: every refusal a client sees, over HTTP ({@code "error"}) or in a
 * bridge {@code err} frame ({@code "failureType"} and {@code "body"}), is one of these codes, with the
 * HTTP-style status that goes with it ({@code failureCode} in an err frame). Each code's status, what a client
 * does when the code refuses its connection, and its doc are declared in {@link Vocabulary}'s file
 * ({@code src/main/resources/herald/vocabulary.json}), from which herald.js, herald.d.ts and docs/codes.md are
 * generated; a constant added here needs its entry there ({@code VocabularyTest}).
 */
public enum ErrorCode {
    INVALID_JSON,
    INVALID_FRAME,
    MISSING_ADDRESS,
    INVALID_EVENT,
    UNKNOWN_EVENT_TYPE,
    INVALID_PARAMETER,
    FRAME_TOO_LARGE,
    BODY_TOO_LARGE,
    BATCH_TOO_LARGE,
    INVALID_FILTER,
    TOKEN_REQUIRED,
    TOKEN_INVALID,
    TOKEN_EXPIRED,
    TOKEN_REVOKED,
    UNAUTHORIZED,
    ACCESS_DENIED,
    NOT_FOUND,
    IDEMPOTENCY_CONFLICT,
    RECOVERY_INCOMPLETE,
    TOO_MANY_SUBSCRIPTIONS,
    TOO_MANY_ROOMS,
    TOO_MANY_PENDING_REPLIES,
    RATE_LIMITED,
    TOO_MANY_CONNECTIONS,
    INTERNAL_ERROR,
    UNAVAILABLE;

    private final int status;
    private final String id;
    private final Reconnect reconnect;
    private final String doc;
    private final String close;

    ErrorCode() {
        this.id = name().toLowerCase(java.util.Locale.ROOT);
        Vocabulary.Entry entry = Vocabulary.errorCode(id);
        this.status = entry.number("status");
        this.reconnect = Reconnect.fromId(entry.text("reconnect"));
        this.doc = entry.text("doc");
        this.close = entry.fields().getString("close", "internal_error");
    }

    /** The HTTP-style status: the HTTP response code, or an err frame's {@code failureCode}. */
    public int status() {
        return status;
    }

    /** The snake_case code clients match on, for example {@code access_denied}. */
    public String id() {
        return id;
    }

    /** What a client does when this code refuses its connection (the err frame before the close says it too). */
    public Reconnect reconnect() {
        return reconnect;
    }

    /** The close that follows when this code refuses a connection at open ({@code internal_error} for the codes that never do). */
    public CloseReason refusalClose() {
        return CloseReason.valueOf(close.toUpperCase(java.util.Locale.ROOT));
    }

    /** One line: when the hub answers with this code. */
    public String doc() {
        return doc;
    }

    public static ErrorCode fromId(String id) {
        for (ErrorCode code : values()) {
            if (code.id.equals(id)) {
                return code;
            }
        }
        return INTERNAL_ERROR;
    }
}
