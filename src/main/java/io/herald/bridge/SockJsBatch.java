package io.herald.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * The SockJS messages one socket holds within the write window, sent as one WebSocket frame
 * {@code a["…","…",…]}. Each message is a retained slice of the node's shared {@code a["…"]} frame (the
 * quoted, escaped bridge frame inside it): nothing is encoded per socket; the batch's frame is the slices
 * copied once behind a header of its own. Its {@link #bytes()} count against the socket's outbound bound.
 * Touched only on the socket's event loop.
 */
final class SockJsBatch {
    private List<ByteBuf> messages;
    private long bytes;

    /** Holds the message of a shared SockJS WebSocket frame ({@code a["…"]}, header included, not read from). */
    void add(ByteBuf sharedSockJsFrame) {
        int start = sharedSockJsFrame.readerIndex();
        int header = headerLength(sharedSockJsFrame.getUnsignedByte(start + 1));
        // a["…"]: the message is what lies between "a[" and "]"
        ByteBuf message = sharedSockJsFrame.retainedSlice(start + header + 2, sharedSockJsFrame.readableBytes() - header - 3);
        if (messages == null) {
            messages = new ArrayList<>(4);
        }
        messages.add(message);
        bytes += message.readableBytes();
    }

    boolean isEmpty() {
        return messages == null || messages.isEmpty();
    }

    /** The bytes held (the messages' length). */
    long bytes() {
        return bytes;
    }

    /** The held messages as one WebSocket text frame {@code a[m1,m2,…]}, or null when none is held; the batch is then empty. */
    ByteBuf take(ByteBufAllocator alloc) {
        if (isEmpty()) {
            return null;
        }
        int count = messages.size();
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
