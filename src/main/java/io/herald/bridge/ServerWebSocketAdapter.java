package io.herald.bridge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * What a socket Herald writes whole WebSocket frames to needs of its Vert.x {@link ServerWebSocket}, once for the
 * bridge's WebSockets ({@link WebSocketClientSocket}) and {@code /graphql}'s ({@code io.herald.graphql.NettyWire}): the
 * upgrade's URI, path, client address and headers, flow control, and the Netty channel at the WebSocket frame encoder,
 * whose write-buffer high watermark is the socket's outbound bound ({@code bridge.maxOutboundBytes}): past it the
 * channel is not writable.
 */
public abstract class ServerWebSocketAdapter {
    protected final ServerWebSocket ws;
    /**
     * Where frames enter the pipeline: at the WebSocket frame encoder, so that they go through only the handlers nearer
     * the socket than it (TLS, when there is any) and skip the frame codec and Vert.x's handler, which have nothing to
     * do for bytes that are already a whole frame.
     */
    protected final ChannelHandlerContext channel;

    protected ServerWebSocketAdapter(ServerWebSocket ws, int maxOutboundBytes) {
        this.ws = ws;
        ChannelHandlerContext connection = ((WebSocketInternal) ws).channelHandlerContext();
        ChannelHandlerContext encoder = connection.pipeline().context(WebSocketFrameEncoder.class);
        this.channel = encoder != null ? encoder : connection;
        channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxOutboundBytes / 2, maxOutboundBytes));
        ReservedBits.install(connection.pipeline()); // RFC 6455 §5.2: reserved bits no extension defines fail the connection
    }

    public String uri() {
        return ws.uri();
    }

    public String path() {
        return ws.path();
    }

    public String remoteAddress() {
        return ws.remoteAddress() == null ? null : ws.remoteAddress().hostAddress();
    }

    public MultiMap headers() {
        return ws.headers();
    }

    public void pause() {
        ws.pause();
    }

    public void resume() {
        ws.resume();
    }

    /** An empty write after the others: {@code drained} runs once they have all been written to the socket (or failed). */
    protected final void afterWrites(Runnable drained) {
        ChannelPromise written = channel.newPromise();
        written.addListener(done -> drained.run());
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER, written);
    }

    /** Straight to the transport: a close through the pipeline would wait for the client's close frame. */
    protected final void closeTransport() {
        channel.channel().unsafe().close(channel.channel().voidPromise());
    }
}
