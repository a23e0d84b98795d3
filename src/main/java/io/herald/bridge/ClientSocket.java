package io.herald.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;

/**
 * A browser connection as the bridge sees it, whatever the transport: raw WebSocket, SockJS over
 * WebSocket (both owned by Herald, so that an event is encoded once for all of them), or another
 * SockJS transport (xhr-streaming, eventsource, … through vertx-web's SockJS handler).
 */
interface ClientSocket {
    /** The request URI the connection was opened with (the token may be in its query). */
    String uri();

    MultiMap headers();

    void pause();

    void resume();

    /** Each bridge frame the client sends, as text (SockJS batches are unpacked). */
    void frameHandler(Handler<String> handler);

    void closeHandler(Handler<Void> handler);

    /** Sends one bridge frame encoded for this socket alone (errors, replies). */
    void send(String frameJson);

    /**
     * Writes an event frame encoded once for every socket of the node. A transport may hold it until
     * {@link #flush()}: it answers true the first time it does so since the last flush.
     */
    boolean deliver(SharedFrame frame);

    /** Sends what {@link #deliver} held back, in as few writes as the transport can. */
    default void flush() {
    }

    /** Keeps an idle session alive where the transport needs it (SockJS over WebSocket). */
    default void heartbeat() {
    }

    /** Closes with a status code and a reason the client can read. */
    void close(int code, String reason);
}
