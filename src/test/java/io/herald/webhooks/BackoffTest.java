package io.herald.webhooks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {
    @Test
    void doublesFromTheFirstWaitUpToTheCap() {
        Backoff backoff = Backoff.DEFAULT;
        assertEquals(1000, backoff.delayMs(1));
        assertEquals(2000, backoff.delayMs(2));
        assertEquals(4000, backoff.delayMs(3));
        assertEquals(32_000, backoff.delayMs(6));
        assertEquals(60_000, backoff.delayMs(7));
        assertEquals(60_000, backoff.delayMs(1_000_000));
        assertEquals(300, new Backoff(300, 1000).delayMs(0));
    }

    @Test
    void refusesANonsenseSchedule() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10));
    }
}
