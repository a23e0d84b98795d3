package io.herald.event;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTextTest {

    private static String quoted(String value) {
        return JsonText.quote(new StringBuilder(), value).toString();
    }

    /** What a JSON parser reads back from the quoted text. */
    private static String parsed(String value) {
        return new JsonArray("[" + quoted(value) + "]").getString(0);
    }

    @Test
    void aStringWithNothingToEscapeIsCopiedAsItIs() {
        assertEquals("\"\"", quoted(""));
        assertEquals("\"order:created € \uD83D\uDE00\"", quoted("order:created € \uD83D\uDE00"));
        assertEquals(5, JsonText.plainPrefix("plain"));
    }

    @Test
    void escapesStartWhereTheFirstCharacterNeedsOneWhereverThatIs() {
        assertEquals("\"\\\"a\"", quoted("\"a"));
        assertEquals("\"ab\\\\c\\n\\u0007\"", quoted("ab\\c\n\u0007"));
        assertEquals(2, JsonText.plainPrefix("ab\"c"));
        for (String value : new String[]{"\"", "a\"", "tail\t", EnvelopeTest.AWKWARD, "\u001f\u0000x"}) {
            assertEquals(value, parsed(value));
        }
    }

    @Test
    void plainRunsBetweenEscapesAreKept() {
        assertEquals("\"http\\nkey \\\"q\\\" end\"", quoted("http\nkey \"q\" end"));
        for (String value : new String[]{"a\nb", "\n", "a\n", "\na", "x\"\\\"y", "\u0001\u0002", "ok\r\n\tdone"}) {
            assertEquals(value, parsed(value));
        }
    }
}
