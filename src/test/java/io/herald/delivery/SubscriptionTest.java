package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.event.BusEvent;
import io.herald.event.Target;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubscriptionTest {
    static Subscription of(Principal who, Access access) {
        return new Subscription(new Connection(null, who), access);
    }

    static BusEvent event(String owner, Target target) {
        return new BusEvent(7, 0, "{}", owner, target);
    }

    static final Principal ALICE = new Principal("alice", "customer", null, Set.of());
    static final Principal STAFF_IN_ROOM = new Principal("s-1", "staff", "store-1", Set.of("store-1"));
    static final Principal GUEST = Principal.anonymous("guest");

    @Test
    void ownOnlyPassesTheOwnersEventsAndThoseAimedAtTheirUserId() {
        Subscription alice = of(ALICE, Access.OWN);
        assertTrue(alice.accepts(event("alice", null)));
        assertFalse(alice.accepts(event("bob", null)));
        assertFalse(alice.accepts(event(null, null)));
        assertTrue(alice.accepts(event("bob", new Target(Set.of("alice"), Set.of(), Set.of()))));
        assertFalse(alice.accepts(event("alice", new Target(Set.of(), Set.of("staff"), Set.of()))), "a target narrows, even the owner's");
        assertFalse(of(GUEST, Access.OWN).accepts(event(null, null)), "no user id, nothing owned");
    }

    @Test
    void aRecoveredSubscriberSkipsWhatItAlreadyHas() {
        Subscription staff = of(STAFF_IN_ROOM, Access.ALL);
        staff.startRecovery(7);
        assertFalse(staff.accepts(event(null, null)), "seq 7 is the client's since");
        staff.afterSeq = 6;
        assertTrue(staff.accepts(event(null, null)));
    }

    @Test
    void targetsMatchUsersRolesOrRooms() {
        Subscription staff = of(STAFF_IN_ROOM, Access.ALL);
        assertFalse(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("store-1")))), "rooms are what the connection is in, not the token alone");
        staff.connection.join("store-1");
        assertTrue(staff.accepts(event(null, null)));
        assertTrue(staff.accepts(event(null, new Target(Set.of("s-1"), Set.of(), Set.of()))));
        assertTrue(staff.accepts(event(null, new Target(Set.of(), Set.of("staff"), Set.of()))));
        assertTrue(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("store-1")))));
        assertFalse(staff.accepts(event(null, new Target(Set.of("s-2"), Set.of("manager"), Set.of("store-2")))));
        staff.connection.leave("store-1");
        assertFalse(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("store-1")))), "left the room");
    }

    @Test
    void theAutomaticRoomsAreTheTokensUserAndRoleEvenAfterARefresh() {
        Subscription staff = of(STAFF_IN_ROOM, Access.ALL);
        assertTrue(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("user:s-1")))));
        assertTrue(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("role:staff")))));
        assertFalse(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("user:s-2", "role:admin")))));
        staff.connection.replacePrincipal(new Principal("s-1", "manager", "store-1", Set.of()));
        assertFalse(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("role:staff")))), "no longer staff");
        assertTrue(staff.accepts(event(null, new Target(Set.of(), Set.of(), Set.of("role:manager")))));
        Subscription own = of(ALICE, Access.OWN);
        assertTrue(own.accepts(event("bob", new Target(Set.of(), Set.of(), Set.of("user:alice")))), "a user: room names the reader, as users does");
    }
}
