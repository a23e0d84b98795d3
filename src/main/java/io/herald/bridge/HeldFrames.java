package io.herald.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * The event frames one socket holds within the write window ({@code bridge.writeDelayMs}), sent as one buffer,
 * in one write. SockJS-framed: one WebSocket frame {@code a["…","…",…]}, each message a retained slice of the
 * node's shared {@code a["…"]} frame (the quoted, escaped bridge frame inside it). Raw: the node's shared
 * WebSocket frames, one after the other. Nothing is encoded per socket: the held bytes are copied once into
 * the socket's buffer (one channel write instead of one per event). Its {@link #bytes()} count against the
 * socket's outbound bound. Touched only on the socket's event loop.
 */
final class HeldFrames {
    /** SockJS framing: the messages go in one {@code a[…]} frame; else whole WebSocket frames are concatenated. */
    private final boolean sockJs;
    private List<ByteBuf> messages;
    private long bytes;

    HeldFrames(boolean sockJs) {
        this.sockJs = sockJs;
    }

    /** Holds a shared frame: SockJS-framed, its message; raw, the whole frame (header included, not read from). */
    void add(ByteBuf sharedFrame) {
        if (sockJs) {
            addMessage(sharedFrame);
            return;
        }
        hold(sharedFrame.retainedDuplicate());
    }

    private void hold(ByteBuf held) {
        if (messages == null) {
            messages = new ArrayList<>(4);
        }
        messages.add(held);
        bytes += held.readableBytes();
    }

    /** Holds the message of a shared SockJS WebSocket frame ({@code a["…"]}, header included, not read from). */
    private void addMessage(ByteBuf sharedSockJsFrame) {
        int start = sharedSockJsFrame.readerIndex();
        int header = headerLength(sharedSockJsFrame.getUnsignedByte(start + 1));
        // a["…"]: the message is what lies between "a[" and "]"
        hold(sharedSockJsFrame.retainedSlice(start + header + 2, sharedSockJsFrame.readableBytes() - header - 3));
    }

    boolean isEmpty() {
        return messages == null || messages.isEmpty();
    }

    /** The bytes held (the messages' length). */
    long bytes() {
        return bytes;
    }

    /**
     * What is held as one buffer (SockJS: one WebSocket text frame {@code a[m1,m2,…]}; raw: the frames one after the
     * other), or null when nothing is held; nothing is held after.
     */
    ByteBuf take(ByteBufAllocator alloc) {
        if (isEmpty()) {
            return null;
        }
        int count = messages.size();
        if (!sockJs) {
            ByteBuf frames = alloc.directBuffer((int) bytes);
            for (ByteBuf frame : messages) {
                frames.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                frame.release();
            }
            messages.clear();
            bytes = 0;
            return frames;
        }
        long payload = 2 + bytes + (count - 1) + 1;
        ByteBuf frame = alloc.directBuffer((int) (payload + 10));
        frame.writeByte(0x81);
        if (payload < 126) {
            frame.writeByte((int) payload);
        } else if (payload <= 0xFFFF) {
            frame.writeByte(126).writeShort((int) payload);
        } else {
            frame.writeByte(127).writeLong(payload);
        }
        frame.writeByte('a').writeByte('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                frame.writeByte(',');
            }
            ByteBuf message = messages.get(i);
            frame.writeBytes(message, message.readerIndex(), message.readableBytes());
            message.release();
        }
        frame.writeByte(']');
        messages.clear();
        bytes = 0;
        return frame;
    }

    /** Drops what is held (the connection is cut): the shared frames' memory is released. */
    void drop() {
        if (messages != null) {
            messages.forEach(ByteBuf::release);
            messages.clear();
        }
        bytes = 0;
    }

    /** RFC 6455 §5.2, a server's frame (no mask): the header's length from the second byte. */
    private static int headerLength(int lengthByte) {
        int length = lengthByte & 0x7F;
        return length < 126 ? 2 : length == 126 ? 4 : 10;
    }
}
