package io.herald;

import java.util.Locale;

/**
 * Why the hub closes a connection: every close uses one of these, as the WebSocket close code and
 * reason (and SockJS's {@code c[code,"reason"]}), after an {@code err} frame without address that
 * carries the same reason (the one thing every transport delivers). {@code reconnect} says whether a
 * client should connect again (with backoff; with a fresh token for {@code token_expired}).
 */
public enum CloseReason {
    /** The node is shutting down: connect to another node. */
    SHUTDOWN(1001, true),
    /** The node is cut off from most of its cluster (fewer than {@code cluster.minMembers} members): connect to another node. */
    UNAVAILABLE(1013, true),
    /** A frame larger than the transport accepts at all. */
    FRAME_TOO_LARGE(1009, false),
    /** No token while anonymous access is off. */
    TOKEN_REQUIRED(4401, false),
    /** A token that is forged, malformed or for an unknown role. */
    TOKEN_INVALID(4401, false),
    /** The token expired and was not refreshed ({@code herald:token}): connect again with a new one. */
    TOKEN_EXPIRED(4401, true),
    /** An admin or backend disconnected the user ({@code POST /api/disconnect}): connect again only with a new token. */
    REVOKED(4403, true),
    /** The client sent nothing (not even a ping or a pong) for {@code bridge.idleTimeoutSeconds}. */
    IDLE_TIMEOUT(4408, true),
    /** The client kept sending frames past its rate limit. */
    RATE_LIMITED(4429, true),
    /** Too many connections from the client's address, or on the node. */
    TOO_MANY_CONNECTIONS(4429, true),
    /** The client read too slowly: more than {@code bridge.maxOutboundBytes} waited for it. It recovers from history on reconnect. */
    SLOW_CONSUMER(4507, true),
    /** A failure inside the hub. */
    INTERNAL_ERROR(4500, true);

    private final int code;
    private final boolean reconnect;
    private final String id;

    CloseReason(int code, boolean reconnect) {
        this.code = code;
        this.reconnect = reconnect;
        this.id = name().toLowerCase(Locale.ROOT);
    }

    public int code() {
        return code;
    }

    /** The snake_case reason clients match on, e.g. {@code slow_consumer}. */
    public String id() {
        return id;
    }

    public boolean reconnect() {
        return reconnect;
    }

    /** The close that goes with refusing a connection for this error (a token refusal at open, say). */
    public static CloseReason forRefusal(ErrorCode code) {
        return switch (code) {
            case TOKEN_REQUIRED -> TOKEN_REQUIRED;
            case TOKEN_INVALID -> TOKEN_INVALID;
            case TOKEN_EXPIRED -> TOKEN_EXPIRED;
            case TOKEN_REVOKED -> REVOKED;
            case RATE_LIMITED -> RATE_LIMITED;
            case TOO_MANY_CONNECTIONS -> TOO_MANY_CONNECTIONS;
            case TOO_MANY_ROOMS -> TOKEN_INVALID; // the token's rooms claim: the same token is refused again
            default -> INTERNAL_ERROR;
        };
    }
}
