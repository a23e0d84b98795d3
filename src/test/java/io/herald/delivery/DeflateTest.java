package io.herald.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Deflate} compresses a message on its own (RFC 7692): inflating it gives the message back, and a client that
 * keeps one inflater for the whole connection (context takeover on its side, as browsers do) reads any sequence of
 * such messages, whatever it inflated before; the frame around it has RSV1 set.
 */
class DeflateTest {
    static final String ORDER = "{\"type\":\"rec\",\"address\":\"order:created\",\"body\":{\"id\":\"e-1\",\"type\":\"order:created\","
            + "\"ts\":1732350000000,\"seq\":42,\"data\":{\"orderId\":\"o-1001\",\"customerId\":\"c-7\",\"storeId\":\"s-3\","
            + "\"total\":129.5,\"currency\":\"EUR\",\"items\":[%s]},\"storeId\":\"s-3\"}}";

    static String order(int items, int salt) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < items; i++) {
            list.append(i > 0 ? "," : "").append("{\"productId\":\"p-").append(salt * 31 + i)
                    .append("\",\"name\":\"Item ").append(i).append("\",\"qty\":").append(1 + i % 3).append(",\"price\":").append(9.99 + i).append('}');
        }
        return String.format(ORDER, list);
    }

    /** What a client does (RFC 7692 §7.2.2): append 00 00 FF FF and inflate with its one inflater. */
    static String inflate(Inflater inflater, byte[] payload) throws DataFormatException {
        byte[] input = new byte[payload.length + 4];
        System.arraycopy(payload, 0, input, 0, payload.length);
        input[payload.length + 2] = (byte) 0xFF;
        input[payload.length + 3] = (byte) 0xFF;
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            int n = inflater.inflate(buffer);
            out.write(buffer, 0, n);
            if (n == 0 && inflater.needsInput()) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void inflatingWhatItProducedGivesTheMessageBack() throws Exception {
        String message = order(20, 1);
        byte[] deflated = Deflate.message(message.getBytes(StandardCharsets.UTF_8));
        assertTrue(deflated.length < message.length() / 2, "an order of 20 items compresses: " + deflated.length + " of " + message.length());
        assertEquals(message, inflate(new Inflater(true), deflated));
    }

    @Test
    void oneInflaterReadsManyMessagesInSequenceSoNoneReliesOnContext() throws Exception {
        Inflater client = new Inflater(true); // one per connection, never reset: the browser's
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            String message = i % 5 == 4 ? randomText(random, 1 + random.nextInt(70_000)) : order(1 + random.nextInt(40), i);
            assertEquals(message, inflate(client, Deflate.message(message.getBytes(StandardCharsets.UTF_8))), "message " + i);
        }
        // the same message twice compresses to the same bytes: nothing carried over from the first
        byte[] once = Deflate.message(order(10, 3).getBytes(StandardCharsets.UTF_8));
        byte[] again = Deflate.message(order(10, 3).getBytes(StandardCharsets.UTF_8));
        assertEquals(ByteBufUtil.hexDump(once), ByteBufUtil.hexDump(again));
    }

    @Test
    void theSharedFrameIsAWholeCompressedTextFrame() throws Exception {
        String message = order(12, 5);
        ByteBuf frame = SharedFrame.deflatedTextFrame(message);
        try {
            assertEquals(0xC1, frame.getUnsignedByte(0), "FIN, RSV1 and the text opcode");
            int length = frame.getUnsignedByte(1);
            int header = 2;
            if (length == 126) {
                length = frame.getUnsignedShort(2);
                header = 4;
            }
            assertEquals(frame.readableBytes() - header, length);
            assertEquals(message, inflate(new Inflater(true), ByteBufUtil.getBytes(frame, header, length)));
        } finally {
            frame.release();
        }
    }

    @Test
    void aSharedFrameDeflatesOnceAndOnlyWhenAsked() {
        SharedFrame frame = new SharedFrame(order(12, 6));
        ByteBuf first = frame.rawDeflatedFrame();
        assertTrue(first == frame.rawDeflatedFrame(), "the same buffer for every socket");
        ByteBuf sockJs = frame.sockJsDeflatedFrame();
        assertTrue(sockJs == frame.sockJsDeflatedFrame());
        frame.release();
        assertEquals(0, first.refCnt());
        assertEquals(0, sockJs.refCnt());
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(3) == 0 ? 'é' : '"'));
        }
        return text.toString();
    }
}
