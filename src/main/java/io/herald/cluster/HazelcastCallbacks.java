package io.herald.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.logging.Logger;

/**
 * Where Hazelcast runs the callbacks of its futures: {@code whenComplete}, {@code thenApply}, an executor's
 * {@code ExecutionCallback}, and so every {@code Future.fromCompletionStage} of Herald and of Vert.x's cluster manager.
 * Hazelcast never runs them on the thread that completes the future (a partition or I/O thread) but on its default
 * async executor: the JDK's common pool where that pool has more than one thread, and otherwise <em>a new thread per
 * callback</em>. The common pool has one thread wherever the JVM sees two CPUs or fewer (a small container, a
 * {@code taskset}, this project's machines): there every append and history read started a thread (JFR: 90 threads a
 * second in a fan-out of 100 events/s, 200 in ingest). {@link #install()} gives Hazelcast a fork-join pool of
 * {@value #THREADS} threads instead, the common pool it would use on a machine with three CPUs: the same hand-off
 * (a callback that waits on a {@code CompletableFuture} there gets a compensating thread, as in the common pool), no
 * thread per callback.
 *
 * <p>This is Hazelcast's internal API ({@code com.hazelcast.internal.util.ConcurrencyUtil}), read by its futures at
 * each callback: {@code HazelcastCallbacksTest} fails if an upgrade changes either.
 */
public final class HazelcastCallbacks {
    private static final Logger LOG = Logger.getLogger(HazelcastCallbacks.class.getName());
    static final int THREADS = 2;
    private static Executor pool;

    private HazelcastCallbacks() {
    }

    /**
     * Gives Hazelcast's futures a pool for their callbacks where the common pool has one thread (else leaves the common
     * pool); once per process, before the member starts. Answers the executor Hazelcast uses from now on.
     */
    public static synchronized Executor install() {
        if (pool == null && ForkJoinPool.getCommonPoolParallelism() <= 1) {
            ForkJoinPool threads = new ForkJoinPool(THREADS, forkJoin -> {
                ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(forkJoin);
                thread.setName("herald-hazelcast-callbacks-" + thread.getPoolIndex());
                return thread; // a daemon, as every fork-join worker
            }, null, true);
            ConcurrencyUtil.setDefaultAsyncExecutor(threads);
            pool = threads;
            LOG.fine("Hazelcast's future callbacks run on " + THREADS + " threads (the common pool has one)");
        }
        return ConcurrencyUtil.getDefaultAsyncExecutor();
    }
}
