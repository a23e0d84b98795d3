package io.herald.log;

/**
 * Values from outside (a token's {@code sub} or {@code role}, an address, a room, a path) made safe for a log
 * line: control characters (C0, DEL, C1, and the Unicode line and paragraph separators) are written as escapes
 * ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}…) and a backslash as {@code \\}, so that a value can
 * neither end the line nor forge another one, and an escape in the log always means one in the value.
 */
public final class LogText {
    private LogText() {
    }

    /** {@code value} with its control characters escaped; {@code "null"} for null. */
    public static String escape(String value) {
        if (value == null) {
            return "null";
        }
        int i = 0;
        while (i < value.length() && !needsEscape(value.charAt(i))) {
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        StringBuilder escaped = new StringBuilder(value.length() + 16).append(value, 0, i);
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!needsEscape(c)) {
                escaped.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '\\' -> escaped.append("\\\\");
                default -> escaped.append(String.format("\\u%04x", (int) c));
            }
        }
        return escaped.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
