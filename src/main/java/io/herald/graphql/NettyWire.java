package io.herald.graphql;

import io.herald.delivery.SharedFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * A {@code /graphql} WebSocket under its {@link GraphQLSocket}: text messages go to the Netty channel at the WebSocket
 * frame encoder, unflushed until the socket flushes (so a socket behind by several events gets them in one system
 * call), as the bridge's own WebSockets do; the channel's write-buffer high watermark is the outbound bound.
 */
final class NettyWire implements GraphQLSocket.Wire {
    private final ServerWebSocket ws;
    private final ChannelHandlerContext channel;

    NettyWire(ServerWebSocket ws, int maxOutboundBytes) {
        this.ws = ws;
        ChannelHandlerContext connection = ((WebSocketInternal) ws).channelHandlerContext();
        ChannelHandlerContext encoder = connection.pipeline().context(WebSocketFrameEncoder.class);
        this.channel = encoder != null ? encoder : connection;
        channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxOutboundBytes / 2, maxOutboundBytes));
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

    @Override
    public String uri() {
        return ws.uri();
    }

    @Override
    public String path() {
        return ws.path();
    }

    @Override
    public String remoteAddress() {
        return ws.remoteAddress() == null ? null : ws.remoteAddress().hostAddress();
    }

    @Override
    public MultiMap headers() {
        return ws.headers();
    }

    @Override
    public void pause() {
        ws.pause();
    }

    @Override
    public void resume() {
        ws.resume();
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

    /** An empty write after the others: its promise completes once they have all been written to the socket (or failed). */
    @Override
    public void whenDrained(Runnable drained) {
        ChannelPromise written = channel.newPromise();
        written.addListener(done -> drained.run());
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER, written);
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

    /** Straight to the transport: a close through the pipeline would wait for the client's close frame. */
    @Override
    public void abort() {
        channel.channel().unsafe().close(channel.channel().voidPromise());
    }
}
