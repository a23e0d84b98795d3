package io.herald.bridge;

import io.herald.auth.Access;
import io.herald.event.BusEvent;

/** A connection's registration on one event type, with the access its role was granted at register time. */
record Subscription(Connection connection, Access access) {

    /**
     * Whether this subscriber gets the event: the per-message part of the rules, decided from fields
     * the publisher extracted once ({@code ownerId}, {@code target}), without touching the JSON.
     * "own" passes when the event's owner is the reader or the target names the reader's user id; a
     * target, when present, must match.
     */
    boolean accepts(BusEvent event) {
        String userId = connection.principal.userId();
        if (access == Access.OWN) {
            boolean owned = userId != null && (userId.equals(event.ownerId())
                    || event.target() != null && event.target().users().contains(userId));
            if (!owned) {
                return false;
            }
        }
        return event.target() == null || event.target().matches(connection.principal);
    }
}
