package io.herald.bridge;

import io.herald.delivery.SharedFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What one socket holds within the write window leaves as one buffer (SockJS: one {@code a[…]} frame), from the shared bytes. */
class HeldFramesTest {

    /** The payload of one unmasked server WebSocket text frame, checking its header. */
    static String payload(ByteBuf frame) {
        int start = frame.readerIndex();
        assertEquals(0x81, frame.getUnsignedByte(start), "FIN + text");
        int length = frame.getUnsignedByte(start + 1);
        int header = 2;
        long size = length;
        if (length == 126) {
            size = frame.getUnsignedShort(start + 2);
            header = 4;
        } else if (length == 127) {
            size = frame.getLong(start + 2);
            header = 10;
        }
        assertEquals(size, frame.readableBytes() - header, "the header says the payload's length");
        return frame.toString(start + header, (int) size, StandardCharsets.UTF_8);
    }

    @Test
    void heldMessagesLeaveAsOneFrameCarryingEachInOrder() {
        // small (7-bit length), medium (16-bit) and large (64-bit) frames, with characters JSON escapes
        List<String> messages = List.of("{\"type\":\"rec\",\"body\":\"a \\\"quoted\\\" é\"}", "x".repeat(300), "y".repeat(70_000));
        HeldFrames batch = new HeldFrames(true);
        List<ByteBuf> shared = messages.stream().map(m -> SharedFrame.webSocketTextFrame(SharedFrame.sockJsFrame(m))).toList();
        shared.forEach(batch::add);
        long expected = shared.stream().mapToLong(f -> payload(f).getBytes(StandardCharsets.UTF_8).length - 3).sum();
        assertEquals(expected, batch.bytes(), "what is held counts (for the outbound bound)");
        shared.forEach(f -> assertEquals(2, f.refCnt(), "held as a retained slice of the shared bytes, not a copy"));

        ByteBuf frame = batch.take(ByteBufAllocator.DEFAULT);
        String text = payload(frame);
        assertEquals('a', text.charAt(0));
        assertEquals(messages, new JsonArray(text.substring(1)).getList());
        assertTrue(batch.isEmpty());
        assertEquals(0, batch.bytes());
        assertNull(batch.take(ByteBufAllocator.DEFAULT));
        frame.release();
        shared.forEach(f -> assertEquals(1, f.refCnt(), "the batch let go of the shared frames"));
        shared.forEach(ByteBuf::release);
    }

    @Test
    void rawFramesLeaveOneAfterTheOtherInOneBuffer() {
        List<String> messages = List.of("{\"seq\":1}", "z".repeat(200));
        List<ByteBuf> shared = messages.stream().map(SharedFrame::webSocketTextFrame).toList();
        HeldFrames held = new HeldFrames(false);
        shared.forEach(held::add);
        assertEquals(shared.stream().mapToLong(ByteBuf::readableBytes).sum(), held.bytes());
        shared.forEach(f -> assertEquals(2, f.refCnt()));
        ByteBuf frames = held.take(ByteBufAllocator.DEFAULT);
        assertEquals(messages.get(0), payload(frames.readSlice(shared.get(0).readableBytes())));
        assertEquals(messages.get(1), payload(frames.readSlice(shared.get(1).readableBytes())));
        assertEquals(0, frames.readableBytes());
        frames.release();
        shared.forEach(f -> assertEquals(1, f.refCnt()));
        shared.forEach(ByteBuf::release);
    }

    @Test
    void droppingReleasesTheSharedFrames() {
        ByteBuf shared = SharedFrame.webSocketTextFrame(SharedFrame.sockJsFrame("{\"type\":\"rec\"}"));
        HeldFrames batch = new HeldFrames(true);
        batch.add(shared);
        batch.add(shared);
        assertEquals(3, shared.refCnt());
        batch.drop();
        assertEquals(1, shared.refCnt());
        assertTrue(batch.isEmpty());
        assertEquals(0, batch.bytes());
        shared.release();
    }
}
