package io.herald.graphql;

import io.herald.bridge.ServerWebSocketAdapter;
import io.herald.delivery.SharedFrame;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A {@code /graphql} WebSocket under its {@link GraphQLSocket}: text messages go to the Netty channel at the WebSocket
 * frame encoder, unflushed until the socket flushes (so a socket behind by several events gets them in one system
 * call), as the bridge's own WebSockets do ({@link ServerWebSocketAdapter}: the upgrade's facts, the channel, and its
 * write-buffer high watermark as the outbound bound).
 */
final class NettyWire extends ServerWebSocketAdapter implements GraphQLSocket.Wire {
    NettyWire(ServerWebSocket ws, int maxOutboundBytes) {
        super(ws, maxOutboundBytes);
    }

    /** Hands the WebSocket's messages and events to the socket. */
    void attach(GraphQLSocket socket) {
        ws.textMessageHandler(socket::onText);
        ws.binaryMessageHandler(data -> socket.onText("")); // not the protocol: 4400
        ws.pongHandler(data -> socket.onPong());
        // Vert.x drops a message past maxWebSocketMessageSize and reports it as an IllegalStateException, without closing
        ws.exceptionHandler(failure -> {
            if (failure instanceof IllegalStateException) {
                socket.onTooLarge();
            }
        });
        ws.closeHandler(v -> socket.onClosed());
    }

    /**
     * A compressed message past the cap goes to the socket (the bridge closes it, counted as its own sockets' are), not
     * closed by the decoder uncounted. Set at admission: the decoder joins the pipeline only once the 101 is written.
     */
    @Override
    public void onTooLarge(Runnable handler) {
        io.herald.bridge.WebSocketCompression.onTooLarge(channel.pipeline(), handler);
    }

    @Override
    public void write(String text) {
        channel.write(SharedFrame.webSocketTextFrame(text), channel.voidPromise());
    }

    /** The frame's header and the operation's head in one small buffer, then the shared rest as a retained duplicate. */
    @Override
    public void write(byte[] head, ByteBuf shared) {
        ByteBuf frame = channel.alloc().directBuffer(10 + head.length);
        SharedFrame.frameHeader(frame, 0x81, head.length + shared.readableBytes()).writeBytes(head);
        channel.write(frame, channel.voidPromise());
        channel.write(shared.retainedDuplicate(), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void whenDrained(Runnable drained) {
        afterWrites(drained);
    }

    @Override
    public boolean overloaded() {
        return !channel.channel().isWritable();
    }

    @Override
    public void ping() {
        ws.writePing(Buffer.buffer());
    }

    @Override
    public void close(int code, String reason) {
        if (!ws.isClosed()) {
            ws.close((short) code, reason);
        }
    }

    @Override
    public void abort() {
        closeTransport();
    }
}
