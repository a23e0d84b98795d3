package io.herald.history;

/**
 * The state machine of one idempotency key, as plain functions of the stored value and the clock, run atomically on
 * the key's entry (by {@link IdempotencyProcessor} on the member that owns it, or {@link LocalIdempotencyStore}):
 * <pre>
 *   (none) --claim(id, member)--> CLAIMED(hash, lease, id, claimedAt, member) --record--> DONE(hash, answer, window)
 *                          |  \--release by its member (the append failed)--> CLAIMED(…, lease ended now)
 *                          \--claim after the lease, or while its member is out of the cluster--> TAKEN_OVER:
 *                                 CLAIMED(hash, new lease, the same id and claimedAt, the new member)
 * </pre>
 * The first claimant chooses the event's id before it claims, and the claim keeps it: a claim that finds a
 * {@code CLAIMED} entry of the same hash whose lease ran out, or whose member left the cluster (a node that died
 * between its append and its record), answers {@link Kind#TAKEN_OVER} with that id and the first claim's time, and
 * the new claimant publishes the same event (the same id), looking in history for it first (docs/backends.md).
 * A claim of a key that is {@code CLAIMED} with the same hash by a member still there is {@link Kind#IN_FLIGHT} (the
 * caller waits and claims again); {@code DONE} with the same hash answers {@link Kind#DONE} with the first answer;
 * either with another hash (a claim within its lease) is a {@link Kind#CONFLICT}.
 *
 * <p>A stored value is {@code "C\n<hash>\n<until>\n<id>\n<claimedAt>\n<member>"} (a claim of the release before: only
 * the first three) or {@code "D\n<hash>\n<until>\n<answer>"}, {@code until} the epoch millisecond its lease or window
 * ends. A claim's entry lives for the window, not the lease (the store's TTL), so that a retry long after a node died
 * still finds the id it must look for.
 */
public final class IdempotencyState {
    private IdempotencyState() {
    }

    /** What a claim found. */
    public enum Kind { CLAIMED, IN_FLIGHT, DONE, CONFLICT, TAKEN_OVER }

    /**
     * A claim's outcome; {@code answer} is the first answer for {@link Kind#DONE}, {@code "<id>\n<claimedAt>"} for
     * {@link Kind#TAKEN_OVER}, else null.
     */
    public record Outcome(Kind kind, String answer) {
        static final Outcome CLAIMED = new Outcome(Kind.CLAIMED, null);
        static final Outcome IN_FLIGHT = new Outcome(Kind.IN_FLIGHT, null);
        static final Outcome CONFLICT = new Outcome(Kind.CONFLICT, null);

        static Outcome takenOver(String eventId, long claimedAt) {
            return new Outcome(Kind.TAKEN_OVER, eventId + "\n" + claimedAt);
        }

        /** The event id the first claimant chose ({@link Kind#TAKEN_OVER}). */
        public String eventId() {
            return answer.substring(0, answer.indexOf('\n'));
        }

        /** When the first claim was made, epoch ms ({@link Kind#TAKEN_OVER}). */
        public long claimedAt() {
            return Long.parseLong(answer.substring(answer.indexOf('\n') + 1));
        }

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

    /** As {@link #claim(String, String, String, String, long, long, long, java.util.function.Predicate)} with a claim kept for its lease, by a member that never leaves. */
    static Step claim(String current, String hash, long now, long leaseMs) {
        return claim(current, hash, "-", "-", now, leaseMs, leaseMs, member -> false);
    }

