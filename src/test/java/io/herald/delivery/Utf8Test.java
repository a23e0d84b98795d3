package io.herald.delivery;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8Test {
    @Test
    void countsBytesAsTheEncoderWrites() {
        for (String text : new String[] {"", "plain", "€ and é", "a 🖖 b", "\u0000\u007f\u0080\u07ff\u0800\uffff"}) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Utf8.length(text), text);
        }
        assertEquals(3, Utf8.length("\ud800"), "a lone surrogate: what a replacement character takes");
    }
}
