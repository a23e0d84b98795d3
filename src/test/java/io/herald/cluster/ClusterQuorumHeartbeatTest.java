package io.herald.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.herald.testing.Eventually;
import io.herald.testing.TestNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClusterQuorum#heardQuorumSince} rests on Hazelcast handing every heartbeat from a member to a split-brain
 * protection function that is {@code HeartbeatAware}, with the sender's cluster time: this fails if an upgrade stops
 * that. Two real members on loopback (two voters: the quorum is both).
 */
class ClusterQuorumHeartbeatTest {
    static HazelcastInstance first;
    static HazelcastInstance second;
    static ClusterQuorum firstQuorum;

    @BeforeAll
    static void start() {
        String cluster = TestNodes.uniqueClusterName();
        int a = TestNodes.freePort();
        int b = TestNodes.freePort();
        firstQuorum = new ClusterQuorum(0, 10_000);
        first = Hazelcast.newHazelcastInstance(member(cluster, a, List.of(a, b), firstQuorum));
        ClusterQuorum secondQuorum = new ClusterQuorum(0, 10_000);
        second = Hazelcast.newHazelcastInstance(member(cluster, b, List.of(a, b), secondQuorum));
        firstQuorum.bind(first);
        secondQuorum.bind(second);
    }

    static Config member(String cluster, int port, List<Integer> ports, ClusterQuorum quorum) {
        Config config = TestNodes.hazelcast(cluster, port, ports);
        HeraldMembers.mark(config);
        quorum.protect(config);
        return config;
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.getLifecycleService().terminate();
        }
        if (first != null) {
            first.getLifecycleService().terminate();
        }
    }

    @Test
    void aMemberHearsTheOthersHeartbeatsAndNothingOnceItIsGone() throws Exception {
        long now = firstQuorum.checkpoint();
        Eventually.assertEventually("a heartbeat from the other voter sent after the checkpoint",
                () -> firstQuorum.heardQuorumSince(now));
        assertTrue(firstQuorum.hasQuorum());

        second.getLifecycleService().terminate(); // a crash: still a voter, never heard from again
        second = null;
        long afterCrash = firstQuorum.checkpoint();
        Thread.sleep(3000); // three heartbeat intervals
        assertFalse(firstQuorum.heardQuorumSince(afterCrash), "nobody but itself heard from: one of two voters");
    }
}
