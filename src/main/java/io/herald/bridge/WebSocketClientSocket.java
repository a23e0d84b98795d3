package io.herald.bridge;

import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;

/**
 * A WebSocket Herald serves itself: raw ({@code /eventbus/websocket}, one bridge frame per message) or
 * SockJS-framed ({@code /eventbus/<server>/<session>/websocket}: {@code o} on open, {@code h}
 * heartbeats, {@code a["…",…]} messages, {@code c[code,"reason"]} on close; the client sends JSON
 * arrays of messages). Event frames go to the socket as the node's {@link SharedFrame}, WebSocket header
 * included: no encoding and no copy per socket. An event that came alone (no other released on the loop just
 * before it) is written to the socket at once where nothing waits before it ({@link DirectWrite}); otherwise its
 * frame goes to the Netty channel as a retained duplicate, flushed once the events already queued on the event
 * loop are written, so a socket behind by several events gets them in one system call. The channel's write-buffer
 * high watermark is the socket's outbound bound: past it the channel is not writable and the socket is
 * {@link #overloaded()}.
 * With a write window ({@code bridge.writeDelayMs}), the socket holds its event frames until the window's flush
 * and writes them as one buffer ({@link HeldFrames}): SockJS-framed, one {@code a[…]} frame; raw, the frames one
 * after the other. What it holds counts against the bound. A client that negotiated permessage-deflate gets events
 * of at least {@code bridge.compressionMinBytes} as the node's once-compressed frame ({@link WebSocketCompression}),
 * each a frame of its own (after the frames held before it).
 */
public final class WebSocketClientSocket extends ServerWebSocketAdapter implements ClientSocket {
    static final String SOCKJS_OPEN = "o";
    static final String SOCKJS_HEARTBEAT = "h";

    private final boolean sockJs;
    private Handler<String> frameHandler = frame -> { };
    private boolean flushPending;
    /** Event frames held for one write: only with a write window. */
    private final HeldFrames batch;
    /**
     * The size (bridge frame bytes) from which event frames go compressed, when the client negotiated permessage-deflate;
     * {@code Integer.MAX_VALUE}: never ({@link WebSocketCompression}).
     */
    private final int deflateFrom;
    /** Event frames straight to the socket where the pipeline would do just that; null where it must see them. */
    private final DirectWrite direct;

    public WebSocketClientSocket(ServerWebSocket ws, boolean sockJs, int maxOutboundBytes) {
        this(ws, sockJs, maxOutboundBytes, false);
    }

    /** {@code coalesce}: a write window is on ({@code bridge.writeDelayMs}), so event frames are held for one write. */
    public WebSocketClientSocket(ServerWebSocket ws, boolean sockJs, int maxOutboundBytes, boolean coalesce) {
        this(ws, sockJs, maxOutboundBytes, coalesce, -1);
    }

    /**
     * {@code compressionMinBytes}: with {@code bridge.compression} on, the size from which frames go compressed to a
     * client that negotiated permessage-deflate; negative: compression off.
     */
    public WebSocketClientSocket(ServerWebSocket ws, boolean sockJs, int maxOutboundBytes, boolean coalesce, int compressionMinBytes) {
        super(ws, maxOutboundBytes); // the channel at the frame encoder, the outbound bound: nothing written
        WebSocketFootprint.trim(ws); // before anything is written through Vert.x: about 9 KB less per open socket
        this.sockJs = sockJs;
        this.batch = coalesce ? new HeldFrames(sockJs) : null;
        ChannelHandlerContext connection = ((WebSocketInternal) ws).channelHandlerContext();
        // always, even with compression off here: no frame may be compressed with context by Netty's encoder
        boolean deflate = WebSocketCompression.adopt(connection.pipeline(), Math.max(compressionMinBytes, 1));
        this.deflateFrom = deflate && compressionMinBytes >= 0 ? compressionMinBytes : Integer.MAX_VALUE;
        this.direct = DirectWrite.at(channel);
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(data -> onText(data.toString()));
        if (sockJs) {
            ws.writeTextMessage(SOCKJS_OPEN);
        }
    }

    private void onText(String text) {
        if (!sockJs) {
            frameHandler.handle(text);
            return;
        }
        if (text.isEmpty()) {
            return;
        }
        JsonArray messages;
        try {
            messages = new JsonArray(text.charAt(0) == '[' ? text : "[" + text + "]");
        } catch (DecodeException | ClassCastException e) {
            frameHandler.handle(text); // not SockJS framing: the bridge answers invalid_json
            return;
        }
        for (Object message : messages) {
            frameHandler.handle(message instanceof String s ? s : String.valueOf(message));
        }
    }

    @Override
    public String transport() {
        return sockJs ? "sockjs-websocket" : "websocket";
    }

    @Override
    public void frameHandler(Handler<String> handler) {
        this.frameHandler = handler;
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        ws.closeHandler(handler);
    }

    @Override
    public void send(String frameJson) {
        writeBatch(); // after the events held before it
        ws.writeTextMessage(sockJs ? SharedFrame.sockJsFrame(frameJson) : frameJson);
    }

