package io.herald.bridge;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static io.herald.bridge.SessionOwners.Outcome.ALLOWED;
import static io.herald.bridge.SessionOwners.Outcome.DENIED;
import static io.herald.bridge.SessionOwners.Outcome.FULL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SessionOwnersTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final SessionOwners owners = new SessionOwners(3, now::get);

    @Test
    void theFirstRequestBindsTheSessionToItsToken() {
        assertEquals(ALLOWED, owners.check("s1", "token-a", true));
        assertEquals(ALLOWED, owners.check("s1", "token-a", false));
        assertEquals(DENIED, owners.check("s1", "token-b", false));
        assertEquals(DENIED, owners.check("s1", null, true));
        assertEquals(DENIED, owners.check("s1", "token-a ", true));
        assertEquals(1, owners.size());
    }

    @Test
    void anAnonymousSessionIsBoundToNoToken() {
        assertEquals(ALLOWED, owners.check("s1", null, true));
        assertEquals(ALLOWED, owners.check("s1", null, false));
        assertEquals(DENIED, owners.check("s1", "token-a", false));
        // the empty string hashes unlike "no token"
        assertEquals(false, java.util.Arrays.equals(SessionOwners.digest(null), SessionOwners.digest("")));
        assertArrayEquals(SessionOwners.digest(null), SessionOwners.digest(null));
    }

    @Test
    void aSendOnAnUnknownSessionBindsNothing() {
        assertEquals(ALLOWED, owners.check("s1", "token-a", false));
        assertEquals(0, owners.size());
    }

    @Test
    void entriesAreBoundedAndLeaveAfterTheirSessionClosed() {
        for (String id : new String[]{"a", "b", "c"}) {
            assertEquals(ALLOWED, owners.check(id, "t", true));
            owners.opened(id);
        }
        assertEquals(FULL, owners.check("d", "t", true));
        owners.closed("a");
        // still bound while vertx-web keeps the closed session
        assertEquals(DENIED, owners.check("a", "other", true));
        now.addAndGet(SessionOwners.CLOSED_GRACE_NANOS);
        assertEquals(ALLOWED, owners.check("d", "t", true));
        assertEquals(3, owners.size());
    }

    @Test
    void anEntryWhoseSessionNeverOpenedLeaves() {
        assertEquals(ALLOWED, owners.check("never", "t", true));
        assertEquals(ALLOWED, owners.check("open", "t", true));
        owners.opened("open");
        now.addAndGet(SessionOwners.UNOPENED_TTL_NANOS);
        owners.sweep(false);
        assertEquals(1, owners.size());
        assertEquals(DENIED, owners.check("open", "x", false));
    }

    @Test
    void sessionPaths() {
        assertArrayEquals(new String[]{"abc", "xhr"}, SessionOwners.sessionAndTransport("/eventbus", "/eventbus/000/abc/xhr?token=x"));
        assertArrayEquals(new String[]{"abc", "xhr_send"}, SessionOwners.sessionAndTransport("/eventbus", "/eventbus/000/abc/xhr_send/"));
        assertNull(SessionOwners.sessionAndTransport("/eventbus", "/eventbus/info"));
        // ids vertx-web never serves ([^/.]+) own no session: they cannot fill the table
        assertNull(SessionOwners.sessionAndTransport("/eventbus", "/eventbus/a.b/abc/xhr"));
        assertNull(SessionOwners.sessionAndTransport("/eventbus", "/eventbus/000/a.b/xhr"));
        assertNull(SessionOwners.sessionAndTransport("/eventbus", "/eventbus/websocket"));
        assertNull(SessionOwners.sessionAndTransport("/eventbus", "/api/events"));
    }
}
