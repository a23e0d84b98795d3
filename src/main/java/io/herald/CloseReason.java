package io.herald;

import java.util.Locale;

/**
 * Why the hub closes a connection: every close uses one of these, as the WebSocket close code and
 * reason (and SockJS's {@code c[code,"reason"]}), after an {@code err} frame without address that
 * carries the same reason and {@code reconnect} (the one thing every transport delivers). One code per reason, in
 * ranges that say what a client does ({@link Reconnect}): 4000–4099 connect again, 4100–4199 connect again with a
 * new token, 4200–4299 do not; the standard 1001, 1002, 1007, 1009 and 1013 besides. Codes, classes and docs are declared in
 * {@link Vocabulary}'s file ({@code src/main/resources/herald/vocabulary.json}); a constant added here needs its
 * entry there ({@code VocabularyTest}).
 */
public enum CloseReason {
    SHUTDOWN,
    UNAVAILABLE,
    FRAME_TOO_LARGE,
    TOKEN_REQUIRED,
    TOKEN_INVALID,
    TOKEN_EXPIRED,
    REVOKED,
    IDLE_TIMEOUT,
    RATE_LIMITED,
    TOO_MANY_CONNECTIONS,
    SLOW_CONSUMER,
    INTERNAL_ERROR,
    PROTOCOL_ERROR,
    INVALID_PAYLOAD;

    private final int code;
    private final Reconnect reconnect;
    private final String id;
    private final String doc;

    CloseReason() {
        this.id = name().toLowerCase(Locale.ROOT);
        Vocabulary.Entry entry = Vocabulary.closeReason(id);
        this.code = entry.number("code");
        this.reconnect = Reconnect.fromId(entry.text("reconnect"));
        this.doc = entry.text("doc");
    }

    /** The WebSocket close code (SockJS's {@code c[code,"reason"]} over WebSocket): one per reason. */
    public int code() {
        return code;
    }

    /** The snake_case reason clients match on, e.g. {@code slow_consumer}. */
    public String id() {
        return id;
    }

    /** Whether connecting again can help (with a new token, for the {@link Reconnect#NEW_TOKEN} class): the err frame's {@code reconnect}. */
    public boolean reconnect() {
        return reconnect != Reconnect.NO;
    }

    /** What a client does after this close; a code of 4000 and up lies in its class's range. */
    public Reconnect reconnectClass() {
        return reconnect;
    }

    /** One line: when the hub closes for this reason. */
    public String doc() {
        return doc;
    }

    /** The close that goes with refusing a connection for this error (a token refusal at open, say): the code's {@code close} in the file. */
    public static CloseReason forRefusal(ErrorCode code) {
        return code.refusalClose();
    }
}
