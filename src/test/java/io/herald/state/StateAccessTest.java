package io.herald.state;

import io.herald.auth.Access;
import io.herald.history.StateEntry;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which entries of a keyed state a reader may read: live delivery's rules on each entry's latest event. */
class StateAccessTest {
    static StateEntry owned(String owner, String target) {
        return new StateEntry("o-1", 1, "e", 1, false, owner, target, "{}");
    }

    @Test
    void ownAccessReadsOnlyTheReadersEntries() {
        assertTrue(StateAccess.readable(owned("c-1", null), Access.OWN, "c-1", "customer", Set.of()));
        assertFalse(StateAccess.readable(owned("c-2", null), Access.OWN, "c-1", "customer", Set.of()));
        assertFalse(StateAccess.readable(owned(null, null), Access.OWN, "c-1", "customer", Set.of()));
        assertFalse(StateAccess.readable(owned("c-1", null), Access.OWN, null, "guest", Set.of()), "an anonymous reader owns nothing");
        assertTrue(StateAccess.readable(owned("c-2", "{\"users\":[\"c-1\"]}"), Access.OWN, "c-1", "customer", Set.of()),
                "an entry whose event targets the reader by user id");
    }

    @Test
    void allAccessReadsEverythingThatDoesNotTargetOthers() {
        assertTrue(StateAccess.readable(owned("c-2", null), Access.ALL, "s-1", "staff", Set.of()));
        assertFalse(StateAccess.readable(owned("c-2", "{\"roles\":[\"admin\"]}"), Access.ALL, "s-1", "staff", Set.of()));
        assertTrue(StateAccess.readable(owned("c-2", "{\"rooms\":[\"store:7\"]}"), Access.ALL, "s-1", "staff", Set.of("store:7")));
        assertFalse(StateAccess.readable(owned("c-2", null), Access.NONE, "s-1", "staff", Set.of()));
    }
}
