package io.herald.history;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Epoch ids: the creation time in milliseconds (9 base-36 digits) and 4 random base-36 digits. Ids of
 * the same length compare by age as strings, so a node that sees two epochs of one stream follows the
 * newer one.
 */
public final class Epochs {
    private static final int TIME_DIGITS = 9;
    private static final int RANDOM_DIGITS = 4;

    private Epochs() {
    }

    public static String newEpoch() {
        String time = Long.toString(System.currentTimeMillis(), 36);
        String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        return ("0".repeat(TIME_DIGITS - time.length()) + time + "0".repeat(RANDOM_DIGITS - random.length()) + random)
                .toLowerCase(Locale.ROOT);
    }

    /** Whether {@code candidate} is a later epoch than {@code current} (null counts as older than any). */
    public static boolean isNewer(String candidate, String current) {
        return current == null || candidate.compareTo(current) > 0;
    }
}
