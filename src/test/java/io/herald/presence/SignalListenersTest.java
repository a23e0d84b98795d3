package io.herald.presence;

import io.herald.auth.Principal;
import io.herald.delivery.Connection;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One loop's index of who gets a room's signals: registered connections, by the signal rooms they are in. */
class SignalListenersTest {
    final SignalListeners listeners = new SignalListeners(room -> room.startsWith("chat:"));

    static Connection connection(String user) {
        return new Connection(null, new Principal(user, "staff", null, Set.of()));
    }

    @Test
    void aRegisteredConnectionIsListedInTheSignalRoomsItIsIn() {
        Connection alice = connection("alice");
        Connection bob = connection("bob");
        alice.join("chat:1");
        alice.join("store:s-1");
        bob.join("chat:1");
        listeners.register(alice);
        assertArrayEquals(new Connection[] {alice}, listeners.members("chat:1"), "bob did not register");
        assertEquals(0, listeners.members("store:s-1").length, "not a signal room: not indexed");

        listeners.register(bob);
        listeners.register(bob);
        assertEquals(2, listeners.members("chat:1").length);
        assertEquals(2, listeners.registered());
    }

    @Test
    void joinsAndLeavesAfterTheRegisterAreFollowed() {
        Connection alice = connection("alice");
        Connection quiet = connection("quiet");
        listeners.register(alice);
        alice.join("chat:2");
        listeners.joined(alice, "chat:2");
        quiet.join("chat:2");
        listeners.joined(quiet, "chat:2");
        assertArrayEquals(new Connection[] {alice}, listeners.members("chat:2"), "a connection that never registered gets none");

        alice.leave("chat:2");
        listeners.left(alice, "chat:2");
        assertEquals(0, listeners.members("chat:2").length);
        assertEquals(0, listeners.rooms(), "an emptied room is dropped");
    }

    @Test
    void unregisterAndCloseForgetTheConnection() {
        Connection alice = connection("alice");
        alice.join("chat:1");
        alice.join("chat:2");
        listeners.register(alice);
        assertEquals(2, listeners.rooms());
        listeners.unregister(alice);
        assertEquals(0, listeners.rooms());
        assertEquals(0, listeners.registered());
        listeners.joined(alice, "chat:3");
        assertEquals(0, listeners.rooms(), "unregistered: its joins are not followed");
    }
}
