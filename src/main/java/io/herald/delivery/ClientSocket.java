package io.herald.delivery;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;

/**
 * A browser connection as the bridge sees it, whatever the transport: raw WebSocket, SockJS over
 * WebSocket (both owned by Herald, so that an event is encoded once for all of them), or another
 * SockJS transport (xhr-streaming, eventsource, … through vertx-web's SockJS handler).
 */
public interface ClientSocket {
    /** The request URI the connection was opened with (the token may be in its query). */
    String uri();

    /** The transport, for stats: {@code websocket} (raw), {@code sockjs-websocket}, or the SockJS fallback's name ({@code xhr_streaming}, …). */
    String transport();

    /** The client's IP address. */
    String remoteAddress();

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

    /**
     * As {@link #deliver(SharedFrame)}, told whether the event came {@code alone}: no other event was released on this
     * event loop shortly before it ({@link WriteCoalescer#ALONE_AFTER_NANOS}), so that another is unlikely to reach the
     * socket before the flush. A transport may then write it at once rather than hold it.
     */
    default boolean deliver(SharedFrame frame, boolean alone) {
        return deliver(frame);
    }

    /** Sends what {@link #deliver} held back, in as few writes as the transport can. */
    default void flush() {
    }

    /**
     * Runs {@code drained} once everything written so far has left the node (handed to the kernel, or to the
     * SockJS transport's response), or the connection ended; possibly on another thread of the node. How a replay
     * knows it may read its next page.
     */
    default void whenDrained(Runnable drained) {
        flush();
        drained.run();
    }

    /**
     * Whether more than the socket's outbound bound waits to be sent to the client: a slow consumer,
     * which the bridge closes before it costs the node more memory.
     */
    boolean overloaded();

    /**
     * Keeps the session alive and asks the client to show it is (a WebSocket ping, which browsers
     * answer; SockJS's {@code h} frame); fallback transports have vertx-web's heartbeats.
     */
    default void keepAlive() {
    }

    /** Called when the client sends a message larger than the transport accepts at all (the message is dropped). */
    default void tooLargeHandler(Handler<Void> handler) {
    }

    /** Called when the client answers a keep-alive (a WebSocket pong). */
    default void pongHandler(Handler<Void> handler) {
    }

    /** Closes with a status code and a reason the client can read. */
    void close(int code, String reason);

    /**
     * Sends a last frame and closes at once, without waiting for the client's answer to the close: how a node
     * that is going away closes all its sockets. Transports that cannot do better send and close as usual.
     */
    default void closeAtOnce(String frameJson, int code, String reason) {
        send(frameJson);
        close(code, reason);
    }

    /** Cuts the connection at once, without a close handshake (a client that reads nothing would never see it). */
    void abort();
}
