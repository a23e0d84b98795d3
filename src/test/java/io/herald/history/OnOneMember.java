package io.herald.history;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.herald.testing.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/** The base of a test on one real Hazelcast member (a cluster of its own, on a free port): started before its first test, shut down after its last. */
abstract class OnOneMember {
    static HazelcastInstance member;

    @BeforeAll
    static void start() {
        int port = TestNodes.freePort();
        member = Hazelcast.newHazelcastInstance(TestNodes.hazelcast(TestNodes.uniqueClusterName(), port, List.of(port)));
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }
}
