package io.herald.history;

import io.herald.ErrorCode;
import io.herald.HeraldException;

/**
 * Where the next page of an inbox starts: after the entry of this {@code ts}, {@code seq} and event id, going older. Its
 * text, the {@code next} of a page, is {@code <ts>.<seq>.<id>}: a page read after entries were filed or acknowledged still goes on
 * from there, so nothing present all along is read twice or skipped.
 */
public record InboxCursor(long ts, long seq, String id) {
    /** The longest {@code next} accepted. */
    public static final int MAX_LENGTH = 300;

    public String text() {
        return ts + "." + seq + "." + id;
    }

    /** Null for none (null or empty); {@code invalid_parameter} for anything that is not a page's {@code next}. */
    public static InboxCursor parse(Object next) {
        if (next == null || "".equals(next)) {
            return null;
        }
        if (next instanceof String text && text.length() <= MAX_LENGTH) {
            int dot = text.indexOf('.');
            int second = dot < 0 ? -1 : text.indexOf('.', dot + 1);
            if (dot > 0 && second > dot + 1 && second < text.length() - 1) {
                try {
                    return new InboxCursor(Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1, second)),
                            text.substring(second + 1));
                } catch (NumberFormatException e) {
                    // below
                }
            }
        }
        throw new HeraldException(ErrorCode.INVALID_PARAMETER, "next must be the next of the page before");
    }
}
