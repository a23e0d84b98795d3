package io.herald.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    @Test
    void aFullBucketGivesItsBurstThenRefusesUntilItRefills() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perMinute(60, 5), 0);
        for (int i = 0; i < 5; i++) {
            assertTrue(bucket.tryTake(0), "token " + i + " of the burst");
        }
        assertFalse(bucket.tryTake(0));
        assertFalse(bucket.tryTake(999), "60 a minute: the next token comes after one second");
        assertTrue(bucket.tryTake(1000));
        assertFalse(bucket.tryTake(1000));
    }

    @Test
    void refillStopsAtTheCapacity() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perSecond(10, 3), 0);
        assertTrue(bucket.tryTake(3, 0));
        assertFalse(bucket.full(0));
        assertTrue(bucket.full(1_000_000), "a long pause fills it, no more");
        assertTrue(bucket.tryTake(3, 1_000_000));
        assertFalse(bucket.tryTake(1_000_000));
    }

    @Test
    void timeGoingBackwardsTakesNothingAndGivesNothing() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perSecond(1, 1), 5_000);
        assertTrue(bucket.tryTake(5_000));
        assertFalse(bucket.tryTake(4_000), "an older reading of the clock (another thread) refills nothing");
        assertTrue(bucket.tryTake(6_000));
    }

    @Test
    void millisUntilSaysWhenTheTokensWillBeThere() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perSecond(10, 10), 0);
        assertEquals(0, bucket.millisUntil(10, 0));
        bucket.take(10);
        assertEquals(100, bucket.millisUntil(1, 0));
        assertEquals(500, bucket.millisUntil(5, 0));
        assertEquals(400, bucket.millisUntil(5, 100));
    }

    @Test
    void aTakeLargerThanTheBucketGoesWhenFullAndLeavesDebt() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perSecond(2, 2), 0);
        assertTrue(bucket.tryTake(10, 0), "a full bucket lets a batch larger than it through");
        assertFalse(bucket.tryTake(1, 0));
        assertEquals(4_500, bucket.millisUntil(1, 0), "8 tokens of debt, then one: 4.5 s at 2 a second");
        assertFalse(bucket.tryTake(1, 4_499));
        assertTrue(bucket.tryTake(1, 4_500));
    }

    @Test
    void aNewRateKeepsTheTokensHeldUpToItsCapacity() {
        TokenBucket bucket = new TokenBucket(TokenBucket.Rate.perMinute(600, 100), 0);
        bucket.rate(TokenBucket.Rate.perMinute(60, 10), 0);
        for (int i = 0; i < 10; i++) {
            assertTrue(bucket.tryTake(0));
        }
        assertFalse(bucket.tryTake(0));
        assertTrue(bucket.tryTake(1000), "refills at the new rate");
    }

    @Test
    void aRateNeedsARefillAndRoomForOneToken() {
        assertThrows(IllegalArgumentException.class, () -> TokenBucket.Rate.perSecond(0, 1));
        assertThrows(IllegalArgumentException.class, () -> TokenBucket.Rate.perSecond(1, 0));
    }
}
