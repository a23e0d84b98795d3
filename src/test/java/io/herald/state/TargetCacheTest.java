package io.herald.state;

import io.herald.HeraldException;
import io.herald.event.Target;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stored targets decoded once per text, bounded in count and size, the hot ones kept; a bad one still refused as before. */
class TargetCacheTest {
    @Test
    void aTargetIsDecodedOnceAndAnEmptyOneIsNone() {
        TargetCache cache = new TargetCache(10, 100);
        Target first = cache.target("{\"users\":[\"u-1\"],\"rooms\":[\"store:1\"]}");
        assertEquals(new Target(Set.of("u-1"), Set.of(), Set.of("store:1")), first);
        assertSame(first, cache.target(new String("{\"users\":[\"u-1\"],\"rooms\":[\"store:1\"]}")), "an equal text is the same target");
        assertNull(cache.target("{}"));
        assertNull(cache.target("{}"));
        assertNull(cache.target(null));
        assertEquals(2, cache.decodes());
    }

    @Test
    void itStaysBoundedAndALongTargetIsNeverKept() {
        TargetCache cache = new TargetCache(10, 100);
        for (int i = 0; i < 1000; i++) {
            cache.target("{\"users\":[\"u-" + i + "\"]}");
            assertTrue(cache.size() <= 20, "two generations of at most 10");
        }
        String longOne = "{\"users\":[\"" + "x".repeat(200) + "\"]}";
        cache.target(longOne);
        cache.target(longOne);
        assertEquals(1002, cache.decodes());
        assertThrows(HeraldException.class, () -> cache.target("{\"users\":\"u-1\"}"));
        assertThrows(HeraldException.class, () -> cache.target("{\"users\":\"u-1\"}"), "a bad target is not kept");
    }

    /** Inbox targets are per user: many more distinct ones than the cache holds pass through, the ones read again stay. */
    @Test
    void aTargetReadAgainStaysDecodedWhileManyOthersPassThrough() {
        TargetCache cache = new TargetCache(10, 100);
        String hot = "{\"users\":[\"hot\"]}";
        Target first = cache.target(hot);
        for (int i = 0; i < 1000; i++) {
            cache.target("{\"users\":[\"u-" + i + "\"]}");
            if (i % 5 == 0) {
                assertSame(first, cache.target(hot));
            }
            assertTrue(cache.size() <= 20);
        }
        assertEquals(1001, cache.decodes(), "the hot target decoded once, each of the 1000 others once (a clear-all when full decoded it again 99 times)");

        // one not read for a whole generation is dropped, and decoded again when it comes back
        String cold = "{\"users\":[\"cold\"]}";
        cache.target(cold);
        for (int i = 0; i < 30; i++) {
            cache.target("{\"users\":[\"v-" + i + "\"]}");
        }
        long before = cache.decodes();
        cache.target(cold);
        assertEquals(before + 1, cache.decodes());
    }

    /** Readers on several event loops share one cache: bounded, each answer right, a target read all along decoded once. */
    @Test
    void severalThreadsShareOneBoundedCache() throws Exception {
        TargetCache cache = new TargetCache(50, 100);
        String hot = "{\"users\":[\"hot\"]}";
        Target expected = new Target(Set.of("hot"), Set.of(), Set.of());
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger maxSize = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5000; i++) {
                        String user = "t" + thread + "-" + i;
                        assertEquals(new Target(Set.of(user), Set.of(), Set.of()), cache.target("{\"users\":[\"" + user + "\"]}"));
                        assertEquals(expected, cache.target(hot));
                        maxSize.accumulateAndGet(cache.size(), Math::max);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(maxSize.get() <= 100, "at most two generations of 50: " + maxSize.get());
            // each distinct target decoded once; the hot one a few times at most (threads racing on its first read), never
            // once a generation (a clear-all when full decoded it again at each of the ~400 clears)
            assertTrue(cache.decodes() <= threads * 5000L + 4 * threads, "decodes " + cache.decodes());
        } finally {
            pool.shutdownNow();
        }
    }
}
