package io.herald.history;

/**
 * What the inbox keeps ({@code inbox.*}): at most {@code maxPerUser} entries a user (past that the oldest go), none
 * older than {@code maxAgeMs}, and about {@code maxUsers} users in the cluster (past that the least recently filed or
 * acknowledged inbox goes whole).
 */
public record InboxBounds(int maxPerUser, long maxAgeMs, int maxUsers) {
    public InboxBounds {
        if (maxPerUser < 1 || maxAgeMs < 1 || maxUsers < 1) {
            throw new IllegalArgumentException("inbox bounds must be positive");
        }
    }
}
