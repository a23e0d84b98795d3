package io.herald.limits;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.herald.limits.ConnectionCounts.Admission.ADMITTED;
import static io.herald.limits.ConnectionCounts.Admission.IP_FULL;
import static io.herald.limits.ConnectionCounts.Admission.NODE_FULL;
import static io.herald.limits.ConnectionCounts.Admission.TOO_MANY_ATTEMPTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

class ConnectionCountsTest {
    private static final long INTERVAL = 1000;

    @Test
    void theNodeCapCountsEveryAddressAndAClosedConnectionFreesItsPlace() {
        ConnectionCounts counts = new ConnectionCounts(2, 100, 100, INTERVAL);
        assertEquals(ADMITTED, counts.admit("10.0.0.1", 0));
        assertEquals(ADMITTED, counts.admit("10.0.0.2", 0));
        assertEquals(NODE_FULL, counts.admit("10.0.0.3", 0));
        assertEquals(2, counts.open());
        counts.release("10.0.0.1");
        assertEquals(ADMITTED, counts.admit("10.0.0.3", 0));
        assertEquals(0, counts.openFrom("10.0.0.1"));
        assertEquals(1, counts.openFrom("10.0.0.3"));
    }

    @Test
    void anAddressHasItsCapOnThisNode() {
        ConnectionCounts counts = new ConnectionCounts(100, 2, 100, INTERVAL);
        assertEquals(ADMITTED, counts.admit("10.0.0.1", 0));
        assertEquals(ADMITTED, counts.admit("10.0.0.1", 0));
        assertEquals(IP_FULL, counts.admit("10.0.0.1", 0));
        assertEquals(ADMITTED, counts.admit("10.0.0.2", 0), "another address is not affected");
        assertEquals(3, counts.open());
    }

    @Test
    void attemptsPerSecondCountRefusedAttemptsTooAndRefillOverTime() {
        ConnectionCounts counts = new ConnectionCounts(100, 100, 3, INTERVAL);
        for (int i = 0; i < 3; i++) {
            assertEquals(ADMITTED, counts.admit("10.0.0.1", 0));
            counts.release("10.0.0.1");
        }
        assertEquals(TOO_MANY_ATTEMPTS, counts.admit("10.0.0.1", 0));
        assertEquals(TOO_MANY_ATTEMPTS, counts.admit("10.0.0.1", 300));
        assertEquals(ADMITTED, counts.admit("10.0.0.2", 300), "each address has its own attempts");
        assertEquals(ADMITTED, counts.admit("10.0.0.1", 700), "a third of a second later there is room for one more");
        assertEquals(0, counts.open() - 2);
    }

    @Test
    void anAttemptIsCountedBeforeItsTokenAndTheAdmissionAfterDoesNotCountAgain() {
        ConnectionCounts counts = new ConnectionCounts(100, 100, 3, INTERVAL);
        for (int i = 0; i < 3; i++) {
            assertTrue(counts.attempt("10.0.0.1", 0), "attempt " + i);
        }
        assertFalse(counts.attempt("10.0.0.1", 0), "a fourth attempt in the same second is refused, whatever its token");
        assertEquals(ADMITTED, counts.admitAttempted("10.0.0.1", 0), "an allowed attempt whose token verified is admitted");
        assertEquals(1, counts.openFrom("10.0.0.1"));
        assertTrue(counts.attempt("10.0.0.1", 400), "the bucket refills");
    }

    @Test
    void otherNodesReportsCountTowardsTheCapUntilTheyExpire() {
        ConnectionCounts a = new ConnectionCounts(100, 5, 100, INTERVAL);
        a.received("node-b", Map.of("10.0.0.1", 3), 0);
        a.received("node-c", Map.of("10.0.0.1", 1, "10.0.0.9", 4), 0);
        assertEquals(4, a.elsewhere("10.0.0.1"));
        assertEquals(ADMITTED, a.admit("10.0.0.1", 0));
        assertEquals(IP_FULL, a.admit("10.0.0.1", 0), "1 here + 4 elsewhere reach the cap of 5");
        a.received("node-b", Map.of(), 500);
        assertEquals(1, a.elsewhere("10.0.0.1"), "a report replaces the node's last one");
        assertEquals(ADMITTED, a.admit("10.0.0.1", 500));
        a.sweep(3 * INTERVAL);
        assertEquals(1, a.elsewhere("10.0.0.1"), "node-c was heard from three intervals ago: still counted");
        a.sweep(3 * INTERVAL + 1);
        assertEquals(0, a.elsewhere("10.0.0.1"), "then dropped");
        assertEquals(0, a.elsewhere("10.0.0.9"));
    }

    @Test
    void aNodeReportsOnlyAddressesAtTheThresholdAndOnceWhenNoneAreLeft() {
        ConnectionCounts counts = new ConnectionCounts(1000, 30, 1000, INTERVAL); // threshold 3
        assertNull(counts.report(), "nothing to say");
        for (int i = 0; i < 3; i++) {
            counts.admit("10.0.0.1", 0);
        }
        counts.admit("10.0.0.2", 0);
        assertEquals(Map.of("10.0.0.1", 3), counts.report());
        assertEquals(Map.of("10.0.0.1", 3), counts.report(), "said again each interval while it holds");
        counts.release("10.0.0.1");
        assertEquals(Map.of(), counts.report(), "an empty report replaces the last one");
        assertNull(counts.report(), "and then nothing");
    }

    @Test
    void theThresholdIsAtLeastOne() {
        ConnectionCounts counts = new ConnectionCounts(1000, 4, 1000, INTERVAL);
        counts.admit("10.0.0.1", 0);
        assertEquals(Map.of("10.0.0.1", 1), counts.report());
    }

    @Test
    void sweepingDropsAddressesWithNoConnectionOnceTheirAttemptsAreForgotten() {
        ConnectionCounts counts = new ConnectionCounts(100, 100, 10, INTERVAL);
        counts.admit("10.0.0.1", 0);
        counts.admit("10.0.0.2", 0);
        counts.release("10.0.0.2");
        counts.sweep(10);
        assertEquals(2, counts.trackedIps(), "10.0.0.2's attempt is still remembered");
        counts.sweep(1000);
        assertEquals(1, counts.trackedIps(), "only the address with an open connection is left");
        assertEquals(1, counts.openFrom("10.0.0.1"));
    }
}
