package io.herald.auth;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevocationsTest {
    static Principal issued(String user, long iat) {
        return new Principal(user, "staff", null, Set.of(), 0, iat);
    }

    @Test
    void theLaterCutoffWinsAndEntriesExpire() {
        Revocations revocations = new Revocations();
        revocations.put("u-1", 100, 1_000);
        revocations.put("u-1", 50, 2_000);
        assertEquals(100, revocations.cutoff("u-1", 0), "a revocation is never weakened by an earlier cutoff");
        assertTrue(revocations.revoked(issued("u-1", 99), 0));
        assertFalse(revocations.revoked(issued("u-1", 100), 0), "issued at the cutoff: accepted");
        assertTrue(revocations.revoked(issued("u-1", 0), 0), "no iat: refused");
        assertFalse(revocations.revoked(issued("u-2", 1), 0), "another user");
        assertFalse(revocations.revoked(Principal.anonymous("guest"), 0));
        assertTrue(revocations.revoked(issued("u-1", 99), 1_999));
        assertFalse(revocations.revoked(issued("u-1", 99), 2_000), "expired");
        assertEquals(0, revocations.sweep(2_000), "the sweep drops expired entries");
    }
}
