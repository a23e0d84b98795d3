package io.herald.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PublishRateLimitTest {
    @Test
    void eachKeyHasOneSecondsWorthThenWaitsForTheRefill() {
        PublishRateLimit limit = new PublishRateLimit(4, () -> 0);
        assertEquals(0, limit.take("key-a", 3, 0));
        assertEquals(0, limit.take("key-a", 1, 0));
        assertEquals(250, limit.take("key-a", 1, 0), "4 a second: one more in 250 ms");
        assertEquals(500, limit.take("key-a", 2, 0), "a refused take takes nothing");
        assertEquals(0, limit.take("key-b", 4, 0), "another key has its own bucket");
        assertEquals(0, limit.take("key-a", 1, 250));
    }

    @Test
    void aBatchCountsEachEventAndOneLargerThanTheRateLeavesDebt() {
        PublishRateLimit limit = new PublishRateLimit(2, () -> 0);
        assertEquals(0, limit.take("key", 10, 0));
        assertEquals(4_500, limit.take("key", 1, 0));
        assertEquals(2, limit.eventsPerSecond());
    }
}
