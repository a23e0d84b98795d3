package io.herald.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.json.JsonArray;

/**
 * One {@code rec} frame for all the sockets an event goes to: its text, and its WebSocket payloads
 * (raw, and SockJS-framed {@code a["…"]}) encoded into direct buffers the first time a socket of that
 * kind needs them. Each socket writes a retained duplicate, so no byte is copied per socket; the
 * fan-out releases the frame when its loop is done and the last write frees the memory.
 */
final class SharedFrame {
    private final String text;
    private ByteBuf raw;
    private ByteBuf sockJs;

    SharedFrame(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    ByteBuf rawPayload() {
        if (raw == null) {
            raw = utf8(text);
        }
        return raw;
    }

    ByteBuf sockJsPayload() {
        if (sockJs == null) {
            sockJs = utf8(sockJsFrame(text));
        }
        return sockJs;
    }

    /** SockJS message frame: {@code a} and a JSON array of the messages as strings. */
    static String sockJsFrame(String... messages) {
        JsonArray array = new JsonArray();
        for (String message : messages) {
            array.add(message);
        }
        return "a" + array.encode();
    }

    private static ByteBuf utf8(String value) {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(ByteBufUtil.utf8MaxBytes(value));
        ByteBufUtil.writeUtf8(buffer, value);
        return buffer;
    }

    void release() {
        if (raw != null) {
            raw.release();
        }
        if (sockJs != null) {
            sockJs.release();
        }
    }
}
