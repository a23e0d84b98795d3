package io.herald.limits;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.herald.limits.FrameRates.Verdict.ACCEPTED;
import static io.herald.limits.FrameRates.Verdict.CLOSE;
import static io.herald.limits.FrameRates.Verdict.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameRatesTest {
    private static void take(FrameRates.Allowance allowance, String role, String kind, long now, int count, FrameRates.Verdict expected) {
        for (int i = 0; i < count; i++) {
            assertEquals(expected, allowance.take(role, kind, now), kind + " frame " + i);
        }
    }

    @Test
    void theBurstPassesThenFramesAreRefusedUntilTheBucketRefills() {
        FrameRates rates = new FrameRates(60, 5, Map.of(), Map.of(), 50);
        FrameRates.Allowance allowance = rates.newAllowance("guest", 0);
        take(allowance, "guest", "register", 0, 5, ACCEPTED);
        take(allowance, "guest", "publish", 0, 3, REFUSED);
        take(allowance, "guest", "publish", 1000, 1, ACCEPTED);
        take(allowance, "guest", "publish", 1000, 1, REFUSED);
    }

    @Test
    void aRoleWithItsOwnRateRefillsFaster() {
        FrameRates rates = new FrameRates(60, 2, Map.of("staff", 600), Map.of(), 50);
        FrameRates.Allowance staff = rates.newAllowance("staff", 0);
        FrameRates.Allowance guest = rates.newAllowance("guest", 0);
        take(staff, "staff", "register", 0, 2, ACCEPTED);
        take(guest, "guest", "register", 0, 2, ACCEPTED);
        take(staff, "staff", "register", 100, 1, ACCEPTED);
        take(guest, "guest", "register", 100, 1, REFUSED);
    }

    @Test
    void framesDroppedFromAFullQueueCountTowardsTheFloodCloseAndAnAcceptedFrameEndsTheRun() {
        FrameRates rates = new FrameRates(60_000, 1000, Map.of(), Map.of(), 3);
        FrameRates.Allowance allowance = rates.newAllowance("guest", 0);
        assertEquals(REFUSED, allowance.refuse());
        assertEquals(REFUSED, allowance.refuse());
        take(allowance, "guest", "register", 0, 1, ACCEPTED);
        assertEquals(0, allowance.refusedInRow());
        assertEquals(REFUSED, allowance.refuse());
        assertEquals(REFUSED, allowance.refuse());
        assertEquals(CLOSE, allowance.refuse());
    }

    @Test
    void aRefreshedTokenWithAnotherRoleChangesTheRate() {
        FrameRates rates = new FrameRates(60, 2, Map.of("admin", 6000), Map.of(), 50);
        FrameRates.Allowance allowance = rates.newAllowance("guest", 0);
        take(allowance, "guest", "register", 0, 2, ACCEPTED);
        take(allowance, "admin", "register", 10, 1, REFUSED);
        take(allowance, "admin", "register", 20, 1, ACCEPTED); // 100 a second from the first frame with the new role
    }

    @Test
    void floodCloseAfterRefusalsInARowClosesAndAnAcceptedFrameStartsTheCountAgain() {
        FrameRates rates = new FrameRates(60, 1, Map.of(), Map.of(), 3);
        FrameRates.Allowance allowance = rates.newAllowance("guest", 0);
        take(allowance, "guest", "send", 0, 1, ACCEPTED);
        take(allowance, "guest", "send", 0, 2, REFUSED);
        take(allowance, "guest", "send", 1000, 1, ACCEPTED);
        assertEquals(0, allowance.refusedInRow());
        take(allowance, "guest", "send", 1000, 2, REFUSED);
        take(allowance, "guest", "send", 1000, 1, CLOSE);
        assertEquals(3, allowance.refusedInRow());
    }

    @Test
    void aKindWithItsOwnRateNeedsATokenFromBothBuckets() {
        FrameRates rates = new FrameRates(600, 10, Map.of(), Map.of("publish", 2), 50);
        FrameRates.Allowance allowance = rates.newAllowance("customer", 0);
        take(allowance, "customer", "publish", 0, 2, ACCEPTED);
        take(allowance, "customer", "publish", 0, 1, REFUSED);
        take(allowance, "customer", "register", 0, 8, ACCEPTED);
        take(allowance, "customer", "register", 0, 1, REFUSED);
        take(allowance, "customer", "publish", 100, 1, REFUSED);
        take(allowance, "customer", "register", 100, 1, ACCEPTED);
        take(allowance, "customer", "publish", 30_000, 1, ACCEPTED);
    }

    @Test
    void aRefusedKindFrameTakesNothingFromTheConnectionsBucket() {
        FrameRates rates = new FrameRates(60, 3, Map.of(), Map.of("send", 1), 50);
        FrameRates.Allowance allowance = rates.newAllowance("guest", 0);
        take(allowance, "guest", "send", 0, 1, ACCEPTED);
        take(allowance, "guest", "send", 0, 5, REFUSED);
        take(allowance, "guest", "register", 0, 2, ACCEPTED);
    }

    @Test
    void pingsAreFreeUnlessTheirKindIsLimited() {
        FrameRates free = new FrameRates(60, 1, Map.of(), Map.of(), 2);
        assertFalse(free.limits("ping"));
        assertTrue(free.limits("register"));
        assertTrue(free.limits("invalid"));
        FrameRates.Allowance allowance = free.newAllowance("guest", 0);
        take(allowance, "guest", "ping", 0, 100, ACCEPTED);
        take(allowance, "guest", "register", 0, 1, ACCEPTED);

        FrameRates limited = new FrameRates(60, 10, Map.of(), Map.of("ping", 2), 50);
        assertTrue(limited.limits("ping"));
        FrameRates.Allowance pinger = limited.newAllowance("guest", 0);
        take(pinger, "guest", "ping", 0, 2, ACCEPTED);
        take(pinger, "guest", "ping", 0, 1, REFUSED);
        take(pinger, "guest", "register", 0, 10, ACCEPTED);
    }
}
