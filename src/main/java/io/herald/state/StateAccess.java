package io.herald.state;

import io.herald.auth.Access;
import io.herald.event.Target;
import io.herald.history.StateEntry;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Which entries of a keyed state a reader may read: the rules of live delivery ({@code Subscription}), applied to each
 * entry's latest event. "own" reads an entry whose owner is the reader or whose target names the reader's user id; a
 * target, when present, must match the reader (user, role or one of its rooms).
 */
public final class StateAccess {
    private StateAccess() {
    }

    public static Predicate<StateEntry> reader(Access access, String userId, String role, Set<String> rooms) {
        return entry -> readable(entry, access, userId, role, rooms);
    }

    public static boolean readable(StateEntry entry, Access access, String userId, String role, Set<String> rooms) {
        return readable(entry.ownerId(), entry.target(), access, userId, role, rooms);
    }

    /**
     * The same rule for any kept event: its owner's user id (or null) and its target as JSON (or null), decoded once
     * per node and text ({@link TargetCache}), and only when the access leaves it to decide.
     */
    public static boolean readable(String ownerId, String targetJson, Access access, String userId, String role, Set<String> rooms) {
        return readable(TargetCache.SHARED, ownerId, targetJson, access, userId, role, rooms);
    }

    /** The same, the target decoded by {@code targets} (a reader's own cache; the node's readers share {@link TargetCache#SHARED}). */
    public static boolean readable(TargetCache targets, String ownerId, String targetJson, Access access, String userId, String role,
                                   Set<String> rooms) {
        if (access == Access.NONE) {
            return false;
        }
        Target target = targets.target(targetJson);
        if (access == Access.OWN) {
            boolean owned = userId != null && (userId.equals(ownerId) || target != null && target.namesUser(userId));
            if (!owned) {
                return false;
            }
        }
        return target == null || target.matches(userId, role, rooms);
    }
}
