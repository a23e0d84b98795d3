package io.herald.bridge;

import io.herald.delivery.Deflate;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The one place that reaches into Netty's permessage-deflate (RFC 7692) as Vert.x 5.1 installs it, so that events
 * can be compressed once for every socket. Vert.x negotiates the extension with Netty's
 * {@code PerMessageDeflateServerExtensionHandshaker} and, after the handshake, puts Netty's
 * {@code PerMessageDeflateEncoder} in the pipeline. That encoder compresses what Vert.x writes (replies, {@code err}s,
 * SockJS {@code o}/{@code h}/{@code c}) <em>with context takeover</em> unless the client asked for
 * {@code server_no_context_takeover} (browsers do not): each message may refer to the text of the messages it
 * compressed before. The client's inflater keeps one window for all compressed messages of the connection, so once
 * Herald's pre-compressed event frames, which bypass that encoder, are interleaved with them, its references point
 * at the wrong text and the client reads garbage or fails the connection.
 * <p>
 * {@link #adopt} therefore takes Netty's encoder out of the pipeline and puts {@link ContextFree} in its place: it
 * compresses a whole message written through Vert.x of at least {@code minBytes} on its own ({@link Deflate}, the
 * compressor reset for each message) and passes anything else as it is. No frame on the connection then refers to
 * an earlier one, which RFC 7692 lets a sender do whatever was negotiated; the client's window is never relied on.
 * Frames already carrying RSV1 and control frames pass unchanged.
 * <p>
 * What is internal here: the encoder is found as Netty's {@link WebSocketExtensionEncoder} (public) between the
 * WebSocket frame encoder and Vert.x's handler, and its window size is read from the private field
 * {@code DeflateEncoder.windowSize} (Herald's frames assume the full 32 KiB window a client offers unless it asks
 * for less; Vert.x only accepts a smaller one with JZlib on the class path). If a Netty or Vert.x upgrade changes
 * either, {@link #adopt} still removes whatever extension encoder it finds (frames through Vert.x then go
 * uncompressed, which is always allowed) and answers false: that socket gets plain event frames, which is correct,
 * only larger; {@code WebSocketCompressionTest} fails so the upgrade is noticed.
 */
public final class WebSocketCompression {
    private static final Logger LOG = Logger.getLogger(WebSocketCompression.class.getName());
    static final String NETTY_ENCODER = "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateEncoder";
    static final int FULL_WINDOW = 15;
    private static final Field WINDOW_SIZE = windowSizeField();

    private WebSocketCompression() {
    }

    /** Whether this Netty has the field read here (false after an upgrade that changed it). */
    static boolean available() {
        return WINDOW_SIZE != null;
    }

    /**
     * On the socket's event loop, right after the handshake and before anything is written: replaces the
     * permessage-deflate encoder Netty put in {@code pipeline}, if any, and answers whether the client negotiated
     * permessage-deflate with a window that Herald's once-compressed frames fit (then they may be written to it).
     */
    public static boolean adopt(ChannelPipeline pipeline, int minBytes) {
        boolean negotiated = false;
        boolean found = false;
        for (Map.Entry<String, ChannelHandler> entry : List.copyOf(pipeline.toMap().entrySet())) {
            ChannelHandler handler = entry.getValue();
            if (!(handler instanceof WebSocketExtensionEncoder)) {
                continue;
            }
            found = true;
            boolean deflate = handler.getClass().getName().equals(NETTY_ENCODER);
            if (deflate && fullWindow(handler)) {
                negotiated = true;
                pipeline.replace(handler, "heraldDeflate", new ContextFree(minBytes));
            } else {
                pipeline.remove(handler); // an encoder not understood: what Vert.x writes goes uncompressed
            }
        }
        if (found && !negotiated) {
            LOG.fine("a WebSocket extension encoder was removed without using compression");
        }
        return negotiated;
    }

    private static boolean fullWindow(ChannelHandler encoder) {
        if (WINDOW_SIZE == null || !WINDOW_SIZE.getDeclaringClass().isInstance(encoder)) {
            return false;
        }
        try {
            return WINDOW_SIZE.getInt(encoder) == FULL_WINDOW;
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    private static Field windowSizeField() {
        try {
            Class<?> encoder = Class.forName(NETTY_ENCODER).getSuperclass();
            Field field = encoder.getDeclaredField("windowSize");
            if (field.getType() != int.class) {
                throw new NoSuchFieldException(encoder.getName() + ".windowSize is a " + field.getType());
            }
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warning("Netty's permessage-deflate encoder is not as expected (" + e + "): events go uncompressed");
            return null;
        }
    }

    /**
     * In place of Netty's encoder: a whole text or binary message of at least {@code minBytes}, not already compressed,
     * is compressed on its own (no context) and sent with RSV1; everything else passes. Per socket, but only for what
     * is written to that socket alone (replies, {@code err}s); events never come through here.
     */
    static final class ContextFree extends MessageToMessageEncoder<WebSocketFrame> {
        private final int minBytes;

        ContextFree(int minBytes) {
            this.minBytes = Math.max(1, minBytes);
        }

        @Override
        public boolean acceptOutboundMessage(Object msg) throws Exception {
            if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
                return false;
            }
            WebSocketFrame frame = (WebSocketFrame) msg;
            // a fragmented message (Vert.x splits one past the frame size) passes uncompressed, all its fragments
            return frame.isFinalFragment() && (frame.rsv() & WebSocketExtension.RSV1) == 0 && frame.content().readableBytes() >= minBytes;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            byte[] deflated = Deflate.message(ByteBufUtil.getBytes(frame.content()));
            int rsv = frame.rsv() | WebSocketExtension.RSV1;
            out.add(frame instanceof TextWebSocketFrame
                    ? new TextWebSocketFrame(true, rsv, Unpooled.wrappedBuffer(deflated))
                    : new BinaryWebSocketFrame(true, rsv, Unpooled.wrappedBuffer(deflated)));
        }
    }
}
