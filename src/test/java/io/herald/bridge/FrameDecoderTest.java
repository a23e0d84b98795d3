package io.herald.bridge;

import io.herald.ErrorCode;
import io.herald.delivery.RegisterFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The bridge's frame decoder, frame by frame: text in, a typed frame or an error code out. Each row is the text
 * a client sends and what the decoder makes of it, written as {@code kind type address …} or
 * {@code kind bad arrival|turn errAddress code}.
 */
class FrameDecoderTest {
    static final int MAX_FRAME = 200;
    static final int MAX_ADDRESS = 20;
    static final FrameDecoder DECODER = new FrameDecoder(MAX_FRAME, MAX_ADDRESS);

    static Stream<Arguments> frames() {
        String deep = "{".repeat(0) + "[".repeat(40) + "]".repeat(40);
        return Stream.of(
                // good frames
                row("{\"type\":\"ping\"}", "ping ping"),
                row("{\"type\":\"register\",\"address\":\"order:created\"}", "register register order:created resume=null"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"42\",\"epoch\":\"e1\"}}",
                        "register register order:created resume=42/e1"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":7}}", "register register order:created resume=7/null"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":7,\"epoch\":\"\"}}",
                        "register register order:created resume=7/null"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{}}", "register register order:created resume=null"),
                row("{\"type\":\"unregister\",\"address\":\"order:created\"}", "unregister unregister order:created"),
                row("{\"type\":\"publish\",\"address\":\"order:created\",\"body\":{\"a\":1}}", "publish publish order:created body={\"a\":1}"),
                row("{\"type\":\"publish\",\"address\":\"order:created\",\"body\":5}", "publish publish order:created body=5"),
                row("{\"type\":\"send\",\"address\":\"order:created\",\"body\":{},\"replyAddress\":\"r1\"}",
                        "send send order:created body={} reply=r1 control=false"),
                row("{\"type\":\"send\",\"address\":\"herald:token\",\"body\":{}}", "send send herald:token body={} reply=null control=true"),
                // refused as they arrive: no address on the err
                row("x".repeat(MAX_FRAME + 1), "invalid bad arrival null frame_too_large"),
                row("{\"type\":\"publish\",\"address\":\"" + "€".repeat(70) + "\"}", "invalid bad arrival null frame_too_large"),
                row("not json", "invalid bad arrival null invalid_json"),
                row("[1,2]", "invalid bad arrival null invalid_json"),
                row("", "invalid bad arrival null invalid_json"),
                row("\"text\"", "invalid bad arrival null invalid_json"),
                // refused in turn
                row("{\"type\":\"register\"}", "register bad turn null missing_address"),
                row("{\"type\":\"register\",\"address\":\"\"}", "register bad turn null missing_address"),
                row("{\"type\":\"register\",\"address\":5}", "register bad turn null missing_address"),
                row("{\"address\":\"order:created\"}", "invalid bad turn order:created invalid_frame"),
                row("{\"type\":5,\"address\":\"order:created\"}", "invalid bad turn order:created invalid_frame"),
                row("{}", "invalid bad turn null invalid_frame"),
                row("{\"type\":\"publish\",\"address\":\"" + "a".repeat(MAX_ADDRESS + 1) + "\"}", "publish bad turn null invalid_frame"),
                row("{\"type\":\"send\",\"address\":\"order:created\",\"replyAddress\":\"" + "r".repeat(MAX_ADDRESS + 1) + "\"}",
                        "send bad turn null invalid_frame"),
                row("{\"type\":\"publish\",\"address\":\"a\",\"body\":" + deep + "}", "publish bad turn a invalid_frame"),
                row("{\"type\":\"send\",\"address\":\"a\",\"replyAddress\":\"r\",\"body\":" + deep + "}", "send bad turn r invalid_frame"),
                row("{\"type\":\"publish\",\"address\":\"a\",\"replyAddress\":\"r\",\"body\":" + deep + "}", "publish bad turn a invalid_frame"),
                row("{\"type\":\"subscribe\",\"address\":\"order:created\"}", "subscribe bad turn order:created invalid_frame"),
                // a bad resume header is kept for the register's turn (the type is checked against the catalog first)
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"-1\"}}",
                        "register register order:created badResume=invalid_frame"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"soon\"}}",
                        "register register order:created badResume=invalid_frame"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":1.5}}",
                        "register register order:created badResume=invalid_frame"),
                row("{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":1,\"epoch\":3}}",
                        "register register order:created badResume=invalid_frame")
        );
    }

    static Arguments row(String text, String expected) {
        return Arguments.of(text, expected);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("frames")
    void decodes(String text, String expected) {
        assertEquals(expected, describe(DECODER.decode(text)), text);
    }

    @Test
    void countsTheBytesItIsGivenNotTheChars() {
        String frame = "{\"type\":\"ping\"}";
        assertInstanceOf(FrameDecoder.Ping.class, DECODER.decode(frame, frame.length()));
        FrameDecoder.Bad bad = assertInstanceOf(FrameDecoder.Bad.class, DECODER.decode(frame, MAX_FRAME + 1));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, bad.code());
        assertEquals("frames are limited to " + MAX_FRAME + " bytes", bad.message());
    }

    @Test
    void aResumeWithoutSinceIsNone() {
        assertNull(FrameDecoder.resume(null));
        assertNull(FrameDecoder.resume(new io.vertx.core.json.JsonObject().put("epoch", "e")));
        assertEquals(new RegisterFrame.Resume(0, null), FrameDecoder.resume(new io.vertx.core.json.JsonObject().put("since", " 0 ")));
    }

    @Test
    void aFilterHeaderIsDecodedAndABadOneKeptForTheRegistersTurn() {
        FrameDecoder decoder = new FrameDecoder(64 * 1024, MAX_ADDRESS);
        String filter = "{\\\"field\\\":\\\"storeId\\\",\\\"op\\\":\\\"eq\\\",\\\"value\\\":\\\"s-1\\\"}";
        FrameDecoder.Register register = assertInstanceOf(FrameDecoder.Register.class, decoder.decode(
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"3\",\"filter\":\"" + filter + "\"}}"));
        assertEquals("{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"s-1\"}", register.filter().normalized());
        assertEquals(3, register.resume().since());
        assertNull(register.badFilter());
        FrameDecoder.Register bad = assertInstanceOf(FrameDecoder.Register.class, decoder.decode(
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"filter\":\"{\\\"field\\\":\\\"storeId\\\",\\\"op\\\":\\\"like\\\"}\"}}"));
        assertNull(bad.filter());
        assertEquals(ErrorCode.INVALID_FILTER, bad.badFilter().code());
        FrameDecoder.Register none = assertInstanceOf(FrameDecoder.Register.class, decoder.decode(
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"filter\":\"\"}}"));
        assertNull(none.filter(), "an empty header: no filter");
        assertNull(none.badFilter());
    }

    static String describe(FrameDecoder.Decoded decoded) {
        String kind = decoded.kind() + " ";
        if (decoded instanceof FrameDecoder.Bad bad) {
            return kind + "bad " + (bad.onArrival() ? "arrival " : "turn ") + bad.address() + " " + bad.code().id();
        }
        if (decoded instanceof FrameDecoder.Ping) {
            return kind + "ping";
        }
        if (decoded instanceof FrameDecoder.Register r) {
            return kind + "register " + r.address() + (r.badResume() != null ? " badResume=" + r.badResume().code().id()
                    : " resume=" + (r.resume() == null ? "null" : r.resume().since() + "/" + r.resume().epoch()));
        }
        if (decoded instanceof FrameDecoder.Unregister u) {
            return kind + "unregister " + u.address();
        }
        if (decoded instanceof FrameDecoder.Publish p) {
            return kind + "publish " + p.address() + " body=" + p.body();
        }
        FrameDecoder.Send s = (FrameDecoder.Send) decoded;
        return kind + "send " + s.address() + " body=" + s.body() + " reply=" + s.replyAddress() + " control=" + s.control();
    }
}
