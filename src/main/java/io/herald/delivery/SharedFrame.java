package io.herald.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;

/**
 * One {@code rec} frame for all the sockets an event goes to: its text, and the complete WebSocket
 * frames that carry it (raw, and SockJS-framed {@code a["…"]}), header included, encoded into direct
 * buffers the first time a socket of that kind needs them. A server's WebSocket frames are not
 * masked, so these bytes are the same for every socket: each writes a retained duplicate, and nothing
 * is encoded or copied per socket. For sockets that negotiated permessage-deflate the same goes for the compressed
 * frames: deflated once per event and loop, only if such a socket is written to. The fan-out releases the frame when its loop is done; the last
 * write frees the memory.
 */
public final class SharedFrame {
    private final String text;
    private ByteBuf raw;
    private ByteBuf sockJs;
    /** The same frames compressed (permessage-deflate, RSV1 set), made the first time a socket that negotiated it needs them. */
    private ByteBuf rawDeflated;
    private ByteBuf sockJsDeflated;
    private int bytes = -1;

    /** The frames of {@code text}, encoded when a socket first needs each; {@link #release()} once every socket has it. */
    public SharedFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The bridge frame's length in UTF-8 bytes (before transport framing). */
    public int bytes() {
        if (bytes < 0) {
            bytes = Utf8.length(text);
        }
        return bytes;
    }

    /** The raw transport's WebSocket text frame: one bridge frame. */
    public ByteBuf rawWebSocketFrame() {
        if (raw == null) {
            raw = webSocketTextFrame(text);
        }
        return raw;
    }

    /** The SockJS transport's WebSocket text frame: {@code a["<bridge frame>"]}. */
    public ByteBuf sockJsWebSocketFrame() {
        if (sockJs == null) {
            sockJs = webSocketTextFrame(sockJsFrame(text));
        }
        return sockJs;
    }

    /**
     * The raw transport's frame compressed for sockets that negotiated permessage-deflate: deflated once, without
     * reference to earlier messages ({@link Deflate}), the same bytes for every such socket of the loop.
     */
    public ByteBuf rawDeflatedFrame() {
        if (rawDeflated == null) {
            rawDeflated = deflatedTextFrame(text);
        }
        return rawDeflated;
    }

    /** The SockJS transport's frame {@code a["…"]}, compressed as {@link #rawDeflatedFrame()} is. */
    public ByteBuf sockJsDeflatedFrame() {
        if (sockJsDeflated == null) {
            sockJsDeflated = deflatedTextFrame(sockJsFrame(text));
        }
        return sockJsDeflated;
    }

    /** A text message compressed on its own: FIN + RSV1 ("compressed", RFC 7692 §6) + text opcode, the deflated payload. */
    public static ByteBuf deflatedTextFrame(String text) {
        return frame(0xC1, Deflate.message(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** SockJS message frame: {@code a} and a JSON array holding the message as a string. */
    public static String sockJsFrame(String message) {
        return "a" + new JsonArray().add(message).encode();
    }

    /** RFC 6455 §5.2: FIN + text opcode, the payload length in 7, 7+16 or 7+64 bits, no mask. */
    public static ByteBuf webSocketTextFrame(String text) {
        return frame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf frame(int firstByte, byte[] payload) {
        return frameHeader(ByteBufAllocator.DEFAULT.directBuffer(payload.length + 10), firstByte, payload.length).writeBytes(payload);
    }

    /** Writes a WebSocket frame's header (at most 10 bytes) for a payload of {@code length} bytes: {@code 0x81} a text frame. */
    public static ByteBuf frameHeader(ByteBuf frame, int firstByte, int length) {
        frame.writeByte(firstByte);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        return frame;
    }

    /** Gives back this maker's reference to the encoded frames; a socket still writing one holds its own. */
    public void release() {
        if (raw != null) {
            raw.release();
        }
        if (sockJs != null) {
            sockJs.release();
        }
        if (rawDeflated != null) {
            rawDeflated.release();
        }
        if (sockJsDeflated != null) {
            sockJsDeflated.release();
        }
    }
}
