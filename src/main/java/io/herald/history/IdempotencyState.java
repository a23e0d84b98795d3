package io.herald.history;

/**
 * The state machine of one idempotency key, as plain functions of the stored value and the clock, run atomically on
 * the key's entry (by {@link IdempotencyProcessor} on the member that owns it, or {@link LocalIdempotencyStore}):
 * <pre>
 *   (none) --claim--> CLAIMED(hash, lease) --record--> DONE(hash, answer, window)
 *                          |  \--release (the append failed)--> (none)
 *                          \--lease runs out (the claiming node died)--> (none)
 * </pre>
 * A claim of a key that is {@code CLAIMED} with the same hash is {@link Kind#IN_FLIGHT} (the caller waits and claims
 * again); {@code DONE} with the same hash answers {@link Kind#DONE} with the first answer; either with another hash is
 * a {@link Kind#CONFLICT}. A stored value is {@code "C\n<hash>\n<until>"} or {@code "D\n<hash>\n<until>\n<answer>"},
 * {@code until} the epoch millisecond it stops counting (Hazelcast's TTL removes it about then as well).
 */
public final class IdempotencyState {
    private IdempotencyState() {
    }

    /** What a claim found. */
    public enum Kind { CLAIMED, IN_FLIGHT, DONE, CONFLICT }

    /** A claim's outcome; {@code answer} only for {@link Kind#DONE}. */
    public record Outcome(Kind kind, String answer) {
        static final Outcome CLAIMED = new Outcome(Kind.CLAIMED, null);
        static final Outcome IN_FLIGHT = new Outcome(Kind.IN_FLIGHT, null);
        static final Outcome CONFLICT = new Outcome(Kind.CONFLICT, null);

        /** One line for the wire (an entry processor's result). */
        String encode() {
            return answer == null ? kind.name() : kind.name() + "\n" + answer;
        }

        static Outcome decode(String text) {
            int nl = text.indexOf('\n');
            return nl < 0 ? new Outcome(Kind.valueOf(text), null) : new Outcome(Kind.valueOf(text.substring(0, nl)), text.substring(nl + 1));
        }
    }

    /**
     * What to do to the entry: {@code value} to store for {@code ttlMs} (null: leave it, unless {@code remove}), and what
     * to answer.
     */
    record Step(Outcome outcome, String value, long ttlMs, boolean remove) {
        static Step keep(Outcome outcome) {
            return new Step(outcome, null, 0, false);
        }
    }

    /** Claims the key for a publish whose body hashes to {@code hash}, for {@code leaseMs}. */
    static Step claim(String current, String hash, long now, long leaseMs) {
        if (current == null || expired(current, now)) {
            return new Step(Outcome.CLAIMED, "C\n" + hash + "\n" + (now + leaseMs), leaseMs, false);
        }
        if (!hash.equals(field(current, 1))) {
            return Step.keep(Outcome.CONFLICT);
        }
        if (current.charAt(0) == 'C') {
            return Step.keep(Outcome.IN_FLIGHT);
        }
        return Step.keep(new Outcome(Kind.DONE, answer(current)));
    }

    /** Records the answer of the publish that claimed the key, for {@code windowMs}. */
    static Step record(String current, String hash, String answer, long now, long windowMs) {
        if (current != null && !expired(current, now) && current.charAt(0) == 'D') {
            return Step.keep(new Outcome(Kind.DONE, answer(current))); // an answer is never replaced
        }
        return new Step(new Outcome(Kind.DONE, answer), "D\n" + hash + "\n" + (now + windowMs) + "\n" + answer, windowMs, false);
    }

    /** Gives the key up after the publish that claimed it failed: a retry may then publish. */
    static Step release(String current, String hash) {
        if (current != null && current.charAt(0) == 'C' && hash.equals(field(current, 1))) {
            return new Step(Outcome.CLAIMED, null, 0, true);
        }
        return Step.keep(Outcome.CLAIMED);
    }

    static boolean expired(String value, long now) {
        return Long.parseLong(field(value, 2)) <= now;
    }

    private static String field(String value, int index) {
        int start = 0;
        for (int i = 0; i < index; i++) {
            start = value.indexOf('\n', start) + 1;
        }
        int end = value.indexOf('\n', start);
        return end < 0 ? value.substring(start) : value.substring(start, end);
    }

    private static String answer(String value) {
        int start = 0;
        for (int i = 0; i < 3; i++) {
            start = value.indexOf('\n', start) + 1;
        }
        return value.substring(start);
    }
}
