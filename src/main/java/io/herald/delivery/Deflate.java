package io.herald.delivery;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * RFC 7692 permessage-deflate for one message, on its own: raw DEFLATE (no zlib header), flushed with
 * {@code Z_SYNC_FLUSH} and the trailing {@code 00 00 FF FF} removed (§7.2.1), from a compressor reset before each
 * message, so the result refers to nothing sent before it. A client inflates it whatever it inflated earlier on the
 * connection (with or without context takeover on its side): that is what lets one compressed payload go to every
 * socket. The compressor is one per thread (an event loop), reset, never shared.
 */
public final class Deflate {
    /** zlib's default: the usual balance; the cost is paid once per event, not per socket. */
    public static final int LEVEL = Deflater.DEFAULT_COMPRESSION;
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(LEVEL, true));
    private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[8192]);

    private Deflate() {
    }

    /** The compressed payload of one message holding {@code input} (the frame's payload, tail removed). */
    public static byte[] message(byte[] input) {
        return message(input, 0, input.length);
    }

    public static byte[] message(byte[] input, int offset, int length) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setInput(input, offset, length);
        byte[] out = OUTPUT.get();
        int written = 0;
        while (true) {
            if (written == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            written += deflater.deflate(out, written, out.length - written, Deflater.SYNC_FLUSH);
            // a sync flush is complete when it did not fill the space it was given (Deflater#deflate)
            if (written < out.length) {
                break;
            }
        }
        if (out.length > 1 << 16) {
            OUTPUT.set(new byte[8192]); // one large message does not keep its buffer on the thread
        } else {
            OUTPUT.set(out);
        }
        deflater.setInput(EMPTY); // the input is not kept beyond the call
        // a sync flush ends with an empty stored block, 00 00 FF FF, which the receiver appends again (§7.2.2)
        if (written < 4 || out[written - 4] != 0 || out[written - 3] != 0 || out[written - 2] != -1 || out[written - 1] != -1) {
            throw new IllegalStateException("deflate output without its sync-flush tail");
        }
        return Arrays.copyOf(out, written - 4);
    }

    private static final byte[] EMPTY = new byte[0];
}
