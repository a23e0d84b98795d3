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
}
