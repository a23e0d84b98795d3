package io.herald;

/**
 * What the lower layers count, declared low so that they need not know the stats package (which sits
 * above them): {@code event}, {@code delivery}, {@code bridge} and {@code web} record through this
 * interface; {@link io.herald.stats.NodeStats} implements it (meters, {@code /metrics},
 * {@code /api/stats}). The node hands its one {@code NodeStats} to each of them as a {@code Counters}.
 */
public interface Counters {

    /** A connection opened with {@code role} on {@code transport}. */
    void connectionOpened(String role, boolean anonymousRole, String transport);

    /** A connection opened with {@code role} on {@code transport} closed. */
    void connectionClosed(String role, boolean anonymousRole, String transport);

    /** An open connection's token was refreshed to another role. */
    void connectionRoleChanged(String from, String to);

    /** A subscription to {@code type} (of {@code namespace}) added ({@code +1}) or removed ({@code -1}). */
    void subscribed(String type, String namespace, int delta);

    /** A connection's first subscription in {@code namespace} ({@code +1}), or its last one gone ({@code -1}). */
    void namespaceReaders(String namespace, int delta);

    /** A frame of {@code bytes} read from a client. */
    void frameIn(int bytes);

    /** {@code frames} frames of {@code bytes} in all written to clients. */
    void framesOut(int frames, long bytes);

    /** {@code count} events of {@code type} published through this node. */
    void published(String type, int count);

    /** A batch of {@code events} appended to the history. */
    void appended(int events);

    /** A batch of {@code events} received from the event bus. */
    void busBatch(int events);

    /** An event written to this node's sockets {@code millis} after it was published. */
    void deliveryLatency(long millis);

    /** A raw event refused on the event bus. */
    void rawEventRejected();

    /** A resume finished, completely or not. */
    void recovered(boolean complete);

    /** {@code count} events of a gap filled from the history. */
    void gapFilled(long count);

    /** {@code count} events of a gap lost. */
    void gapLost(long count);

    /** {@code count} events delivered to sockets. */
    void delivered(int count);

    /** A connection closed for {@code reason}. */
    void closed(CloseReason reason);

    /** A request or frame refused with {@code code}. */
    void refused(ErrorCode code);

    /** {@code count} events of a keyed type whose state update was {@code result}: applied, failed, or unkeyed (no key in data). */
    default void stateUpdated(String type, String result, int count) {
    }

    /** {@code count} events of an inbox type appended here, by what filing them did: filed, failed, or unaddressed (aimed at no user). */
    default void inboxFiled(String type, String result, int count) {
    }
}