    /** Whether event frames may go straight to the socket ({@link DirectWrite}). */
    boolean writesDirectly() {
        return direct != null;
    }

    /** Whether event frames from {@code bridge.compressionMinBytes} go compressed to this socket. */
    public boolean compressing() {
        return deflateFrom != Integer.MAX_VALUE;
    }

    @Override
    public boolean deliver(SharedFrame frame) {
        return deliver(frame, false);
    }

    @Override
    public boolean deliver(SharedFrame frame, boolean alone) {
        if (frame.bytes() >= deflateFrom) {
            // compressed once for every such socket; held frames go first, then this one as a frame of its own
            writeBatch();
            channel.write((sockJs ? frame.sockJsDeflatedFrame() : frame.rawDeflatedFrame()).retainedDuplicate(), channel.voidPromise());
        } else if (batch != null) {
            batch.add(sockJs ? frame.sockJsWebSocketFrame() : frame.rawWebSocketFrame());
        } else {
            ByteBuf encoded = sockJs ? frame.sockJsWebSocketFrame() : frame.rawWebSocketFrame();
            int written = direct == null || flushPending || !alone ? -1 : direct.write(encoded);
            if (written == encoded.readableBytes()) {
                return false; // on the wire already: nothing to flush
            }
            channel.write(written <= 0 ? encoded.retainedDuplicate()
                    : encoded.retainedSlice(encoded.readerIndex() + written, encoded.readableBytes() - written), channel.voidPromise());
        }
        if (flushPending) {
            return false;
        }
        flushPending = true;
        return true;
    }

    @Override
    public void flush() {
        flushPending = false;
        writeBatch();
        channel.flush();
    }

    /** Writes the held event frames to the channel as one buffer, unflushed. */
    private void writeBatch() {
        if (batch != null && !batch.isEmpty()) {
            channel.write(batch.take(channel.alloc()), channel.voidPromise());
        }
    }

    /** An empty write after the others: its promise completes once they have all been written to the socket (or failed). */
    @Override
    public void whenDrained(Runnable drained) {
        flushPending = false;
        writeBatch();
        afterWrites(drained);
    }

    @Override
    public boolean overloaded() {
        if (batch != null && !batch.isEmpty()) {
            return !writable() || batch.bytes() > channel.channel().bytesBeforeUnwritable();
        }
        return !writable();
    }

    /** The channel's writability, read through what {@link DirectWrite} holds where it can. */
    private boolean writable() {
        return direct != null ? direct.writable() : channel.channel().isWritable();
    }

    @Override
    public void keepAlive() {
        if (sockJs) {
            ws.writeTextMessage(SOCKJS_HEARTBEAT);
        }
        ws.writePing(Buffer.buffer());
    }

    @Override
    public void tooLargeHandler(Handler<Void> handler) {
        WebSocketCompression.onTooLarge(channel.pipeline(), () -> handler.handle(null)); // a compressed message past the cap
        // Vert.x drops a message past maxWebSocketMessageSize and reports it as an IllegalStateException, without closing
        ws.exceptionHandler(failure -> {
            if (failure instanceof IllegalStateException) {
                handler.handle(null);
            }
        });
    }

    @Override
    public void pongHandler(Handler<Void> handler) {
        ws.pongHandler(data -> handler.handle(null));
    }

    @Override
    public void close(int code, String reason) {
        writeBatch();
        if (sockJs) {
            ws.writeTextMessage("c" + new JsonArray().add(code).add(reason).encode());
        }
        ws.close((short) code, reason);
    }

    /**
     * The last frame, the SockJS close when SockJS-framed, and the WebSocket close frame, written straight to the
     * channel with one flush. Through Vert.x it would take a flush per frame and a wait for each client's close
     * reply: a node closing 19,500 sockets spent seconds on that.
     */
    @Override
    public void closeAtOnce(String frameJson, int code, String reason) {
        writeBatch(); // the events held go before the last frame
        channel.write(SharedFrame.webSocketTextFrame(sockJs ? SharedFrame.sockJsFrame(frameJson) : frameJson), channel.voidPromise());
        if (sockJs) {
            channel.write(SharedFrame.webSocketTextFrame("c" + new JsonArray().add(code).add(reason).encode()), channel.voidPromise());
        }
        // the client answers with its close and the connection ends as usual; those that do not are closed with the server
        channel.writeAndFlush(webSocketCloseFrame(code, reason), channel.voidPromise());
    }

    /** RFC 6455 §5.5.1: FIN + close opcode, the code in two bytes and the reason in UTF-8 (at most 123 bytes), no mask. */
    static ByteBuf webSocketCloseFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = 2 + Math.min(text.length, 123);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(2 + length);
        frame.writeByte(0x88).writeByte(length).writeShort(code).writeBytes(text, 0, length - 2);
        return frame;
    }

    @Override
    public void abort() {
        if (batch != null) {
            batch.drop(); // a client that reads nothing gets nothing more
        }
        closeTransport(); // a close through the pipeline would wait for the client's close frame (10 s)
    }
}
