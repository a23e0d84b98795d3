package io.herald.bridge;

import io.herald.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * RFC 6455 §5.2 for what a client sends: a reserved bit (RSV1–3) that no negotiated extension defines fails the
 * connection. Vert.x 5.1.1 lets Netty's frame decoder accept every reserved bit whenever compression is supported, so
 * without this a frame with RSV1 on a socket that did not negotiate permessage-deflate (or RSV2/RSV3 on any, RSV1 on a
 * control frame) would be read as plain data. Installed right after the frame decoder, it allows RSV1 only on data
 * frames of a socket that negotiated Herald's permessage-deflate ({@link WebSocketCompression.Bounded} then checks that
 * it is on a message's first frame); anything else is closed with {@code protocol_error} (1002) and what follows is
 * dropped unread. Whether the socket negotiated it is looked up when a frame carries RSV1, not when the guard is
 * installed: Herald's decoder joins the pipeline when the 101 answer is written, which may come after the guard.
 */
final class ReservedBits extends ChannelInboundHandlerAdapter {
    /** Whether permessage-deflate was negotiated; null: whether Herald's decoder is in the pipeline when a frame asks. */
    private final Boolean deflate;
    private boolean failed;

    /** The guard of a socket: RSV1 allowed on data frames once Herald's decoder is in its pipeline. */
    ReservedBits() {
        this.deflate = null;
    }

    /** A guard told whether permessage-deflate was negotiated. */
    ReservedBits(boolean deflate) {
        this.deflate = deflate;
    }

    private int allowedOnData(ChannelHandlerContext ctx) {
        boolean negotiated = deflate != null ? deflate : ctx.pipeline().get(WebSocketCompression.Bounded.class) != null;
        return negotiated ? WebSocketExtension.RSV1 : 0;
    }

    /** Puts the guard after the pipeline's WebSocket frame decoder, if there is one (once). */
    static void install(ChannelPipeline pipeline) {
        ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
        if (decoder == null || pipeline.get(ReservedBits.class) != null) {
            return;
        }
        pipeline.addAfter(decoder.name(), "heraldReservedBits", new ReservedBits());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof WebSocketFrame frame && frame.rsv() != 0) {
            boolean data = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame;
            if ((frame.rsv() & ~(data ? allowedOnData(ctx) : 0)) != 0) {
                failed = true;
                frame.release();
                WebSocketCompression.counted(ctx.channel(), CloseReason.PROTOCOL_ERROR);
                ctx.writeAndFlush(closeFrame(ctx, CloseReason.PROTOCOL_ERROR)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole close frame, as bytes: it passes every frame encoder wherever they sit in the pipeline. */
    static ByteBuf closeFrame(ChannelHandlerContext ctx, CloseReason reason) {
        byte[] text = reason.id().getBytes(StandardCharsets.UTF_8);
        ByteBuf frame = ctx.alloc().buffer(4 + text.length);
        frame.writeByte(0x88).writeByte(2 + text.length).writeShort(reason.code()).writeBytes(text);
        return frame;
    }
}
