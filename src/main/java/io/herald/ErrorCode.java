package io.herald;

/**
 * The one error vocabulary of Herald: every refusal a client sees, over HTTP ({@code "error"}) or in a
 * bridge {@code err} frame ({@code "failureType"} and {@code "body"}), is one of these codes, with the
 * HTTP-style status that goes with it ({@code failureCode} in an err frame).
 */
public enum ErrorCode {
    INVALID_JSON(400),
    INVALID_FRAME(400),
    MISSING_ADDRESS(400),
    INVALID_EVENT(400),
    UNKNOWN_EVENT_TYPE(400),
    INVALID_PARAMETER(400),
    FRAME_TOO_LARGE(400),
    BODY_TOO_LARGE(400),
    BATCH_TOO_LARGE(400),
    TOKEN_REQUIRED(401),
    TOKEN_INVALID(401),
    TOKEN_EXPIRED(401),
    /** A token of a user revoked with {@code revokeTokensIssuedBefore} ({@code POST /api/disconnect}), issued before that time or without {@code iat}. */
    TOKEN_REVOKED(401),
    UNAUTHORIZED(401),
    ACCESS_DENIED(403),
    NOT_FOUND(404),
    /** History no longer holds all the events after a register's {@code since} (or it names another epoch). */
    RECOVERY_INCOMPLETE(410),
    TOO_MANY_SUBSCRIPTIONS(429),
    /** A join past {@code rooms.maxPerConnection}. */
    TOO_MANY_ROOMS(429),
    /** More replies awaited on one connection than {@code bridge.maxPendingReplies}. */
    TOO_MANY_PENDING_REPLIES(429),
    /** Frames (or API events) faster than the configured rate. */
    RATE_LIMITED(429),
    /** A connection refused: too many from the client's address, or on the node. */
    TOO_MANY_CONNECTIONS(429),
    INTERNAL_ERROR(500),
    UNAVAILABLE(503);

    private final int status;
    private final String id;

    ErrorCode(int status) {
        this.status = status;
        this.id = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The HTTP-style status: the HTTP response code, or an err frame's {@code failureCode}. */
    public int status() {
        return status;
    }

    /** The snake_case code clients match on, for example {@code access_denied}. */
    public String id() {
        return id;
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
