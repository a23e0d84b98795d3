package io.herald.event;

/**
 * A string as a JSON string literal, written by hand: the envelope and the history record are built
 * by concatenation, once per event, and going through Jackson for each of their few strings cost more
 * than the rest of the encoding (a serializer provider per call).
 */
final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    static StringBuilder quote(StringBuilder json, String value) {
        json.append('"');
        int plain = plainPrefix(value);
        if (plain == value.length()) {
            // the usual case (ids, types, epochs, user ids): one bulk copy instead of an append per character
            return json.append(value).append('"');
        }
        // the plain runs between escapes in bulk too (a scoped idempotency key has one newline, then plain text)
        int start = 0;
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            json.append(value, start, i);
            start = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return json.append(value, start, value.length()).append('"');
    }

    /** How many leading characters of {@code value} need no escape. */
    static int plainPrefix(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return i;
            }
        }
        return value.length();
    }
}
