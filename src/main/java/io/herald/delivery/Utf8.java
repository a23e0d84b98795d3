package io.herald.delivery;

/** Sizes of text as UTF-8 bytes, which is what frame limits count (a '€' is one char and three bytes). */
public final class Utf8 {
    private Utf8() {
    }

    /** The length of {@code text} in UTF-8 bytes. */
    public static int length(CharSequence text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}
