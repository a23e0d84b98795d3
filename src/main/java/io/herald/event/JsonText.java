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
        json.append(value, 0, plain);
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
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
