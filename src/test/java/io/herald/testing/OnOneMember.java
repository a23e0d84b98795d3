package io.herald.testing;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/** The base of a test on one real Hazelcast member (a cluster of its own, on a free port): started before its first test, shut down after its last. */
public abstract class OnOneMember {
    protected static HazelcastInstance member;

    @BeforeAll
    public static void start() {
        int port = TestNodes.freePort();
        member = Hazelcast.newHazelcastInstance(TestNodes.hazelcast(TestNodes.uniqueClusterName(), port, List.of(port)));
    }

    @AfterAll
    public static void stop() {
        member.shutdown();
    }
}
