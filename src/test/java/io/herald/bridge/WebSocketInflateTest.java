package io.herald.bridge;

import io.herald.delivery.Deflate;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WebSocketCompression}'s decoder on its own, in Netty's real pipeline ({@link EmbeddedChannel}): compressed
 * messages (whole and fragmented) come out intact and leave no inflater held; a message past the cap stops being
 * inflated at the cap, closes with {@code frame_too_large} (or hands over to the bridge's handler) and everything
 * after it is dropped; and the handshaker's choice of offers.
 */
class WebSocketInflateTest {
    static final int CAP = 64 * 1024;

    @Test
    void aCompressedMessageComesOutIntactAndTheInflaterGoesBack() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        WebSocketCompression.Bounded decoder = channel.pipeline().get(WebSocketCompression.Bounded.class);
        for (int i = 0; i < 3; i++) {
            String text = "{\"type\":\"send\",\"address\":\"herald:presence\",\"n\":" + i + "}" + "x".repeat(5000 * i);
            channel.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(Deflate.message(bytes(text)))));
            TextWebSocketFrame out = channel.readInbound();
            assertEquals(text, out.text());
            assertEquals(0, out.rsv(), "RSV1 cleared once inflated");
            out.release();
            assertFalse(decoder.holdsInflater(), "no inflater held between messages");
        }
        // a message sent uncompressed passes as it is
        channel.writeInbound(new TextWebSocketFrame("plain"));
        assertEquals("plain", ((TextWebSocketFrame) channel.readInbound()).text());
        assertTrue(WebSocketCompression.pooled() >= 1, "the inflater is back in the loop's pool");
        assertFalse(channel.finish());
    }

    @Test
    void aFragmentedMessageHoldsItsInflaterUntilItsLastFrame() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        WebSocketCompression.Bounded decoder = channel.pipeline().get(WebSocketCompression.Bounded.class);
        String text = "{\"orderId\":\"o-1\",\"qty\":2}".repeat(1000);
        List<byte[]> fragments = fragments(bytes(text), 3);
        channel.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments.get(0))));
        assertTrue(decoder.holdsInflater());
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(fragments.get(1))));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(fragments.get(2))));
        assertFalse(decoder.holdsInflater());
        StringBuilder joined = new StringBuilder();
        WebSocketFrame frame;
        while ((frame = channel.readInbound()) != null) {
            joined.append(frame.content().toString(StandardCharsets.UTF_8));
            frame.release();
        }
        assertEquals(text, joined.toString());
    }

    @Test
    void aBombStopsAtTheCapClosesWithFrameTooLargeAndWhatFollowsIsDropped() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        byte[] bomb = new byte[50 * 1024 * 1024];
        Arrays.fill(bomb, (byte) 'a');
        byte[] deflated = Deflate.message(bomb);
        assertTrue(deflated.length < 64 * 1024, "a small frame: " + deflated.length);
        channel.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(deflated)));
        assertNull(channel.readInbound(), "nothing of the bomb passed");
        CloseWebSocketFrame close = channel.readOutbound();
        assertNotNull(close, "a close frame");
        assertEquals(1009, close.statusCode());
        assertEquals("frame_too_large", close.reasonText());
        close.release();
        assertFalse(channel.isOpen(), "closed after the close frame");
        assertFalse(channel.pipeline().get(WebSocketCompression.Bounded.class) != null
                && channel.pipeline().get(WebSocketCompression.Bounded.class).holdsInflater());
    }

    @Test
    void aFragmentedBombIsCutAtTheCapAndTheBridgeClosesIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        AtomicInteger tooLarge = new AtomicInteger();
        WebSocketCompression.onTooLarge(channel.pipeline(), tooLarge::incrementAndGet);
        byte[] letters = new byte[20 * CAP];
        Arrays.fill(letters, (byte) 'b');
        List<byte[]> fragments = fragments(letters, 20); // each inflates to the cap: the second passes it
        long passed = 0;
        for (int i = 0; i < fragments.size(); i++) {
            boolean last = i == fragments.size() - 1;
            channel.writeInbound(i == 0 ? new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments.get(i)))
                    : new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(fragments.get(i))));
            WebSocketFrame out;
            while ((out = channel.readInbound()) != null) {
                passed += out.content().readableBytes();
                out.release();
            }
        }
        assertEquals(1, tooLarge.get(), "the bridge was told once");
        assertTrue(passed <= CAP, "at most the cap passed: " + passed);
        assertNull(channel.readOutbound(), "the bridge closes, not the decoder");
        // what the client sends after is dropped unread
        channel.writeInbound(new TextWebSocketFrame("after"));
        assertNull(channel.readInbound());
        assertFalse(channel.pipeline().get(WebSocketCompression.Bounded.class).holdsInflater());
    }

    @Test
    void rsv1OnAContinuationIsAProtocolError() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes("a"))));
        ((WebSocketFrame) channel.readInbound()).release();
        channel.writeInbound(new ContinuationWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(Deflate.message(bytes("b")))));
        assertNull(channel.readInbound());
        assertClosedWith(channel, 1002, "protocol_error");
    }

    @Test
    void corruptCompressedDataClosesWithInvalidPayload() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP));
        channel.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, 1, 2, 3})));
        assertNull(channel.readInbound(), "nothing passed");
        assertClosedWith(channel, 1007, "invalid_payload");
        assertFalse(channel.pipeline().get(WebSocketCompression.Bounded.class) != null
                && channel.pipeline().get(WebSocketCompression.Bounded.class).holdsInflater(), "the inflater went back");
    }

    @Test
    void unfinishedMessagesAreChargedToTheLoopsBudgetAndCreditedExactlyOnce() {
        long base = WebSocketCompression.held();
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP, 1024 * 1024));
        WebSocketCompression.Bounded decoder = channel.pipeline().get(WebSocketCompression.Bounded.class);
        byte[] letters = new byte[24 * 1024];
        Arrays.fill(letters, (byte) 'c');
        List<byte[]> fragments = fragments(letters, 3); // 8 KiB inflated each
        channel.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments.get(0))));
        assertEquals(8 * 1024, decoder.charged());
        assertEquals(base + 8 * 1024, WebSocketCompression.held());
        channel.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(fragments.get(1))));
        assertEquals(base + 16 * 1024, WebSocketCompression.held());
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(fragments.get(2))));
        assertEquals(0, decoder.charged(), "the message ended: credited");
        assertEquals(base, WebSocketCompression.held());
        releaseAll(channel);
        // a message left unfinished is credited when the connection ends, once (inactive, then the handler removed)
        channel.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments(letters, 3).get(0))));
        assertEquals(base + 8 * 1024, WebSocketCompression.held());
        channel.close();
        assertEquals(base, WebSocketCompression.held());
        channel.finishAndReleaseAll();
        assertEquals(base, WebSocketCompression.held(), "credited exactly once");
        // and when only the handler is removed
        EmbeddedChannel other = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP, 1024 * 1024));
        other.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments(letters, 3).get(0))));
        assertEquals(base + 8 * 1024, WebSocketCompression.held());
        other.pipeline().remove(WebSocketCompression.Bounded.class);
        assertEquals(base, WebSocketCompression.held());
        other.finishAndReleaseAll();
        assertEquals(base, WebSocketCompression.held());
    }

    @Test
    void pastTheLoopsBudgetTheConnectionIsClosedUnavailable() {
        long base = WebSocketCompression.held();
        long budget = base + 20 * 1024;
        byte[] letters = new byte[24 * 1024];
        Arrays.fill(letters, (byte) 'd');
        EmbeddedChannel first = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP, budget));
        first.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments(letters, 3).get(0))));
        List<byte[]> second = fragments(letters, 3);
        EmbeddedChannel other = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP, budget));
        other.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(second.get(0))));
        assertEquals(base + 16 * 1024, WebSocketCompression.held(), "two unfinished messages of 8 KiB");
        EmbeddedChannel third = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP, budget));
        third.writeInbound(new TextWebSocketFrame(false, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(fragments(letters, 3).get(0))));
        assertNull(third.readInbound(), "nothing passed");
        assertClosedWith(third, 1013, "unavailable");
        assertEquals(base + 16 * 1024, WebSocketCompression.held(), "the refused one holds nothing");
        // a connection that ends gives its part back, and the other's message goes on and ends
        first.close();
        assertEquals(base + 8 * 1024, WebSocketCompression.held());
        other.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(second.get(1))));
        other.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(second.get(2))));
        assertEquals(base, WebSocketCompression.held());
        releaseAll(other);
        other.finishAndReleaseAll();
        assertEquals(base, WebSocketCompression.held());
    }

    @Test
    void reservedBitsNoExtensionDefinesCloseWithProtocolError() {
        // no permessage-deflate negotiated: RSV1 on a text frame
        EmbeddedChannel plain = new EmbeddedChannel(new ReservedBits(false));
        plain.writeInbound(new TextWebSocketFrame("ok"));
        ((WebSocketFrame) plain.readInbound()).release();
        plain.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(bytes("x"))));
        assertNull(plain.readInbound());
        assertRawClose(plain, 1002, "protocol_error");
        // negotiated: RSV1 on data passes; RSV2 / RSV3, or RSV1 on a control frame, do not
        EmbeddedChannel deflate = new EmbeddedChannel(new ReservedBits(true));
        deflate.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(bytes("x"))));
        ((WebSocketFrame) deflate.readInbound()).release();
        deflate.writeInbound(new io.netty.handler.codec.http.websocketx.PingWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.EMPTY_BUFFER));
        assertNull(deflate.readInbound());
        assertRawClose(deflate, 1002, "protocol_error");
        for (int rsv : new int[] {WebSocketExtension.RSV2, WebSocketExtension.RSV3}) {
            EmbeddedChannel channel = new EmbeddedChannel(new ReservedBits(true));
            channel.writeInbound(new TextWebSocketFrame(true, rsv, Unpooled.wrappedBuffer(bytes("x"))));
            assertNull(channel.readInbound());
            assertRawClose(channel, 1002, "protocol_error");
        }
    }

    /**
     * The guard is installed when the bridge takes the socket, which may come before Herald's decoder joins the pipeline
     * (with the 101 answer): RSV1 on data is allowed once the decoder is there (a Node client compressing a large frame
     * after a reconnect was closed protocol_error when the guard had decided at install time).
     */
    @Test
    void theGuardAllowsRsv1OnceHeraldsDecoderJoinsThePipeline() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReservedBits());
        channel.pipeline().addLast(new WebSocketCompression.Bounded(CAP));
        channel.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(Deflate.message(bytes("hello")))));
        TextWebSocketFrame frame = channel.readInbound();
        assertEquals("hello", frame.text());
        frame.release();
        assertNull(channel.readOutbound());
        channel.finishAndReleaseAll();
    }

    /** A Vert.x upgrade that bypasses prepare would leave an uncapped decoder: the socket is closed instead. */
    @Test
    void adoptClosesASocketWithAnExtensionDecoderThatIsNotHerals() {
        EmbeddedChannel foreign = new EmbeddedChannel(new io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder() {
            @Override
            protected void decode(io.netty.channel.ChannelHandlerContext ctx, WebSocketFrame msg, List<Object> out) {
                out.add(msg.retain());
            }
        });
        assertFalse(WebSocketCompression.adopt(foreign.pipeline(), 1024));
        assertClosedWith(foreign, 4000, "internal_error");
        // Herald's own decoder stays
        EmbeddedChannel own = new EmbeddedChannel(new WebSocketCompression.Bounded(CAP), new WebSocketCompression.ContextFree(1024));
        assertTrue(WebSocketCompression.adopt(own.pipeline(), 1024));
        assertTrue(own.isOpen());
        assertNotNull(own.pipeline().get(WebSocketCompression.Bounded.class));
        own.finishAndReleaseAll();
    }

    private static void assertClosedWith(EmbeddedChannel channel, int code, String reason) {
        CloseWebSocketFrame close = channel.readOutbound();
        assertNotNull(close, "a close frame");
        assertEquals(code, close.statusCode());
        assertEquals(reason, close.reasonText());
        close.release();
        assertFalse(channel.isOpen(), "closed after the close frame");
    }

    private static void assertRawClose(EmbeddedChannel channel, int code, String reason) {
        io.netty.buffer.ByteBuf close = channel.readOutbound();
        assertNotNull(close, "a close frame");
        assertEquals(0x88, close.readUnsignedByte());
        assertEquals(2 + reason.length(), close.readUnsignedByte());
        assertEquals(code, close.readUnsignedShort());
        assertEquals(reason, close.toString(StandardCharsets.UTF_8));
        close.release();
        assertFalse(channel.isOpen(), "closed after the close frame");
    }

    private static void releaseAll(EmbeddedChannel channel) {
        WebSocketFrame frame;
        while ((frame = channel.readInbound()) != null) {
            frame.release();
        }
    }

    @Test
    void theHandshakerAcceptsWhatItCanHonourAndAnswersWithoutContextTakeover() {
        WebSocketCompression.Handshaker handshaker = new WebSocketCompression.Handshaker(1024, CAP, Long.MAX_VALUE);
        WebSocketServerExtension plain = handshaker.handshakeExtension(offer());
        assertNotNull(plain);
        assertEquals(WebSocketExtension.RSV1, plain.rsv());
        WebSocketExtensionData answer = plain.newReponseData();
        assertEquals("permessage-deflate", answer.name());
        Map<String, String> both = new LinkedHashMap<>();
        both.put("server_no_context_takeover", null);
        both.put("client_no_context_takeover", null);
        assertEquals(both, answer.parameters());
        assertNotNull(handshaker.handshakeExtension(offer("client_max_window_bits", null)), "what browsers offer");
        assertNotNull(handshaker.handshakeExtension(offer("client_max_window_bits", "10")));
        assertNotNull(handshaker.handshakeExtension(offer("server_no_context_takeover", null)));
        assertNotNull(handshaker.handshakeExtension(offer("client_no_context_takeover", null)));
        assertNotNull(handshaker.handshakeExtension(offer("server_max_window_bits", "15")));
        assertNull(handshaker.handshakeExtension(offer("server_max_window_bits", "10")), "a smaller server window cannot be honoured");
        assertNull(handshaker.handshakeExtension(offer("client_max_window_bits", "16")));
        assertNull(handshaker.handshakeExtension(offer("server_no_context_takeover", "1")));
        assertNull(handshaker.handshakeExtension(offer("unknown", null)));
        assertNull(handshaker.handshakeExtension(new WebSocketExtensionData("x-webkit-deflate-frame", Map.of())));
    }

    private static WebSocketExtensionData offer(String... parameters) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            map.put(parameters[i], parameters[i + 1]);
        }
        return new WebSocketExtensionData("permessage-deflate", map);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** One raw DEFLATE stream of {@code input} in {@code count} sync-flushed fragments, the last without its tail. */
    static List<byte[]> fragments(byte[] input, int count) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        List<byte[]> out = new java.util.ArrayList<>();
        byte[] buffer = new byte[64 * 1024];
        int per = input.length / count;
        for (int f = 0; f < count; f++) {
            int from = f * per;
            int to = f == count - 1 ? input.length : from + per;
            deflater.setInput(input, from, to - from);
            ByteArrayOutputStream fragment = new ByteArrayOutputStream();
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                fragment.write(buffer, 0, n);
            } while (n == buffer.length || !deflater.needsInput());
            byte[] bytes = fragment.toByteArray();
            out.add(f == count - 1 ? Arrays.copyOf(bytes, bytes.length - 4) : bytes);
        }
        deflater.end();
        return out;
    }

}
