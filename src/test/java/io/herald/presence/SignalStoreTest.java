package io.herald.presence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signals a node keeps for join replies, on a hand-moved clock: expiry, one per sender, caps, sweeping. */
class SignalStoreTest {
    final AtomicLong now = new AtomicLong(1_000_000);

    static String body(String room, String user, long expiresAt) {
        return new JsonObject().put("room", room).put("from", new JsonObject().put("userId", user).put("role", "staff"))
                .put("data", new JsonObject().put("typing", true)).put("expiresAt", expiresAt).encode();
    }

    static long expiresAtOf(JsonArray signals, int i) {
        return signals.getJsonObject(i).getLong("expiresAt");
    }

    @Test
    void aSignalIsAnsweredUntilItExpiresAndSweptAfter() {
        SignalStore store = new SignalStore(now::get);
        long expiresAt = now.get() + 3000;
        assertTrue(store.keep("chat:1", "alice", expiresAt, body("chat:1", "alice", expiresAt)));
        assertEquals(1, store.current("chat:1").size());
        assertEquals(new JsonObject(body("chat:1", "alice", expiresAt)), store.current("chat:1").getJsonObject(0));
        assertEquals(0, store.current("chat:2").size(), "another room has none");

        now.addAndGet(2999);
        assertEquals(1, store.current("chat:1").size());
        assertEquals(0, store.sweep(), "nothing expired yet");
        now.addAndGet(1);
        assertEquals(0, store.current("chat:1").size(), "expired at expiresAt: never answered after, swept or not");
        assertEquals(1, store.size(), "kept until swept");
        assertEquals(1, store.sweep());
        assertEquals(0, store.size());
        assertEquals(0, store.rooms(), "an emptied room is dropped");
    }

    @Test
    void anExpiredSignalIsNotKept() {
        SignalStore store = new SignalStore(now::get);
        assertFalse(store.keep("chat:1", "alice", now.get(), body("chat:1", "alice", now.get())));
        assertFalse(store.keep("chat:1", "alice", now.get() - 5, body("chat:1", "alice", now.get() - 5)));
        assertEquals(0, store.size());
    }

    @Test
    void aSendersNewSignalReplacesItsEarlierOneAnonymousOnesAreEachKept() {
        SignalStore store = new SignalStore(now::get);
        store.keep("chat:1", "alice", now.get() + 1000, body("chat:1", "alice", now.get() + 1000));
        store.keep("chat:1", "bob", now.get() + 1000, body("chat:1", "bob", now.get() + 1000));
        store.keep("chat:1", "alice", now.get() + 5000, body("chat:1", "alice", now.get() + 5000));
        JsonArray current = store.current("chat:1");
        assertEquals(2, current.size());
        assertEquals("bob", current.getJsonObject(0).getJsonObject("from").getString("userId"), "oldest first");
        assertEquals(now.get() + 5000, expiresAtOf(current, 1), "alice's latest");
        store.keep("chat:1", null, now.get() + 1000, body("chat:1", null, now.get() + 1000));
        store.keep("chat:1", null, now.get() + 1000, body("chat:1", null, now.get() + 1000));
        assertEquals(4, store.current("chat:1").size());
        assertEquals(4, store.size());
    }

    @Test
    void aFullRoomDropsTheSignalThatExpiresFirst() {
        SignalStore store = new SignalStore(3, 100, now::get);
        store.keep("chat:1", "a", now.get() + 3000, body("chat:1", "a", now.get() + 3000));
        store.keep("chat:1", "b", now.get() + 1000, body("chat:1", "b", now.get() + 1000));
        store.keep("chat:1", "c", now.get() + 2000, body("chat:1", "c", now.get() + 2000));
        store.keep("chat:1", "d", now.get() + 4000, body("chat:1", "d", now.get() + 4000));
        JsonArray current = store.current("chat:1");
        assertEquals(3, current.size(), "at most maxPerRoom");
        assertEquals(java.util.List.of("a", "c", "d"), current.stream().map(s -> ((JsonObject) s).getJsonObject("from").getString("userId")).toList());
        assertEquals(3, store.size());
        store.keep("chat:1", "a", now.get() + 9000, body("chat:1", "a", now.get() + 9000));
        assertEquals(3, store.current("chat:1").size(), "a sender already kept replaces, drops nobody");
    }

    @Test
    void pastTheTotalCapASignalIsNotKeptUntilSomeAreSwept() {
        SignalStore store = new SignalStore(10, 4, now::get);
        for (int i = 0; i < 4; i++) {
            assertTrue(store.keep("room:" + i, "u", now.get() + 1000 + i, body("room:" + i, "u", now.get() + 1000)));
        }
        assertFalse(store.keep("room:9", "u", now.get() + 5000, body("room:9", "u", now.get() + 5000)), "the node's bound");
        assertTrue(store.keep("room:0", "u", now.get() + 5000, body("room:0", "u", now.get() + 5000)), "a replacement adds nothing");
        assertEquals(4, store.size());
        now.addAndGet(1002);
        assertEquals(2, store.sweep(), "room:1 and room:2 expired");
        assertTrue(store.keep("room:9", "u", now.get() + 5000, body("room:9", "u", now.get() + 5000)));
        assertEquals(3, store.size());
    }
}