    /**
     * Claims the key for a publish whose body hashes to {@code hash}, as event {@code eventId}, by {@code member}, for
     * {@code leaseMs}; the entry is kept {@code keepMs} (at least the lease). {@code gone} tells whether a member left
     * the cluster.
     */
    static Step claim(String current, String hash, String eventId, String member, long now, long leaseMs, long keepMs,
                      java.util.function.Predicate<String> gone) {
        long keep = Math.max(leaseMs, keepMs);
        if (current == null || current.charAt(0) == 'D' && expired(current, now)) {
            return new Step(Outcome.CLAIMED, claimed(hash, now + leaseMs, eventId, now, member), keep, false);
        }
        boolean expired = expired(current, now);
        boolean sameBody = hash.equals(field(current, 1));
        if (current.charAt(0) == 'C') {
            boolean legacy = fields(current) < 6;
            if (expired && (legacy || !sameBody)) {
                // a claim of the release before carries no id; one of another body is that body's: the key is free again
                return new Step(Outcome.CLAIMED, claimed(hash, now + leaseMs, eventId, now, member), keep, false);
            }
            if (!sameBody) {
                return Step.keep(Outcome.CONFLICT);
            }
            if (!legacy && (expired || gone.test(field(current, 5)))) {
                String firstId = field(current, 3);
                long claimedAt = Long.parseLong(field(current, 4));
                return new Step(Outcome.takenOver(firstId, claimedAt), claimed(hash, now + leaseMs, firstId, claimedAt, member), keep, false);
            }
            return Step.keep(Outcome.IN_FLIGHT);
        }
        if (!sameBody) {
            return Step.keep(Outcome.CONFLICT);
        }
        return Step.keep(new Outcome(Kind.DONE, answer(current)));
    }

    private static String claimed(String hash, long until, String eventId, long claimedAt, String member) {
        return "C\n" + hash + "\n" + until + "\n" + eventId + "\n" + claimedAt + "\n" + member;
    }

    /** Records the answer of the publish that claimed the key, for {@code windowMs}. */
    static Step record(String current, String hash, String answer, long now, long windowMs) {
        if (current != null && !expired(current, now) && current.charAt(0) == 'D') {
            return Step.keep(new Outcome(Kind.DONE, answer(current))); // an answer is never replaced
        }
        return new Step(new Outcome(Kind.DONE, answer), "D\n" + hash + "\n" + (now + windowMs) + "\n" + answer, windowMs, false);
    }

    /** As {@link #release(String, String, String, long, long)} by whichever member holds the claim, at time 0. */
    static Step release(String current, String hash) {
        return release(current, hash, null, 0, 0);
    }

    /**
     * Gives the key up after the publish that claimed it failed: a retry may then publish at once. The failed append
     * may have landed all the same (an answer lost with its node's majority), so the claim is not removed but ends
     * now: a retry takes it over and looks for the event before appending. Only the claim {@code member} holds (null:
     * any): a claimant that failed after another took its claim over leaves the taker's claim alone. A claim of the
     * release before (no id) is removed, as that release did.
     */
    static Step release(String current, String hash, String member, long now, long keepMs) {
        if (current == null || current.charAt(0) != 'C' || !hash.equals(field(current, 1))) {
            return Step.keep(Outcome.CLAIMED);
        }
        if (fields(current) < 6) {
            return new Step(Outcome.CLAIMED, null, 0, true);
        }
        if (member != null && !member.equals(field(current, 5))) {
            return Step.keep(Outcome.CLAIMED);
        }
        return new Step(Outcome.CLAIMED, claimed(hash, now, field(current, 3), Long.parseLong(field(current, 4)), field(current, 5)),
                Math.max(1, keepMs), false);
    }

    /**
     * Gives back a claim whose publish was never sent to history (an ordered publish stopped behind one in flight
     * elsewhere): nothing of it can have landed, so the claim is removed and a retry claims the key afresh, with no
     * search. Only the claim {@code member} made with {@code eventId}: a claim taken over meanwhile is left alone.
     */
    static Step withdraw(String current, String hash, String eventId, String member) {
        if (current == null || current.charAt(0) != 'C' || fields(current) < 6 || !hash.equals(field(current, 1))
                || !eventId.equals(field(current, 3)) || !member.equals(field(current, 5))) {
            return Step.keep(Outcome.CLAIMED);
        }
        return new Step(Outcome.CLAIMED, null, 0, true);
    }

    static boolean expired(String value, long now) {
        return Long.parseLong(field(value, 2)) <= now;
    }

    private static int fields(String value) {
        int count = 1;
        for (int i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) {
            count++;
        }
        return count;
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
