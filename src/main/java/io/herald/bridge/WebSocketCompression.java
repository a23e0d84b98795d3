package io.herald.bridge;

import io.herald.CloseReason;
import io.herald.delivery.Deflate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The one place that reaches into how Vert.x 5.1 negotiates permessage-deflate (RFC 7692), so that events can be
 * compressed once for every socket and what clients send is inflated within a bound. Vert.x puts Netty's
 * {@link WebSocketServerExtensionHandler} with Netty's permessage-deflate handshaker in every HTTP/1 connection's
 * pipeline. Netty's extension then compresses what Vert.x writes <em>with context takeover</em> (each message may
 * refer to the ones before it, which Herald's once-compressed event frames, bypassing it, would break), and inflates
 * what a client sends with no cap (Vert.x 5.1.1 passes none): a frame of 200 KB inflates to 200 MB before any size
 * check (a decompression bomb), and it keeps an inflater with its 32 KiB window per connection for the connection's
 * life, since browsers do not offer {@code client_no_context_takeover}.
 * <p>
 * {@link #prepare} therefore swaps that handler, when the connection opens, for one with {@link Handshaker}: it accepts
 * an offer of permessage-deflate whose parameters it can honour and answers
 * {@code permessage-deflate; server_no_context_takeover; client_no_context_takeover}. A server may add both even when
 * the client did not offer them (RFC 7692 §7.1.1.1, §7.1.1.2); browsers, {@code ws} and Vert.x's client accept it. So:
 * <ul>
 * <li>no frame the server sends refers to an earlier one ({@link ContextFree} compresses a message written through
 * Vert.x of at least {@code minBytes} on its own; events come compressed once, {@link Deflate}); the client's window is
 * never relied on;</li>
 * <li>no message the client sends refers to an earlier one, so {@link Bounded} inflates each message from a reset
 * inflater taken from a small pool of the event loop and given back when the message ends: an idle connection holds
 * none (one in the middle of a fragmented compressed message holds one); and it stops inflating as soon as a message
 * passes {@code maxMessageBytes} ({@code bridge.maxFrameBytes}: the bridge refuses more anyway), drops the rest of
 * what the client sends and closes with {@code frame_too_large} (1009). What the fragments of an unfinished compressed
 * message inflated waits in Vert.x for the message's end: it is charged to the event loop's budget
 * ({@code bridge.inflateBudgetBytes}) and given back once, when the message or the connection ends; a connection
 * whose fragment would pass the budget is closed with {@code unavailable} (1013). Data that does not inflate closes
 * with {@code invalid_payload} (1007), RSV1 on a continuation with {@code protocol_error} (1002).</li>
 * </ul>
 * What is internal here: finding Vert.x's extension handler in the connection's pipeline (by Netty's public class)
 * and the pipeline itself ({@link ConnectionBase#channelHandlerContext()}). If a Vert.x upgrade moves either,
 * {@link #prepare} answers false and Netty's own extension would be negotiated: {@link #adopt} then closes the socket
 * with {@code internal_error} (Netty's decoder inflates without a cap) and logs it once; {@code WebSocketCompressionTest}
 * fails so the upgrade is noticed before that ships. (HTTP/2 connections have no such handler: prepare answers false
 * there and nothing is refused.)
 */
public final class WebSocketCompression {
    private static final Logger LOG = Logger.getLogger(WebSocketCompression.class.getName());
    static final String PERMESSAGE_DEFLATE = "permessage-deflate";
    static final String SERVER_NO_CONTEXT = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW = "client_max_window_bits";
    /** The LZ77 window of {@link Deflate}'s compressor (java.util.zip has no other): an offer asking for less is declined. */
    static final int FULL_WINDOW = 15;
    /** Inflaters kept idle per event loop (each about 44 KB of native memory once used); more are made and ended as needed. */
    static final int POOLED_PER_LOOP = 4;
    private static final ThreadLocal<ArrayDeque<Inflater>> INFLATERS = ThreadLocal.withInitial(ArrayDeque::new);
    /** Per event loop: inflated bytes of compressed messages begun and not finished, waiting in Vert.x for their end. */
    private static final ThreadLocal<long[]> HELD = ThreadLocal.withInitial(() -> new long[1]);
    private static final byte[] FRAME_TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
    private static volatile boolean warned;
    private static volatile boolean warnedDecoder;

    private WebSocketCompression() {
    }

    /** Per channel: where the closes that Netty-level guards make themselves are counted ({@code herald_closes_total}). */
    static final AttributeKey<Consumer<CloseReason>> CLOSES = AttributeKey.valueOf("heraldCloses");

    /**
     * When an HTTP connection opens (the server's connection handler), before it reads a request: replaces Vert.x's
     * WebSocket extension handler, if any (compression on), by Herald's; the closes this decoder and
     * {@link ReservedBits} make go to {@code closes}, as the bridge's own do. Answers whether it replaced the handler.
     */
    public static boolean prepare(HttpConnection connection, int minBytes, int maxMessageBytes, long budgetBytes,
                                  Consumer<CloseReason> closes) {
        if (!(connection instanceof ConnectionBase base)) {
            return false;
        }
        base.channelHandlerContext().channel().attr(CLOSES).set(closes);
        return prepare(base.channelHandlerContext().pipeline(), minBytes, maxMessageBytes, budgetBytes);
    }

    /** Counts a close a guard of {@code channel} makes itself, if the connection was prepared with a counter. */
    static void counted(io.netty.channel.Channel channel, CloseReason reason) {
        Consumer<CloseReason> closes = channel.attr(CLOSES).get();
        if (closes != null) {
            closes.accept(reason);
        }
    }

    static boolean prepare(ChannelPipeline pipeline, int minBytes, int maxMessageBytes, long budgetBytes) {
        ChannelHandler vertx = pipeline.get(WebSocketServerExtensionHandler.class);
        if (vertx == null) {
            return false;
        }
        pipeline.replace(vertx, "heraldWebSocketExtensions",
                new WebSocketServerExtensionHandler(new Handshaker(minBytes, maxMessageBytes, budgetBytes)));
        return true;
    }

    /**
     * On the socket's event loop, right after the handshake and before anything is written: answers whether the client
     * negotiated Herald's permessage-deflate (then events of at least {@code minBytes} may go to it compressed once).
     * An extension encoder that is not Herald's (a handler {@link #prepare} did not find) is removed: what Vert.x writes
     * then goes uncompressed, which is always allowed.
     */
    public static boolean adopt(ChannelPipeline pipeline, int minBytes) {
        boolean negotiated = false;
        ChannelHandler foreignDecoder = null;
        for (Map.Entry<String, ChannelHandler> entry : List.copyOf(pipeline.toMap().entrySet())) {
            ChannelHandler handler = entry.getValue();
            if (handler instanceof ContextFree) {
                negotiated = true;
            } else if (handler instanceof WebSocketExtensionDecoder && !(handler instanceof Bounded)) {
                foreignDecoder = handler;
            } else if (handler instanceof WebSocketExtensionEncoder) {
                pipeline.remove(handler);
                if (!warned) {
                    warned = true;
                    LOG.warning("a WebSocket extension was negotiated without Herald's handshaker (" + handler.getClass().getName()
                            + "): events go uncompressed; WebSocketCompression needs revisiting for this Vert.x");
                }
            }
        }
        if (foreignDecoder != null) {
            // an extension decoder that is not Herald's (Netty's inflates with no cap): fail safe, the socket is closed
            if (!warnedDecoder) {
                warnedDecoder = true;
                LOG.severe("a WebSocket extension decoder that is not Herald's was negotiated (" + foreignDecoder.getClass().getName()
                        + "): such sockets are closed with internal_error; WebSocketCompression needs revisiting for this Vert.x");
            }
            pipeline.remove(foreignDecoder);
            counted(pipeline.channel(), CloseReason.INTERNAL_ERROR);
            pipeline.writeAndFlush(new CloseWebSocketFrame(CloseReason.INTERNAL_ERROR.code(), CloseReason.INTERNAL_ERROR.id()))
                    .addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        return negotiated;
    }

    /**
     * What happens when a client's compressed message passes the cap: {@code handler} (the bridge closes the connection
     * with {@code frame_too_large}); without one, the decoder closes it itself with that reason.
     */
    public static void onTooLarge(ChannelPipeline pipeline, Runnable handler) {
        Bounded decoder = pipeline.get(Bounded.class);
        if (decoder != null) {
            decoder.tooLarge = handler;
        }
    }

    /** Accepts permessage-deflate offers Herald can honour; answers them with no context takeover either way. */
    static final class Handshaker implements WebSocketServerExtensionHandshaker {
        private final int minBytes;
        private final int maxMessageBytes;
        private final long budgetBytes;

        Handshaker(int minBytes, int maxMessageBytes, long budgetBytes) {
            this.minBytes = Math.max(1, minBytes);
            this.maxMessageBytes = maxMessageBytes;
            this.budgetBytes = budgetBytes;
        }

        @Override
        public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
            if (!PERMESSAGE_DEFLATE.equals(offer.name())) {
                return null;
            }
            for (Map.Entry<String, String> parameter : offer.parameters().entrySet()) {
                String name = parameter.getKey();
                String value = parameter.getValue();
                boolean valid = switch (name.toLowerCase(java.util.Locale.ROOT)) {
                    case SERVER_NO_CONTEXT, CLIENT_NO_CONTEXT -> value == null;
                    // the client may use any window: an inflater of the full window reads them all
                    case CLIENT_MAX_WINDOW -> value == null || windowBits(value) > 0;
                    // a smaller window for what the server sends cannot be honoured: decline (the socket goes uncompressed)
                    case SERVER_MAX_WINDOW -> windowBits(value) == FULL_WINDOW;
                    default -> false; // RFC 7692 §7: an offer with an unknown parameter is declined
                };
                if (!valid) {
                    return null;
                }
            }
            return new Extension(minBytes, maxMessageBytes, budgetBytes);
        }

        private static int windowBits(String value) {
            if (value == null || value.length() > 2 || value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int bits = Integer.parseInt(value);
            return bits >= 8 && bits <= 15 ? bits : -1;
        }
    }

    private record Extension(int minBytes, int maxMessageBytes, long budgetBytes) implements WebSocketServerExtension {
        @Override
        public int rsv() {
            return WebSocketExtension.RSV1;
        }

        @Override
        public WebSocketExtensionEncoder newExtensionEncoder() {
            return new ContextFree(minBytes);
        }

        @Override
        public WebSocketExtensionDecoder newExtensionDecoder() {
            return new Bounded(maxMessageBytes, budgetBytes);
        }

        @Override
        public WebSocketExtensionData newReponseData() {
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put(SERVER_NO_CONTEXT, null);
            parameters.put(CLIENT_NO_CONTEXT, null);
            return new WebSocketExtensionData(PERMESSAGE_DEFLATE, parameters);
        }
    }

    /**
     * A whole text or binary message of at least {@code minBytes}, not already compressed, is compressed on its own
     * (no context) and sent with RSV1; everything else passes. Per socket, but only for what is written to that socket
     * alone (replies, {@code err}s, SockJS {@code o}/{@code h}/{@code c}); events never come through here.
     */
    static final class ContextFree extends WebSocketExtensionEncoder {
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

    /**
     * Inflates what the client sends, message by message, with no context between messages
     * ({@code client_no_context_takeover} was negotiated) and never past {@code maxMessageBytes} a message. Messages
     * sent uncompressed pass (the transport caps them). The inflater is taken from the event loop's pool when a
     * compressed message starts and given back, reset, when it ends. Past the cap: the inflated part is dropped, the
     * inflater given back, nothing more the client sends is read, and the connection is closed with
     * {@code frame_too_large}: by the bridge ({@link #onTooLarge}) or, before it took the socket, by this decoder.
     */
    static final class Bounded extends WebSocketExtensionDecoder {
        private final int maxMessageBytes;
        /** The event loop's budget of inflated bytes held in unfinished compressed messages ({@link #HELD}). */
        private final long budgetBytes;
        /** What this connection's unfinished compressed message holds of the event loop's budget now. */
        private long charged;
        private Inflater inflater;
        /** The message in progress is compressed (its first frame had RSV1): its continuations are inflated too. */
        private boolean compressed;
        /** Bytes of the message in progress so far (inflated, or as sent when uncompressed). */
        private long messageBytes;
        private boolean refused;
        volatile Runnable tooLarge;

        Bounded(int maxMessageBytes, long budgetBytes) {
            this.maxMessageBytes = maxMessageBytes;
            this.budgetBytes = budgetBytes;
        }

        Bounded(int maxMessageBytes) {
            this(maxMessageBytes, Long.MAX_VALUE);
        }

        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
            if (refused) {
                return; // the connection is being closed: what the client still sends is dropped unread
            }
            boolean rsv1 = (frame.rsv() & WebSocketExtension.RSV1) != 0;
            if (!(frame instanceof ContinuationWebSocketFrame)) {
                compressed = rsv1;
                messageBytes = 0;
            } else if (rsv1) {
                fail(ctx, CloseReason.PROTOCOL_ERROR); // RSV1 on a continuation frame (RFC 7692 §6.1)
                return;
            }
            if (!compressed) {
                out.add(frame.retain());
                return;
            }
            if (inflater == null) {
                inflater = take();
            }
            ByteBuf inflated;
            try {
                inflated = inflate(ctx, frame.content(), frame.isFinalFragment());
            } catch (DataFormatException e) {
                fail(ctx, CloseReason.INVALID_PAYLOAD); // not DEFLATE data: 1007, with a close frame
                return;
            }
            if (inflated == null) {
                refuse(ctx);
                return;
            }
            if (frame.isFinalFragment()) {
                give(inflater);
                inflater = null;
                credit(); // the message is whole: Vert.x hands it on and holds it no more
            } else if (!charge(inflated.readableBytes())) {
                inflated.release();
                fail(ctx, CloseReason.UNAVAILABLE); // the event loop holds its budget in unfinished messages already
                return;
            }
            int rsv = frame.rsv() & ~WebSocketExtension.RSV1;
            out.add(frame instanceof TextWebSocketFrame ? new TextWebSocketFrame(frame.isFinalFragment(), rsv, inflated)
                    : frame instanceof BinaryWebSocketFrame ? new BinaryWebSocketFrame(frame.isFinalFragment(), rsv, inflated)
                    : new ContinuationWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
        }

        /** The frame's payload inflated, or null if the message passed the cap (nothing past it was inflated). */
        private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf in, boolean last) throws DataFormatException {
            long room = maxMessageBytes - messageBytes;
            // at most one byte past the cap can ever be written: that byte says the message is too large
            int maxCapacity = (int) Math.min(Integer.MAX_VALUE - 8, room + 1);
            ByteBuf out = ctx.alloc().heapBuffer(Math.max(1, Math.min(maxCapacity, Math.max(256, in.readableBytes() * 4))), maxCapacity);
            boolean ok = false;
            try {
                boolean within = drain(out, in.nioBuffer()) && (!last || drain(out, ByteBuffer.wrap(FRAME_TAIL)));
                inflater.setInput(EMPTY);
                messageBytes += out.readableBytes();
                if (!within || messageBytes > maxMessageBytes) {
                    return null;
                }
                ok = true;
                return out;
            } finally {
                if (!ok) {
                    out.release();
                }
            }
        }

        /** Inflates all of {@code input} into {@code out}; false as soon as {@code out} cannot take more (past the cap). */
        private boolean drain(ByteBuf out, ByteBuffer input) throws DataFormatException {
            inflater.setInput(input);
            while (!inflater.finished() && !inflater.needsDictionary()) {
                if (!out.isWritable()) {
                    if (out.capacity() >= out.maxCapacity()) {
                        return false;
                    }
                    out.ensureWritable(Math.min(out.capacity(), out.maxCapacity() - out.capacity()));
                }
                ByteBuffer target = out.nioBuffer(out.writerIndex(), out.writableBytes());
                int n = inflater.inflate(target);
                out.writerIndex(out.writerIndex() + n);
                if (n == 0 && inflater.needsInput()) {
                    break;
                }
            }
            if (inflater.needsDictionary()) {
                throw new DataFormatException("a preset dictionary");
            }
            return true;
        }

        /**
         * Charges {@code bytes} of an unfinished message to the event loop's budget; false (nothing charged) if that
         * would pass it.
         */
        private boolean charge(long bytes) {
            long[] held = HELD.get();
            if (held[0] + bytes > budgetBytes) {
                return false;
            }
            held[0] += bytes;
            charged += bytes;
            return true;
        }

        /** Gives back what this connection's unfinished message held of the budget: once, however many ways it ends. */
        private void credit() {
            if (charged != 0) {
                HELD.get()[0] -= charged;
                charged = 0;
            }
        }

        /** Closes the connection with {@code reason} (a close frame, then the TCP connection); nothing more is read. */
        private void fail(ChannelHandlerContext ctx, CloseReason reason) {
            refused = true;
            release();
            closeWith(ctx, reason);
        }

        private void refuse(ChannelHandlerContext ctx) {
            refused = true;
            release();
            Runnable handler = tooLarge;
            if (handler != null) {
                handler.run();
            } else {
                closeWith(ctx, CloseReason.FRAME_TOO_LARGE);
            }
        }

        private void release() {
            if (inflater != null) {
                give(inflater);
                inflater = null;
            }
            credit();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
            release();
            super.handlerRemoved(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            release();
            super.channelInactive(ctx);
        }

        /** What this connection's unfinished compressed message holds of its event loop's budget. */
        long charged() {
            return charged;
        }

        /** Whether this decoder holds an inflater now (only in the middle of a compressed message). */
        boolean holdsInflater() {
            return inflater != null;
        }
    }

    private static final byte[] EMPTY = new byte[0];

    static Inflater take() {
        Inflater pooled = INFLATERS.get().pollFirst();
        return pooled != null ? pooled : new Inflater(true);
    }

    static void give(Inflater inflater) {
        inflater.reset();
        ArrayDeque<Inflater> pool = INFLATERS.get();
        if (pool.size() < POOLED_PER_LOOP) {
            pool.addFirst(inflater);
        } else {
            inflater.end();
        }
    }

    /** Inflated bytes held in unfinished compressed messages on this thread's event loop. */
    static long held() {
        return HELD.get()[0];
    }

    /**
     * Writes a close frame with {@code reason}'s code and id from {@code ctx} (towards the socket, through the frame
     * encoder) and closes the connection once it is written.
     */
    static void closeWith(ChannelHandlerContext ctx, CloseReason reason) {
        counted(ctx.channel(), reason);
        ctx.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.id())).addListener(ChannelFutureListener.CLOSE);
    }

    /** Inflaters idle in this thread's pool. */
    static int pooled() {
        return INFLATERS.get().size();
    }
}
