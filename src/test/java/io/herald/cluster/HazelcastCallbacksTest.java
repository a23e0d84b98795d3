package io.herald.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.herald.testing.OnOneMember;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HazelcastCallbacks} rests on Hazelcast's futures asking {@code ConcurrencyUtil.getDefaultAsyncExecutor()}
 * at each callback: this fails if an upgrade stops that (callbacks would start a thread each again where the common pool
 * has one thread, as on this project's 2-CPU machines). A real member on loopback.
 */
class HazelcastCallbacksTest extends OnOneMember {

    @Test
    void callbacksOfHazelcastFuturesRunOnAFewThreadsNotANewThreadEach() throws Exception {
        var installed = HazelcastCallbacks.install();
        assertSame(installed, ConcurrencyUtil.getDefaultAsyncExecutor());
        if (ForkJoinPool.getCommonPoolParallelism() > 1) {
            assertSame(ForkJoinPool.commonPool(), installed, "a common pool with threads to spare is Hazelcast's own choice, kept");
        }
        Ringbuffer<String> ring = member.getRingbuffer("callbacks-test");
        // the member's own threads start with its first operations, and the pool's with its first callbacks
        ring.addAsync("warm", com.hazelcast.ringbuffer.OverflowPolicy.OVERWRITE).whenComplete((seq, failed) -> { })
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        long startedBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            // as HazelcastEventLog appends: a non-async callback on the operation's future
            ring.addAsync("event-" + i, com.hazelcast.ringbuffer.OverflowPolicy.OVERWRITE).whenComplete((seq, failed) -> {
                threads.add(Thread.currentThread().getName());
                done.complete(seq);
            });
            done.get(10, TimeUnit.SECONDS);
        }
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - startedBefore;
        assertTrue(started <= HazelcastCallbacks.THREADS + 5, started + " threads started for 200 callbacks, on " + threads.size() + " threads");
        assertTrue(threads.size() <= HazelcastCallbacks.THREADS + 3, "callbacks ran on " + threads);
    }
}
