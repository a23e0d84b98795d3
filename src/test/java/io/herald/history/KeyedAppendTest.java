package io.herald.history;

import io.herald.event.EventRecord;
import io.herald.testing.TestNodes;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.Ringbuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys checked inside the append on a real member: an owner learns the keys of records it did not append (another
 * owner's, before a member left) from the ring, and forgets them when the ring begins again.
 */
class KeyedAppendTest {
    static HazelcastInstance member;

    @BeforeAll
    static void start() {
        int port = TestNodes.freePort();
        Config config = TestNodes.hazelcast(TestNodes.uniqueClusterName(), port, List.of(port));
        KeyedAppend.install(config, 600_000, 1000);
        member = Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }

    static String record(String id, String key) {
        return EventRecord.encode(io.herald.WireVersion.CURRENT, id, System.currentTimeMillis(), "{}", null, null, null, false, key, key == null ? null : "h-" + key);
    }

    static KeyIndex.Answer append(String ring, boolean again, String... idsAndKeys) throws Exception {
        List<String> records = new java.util.ArrayList<>();
        List<String> ids = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        List<String> hashes = new java.util.ArrayList<>();
        for (int i = 0; i < idsAndKeys.length; i += 2) {
            records.add(record(idsAndKeys[i], idsAndKeys[i + 1]));
            ids.add(idsAndKeys[i]);
            keys.add(idsAndKeys[i + 1]);
            hashes.add(idsAndKeys[i + 1] == null ? null : "h-" + idsAndKeys[i + 1]);
        }
        KeyedAppend task = new KeyedAppend(ring, SerializedRecords.of(member, records), ids, keys, hashes, System.currentTimeMillis(), again);
        task.setHazelcastInstance(member);
        return task.call().answer();
    }

    @Test
    void anOwnerLearnsTheKeysOfRecordsAppendedByAnother() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-learn");
        // appended as another owner did before it left: the records carry their keys, this member's index has none
        ring.addAllAsync(List.of(record("a", "k-a"), record("b", null), record("c", "k-c")), com.hazelcast.ringbuffer.OverflowPolicy.OVERWRITE)
                .toCompletableFuture().get();
        KeyIndex.Answer answer = append(ring.getName(), false, "x", "k-c", "y", "k-y", "z", null);
        assertArrayEquals(new long[]{2, 3, 4}, answer.seqs());
        assertArrayEquals(new String[]{"c", "y", "z"}, answer.ids());
        assertEquals(5, ring.size(), "only y and z appended");
        // an append without a key by another path meanwhile, then a repeat: still known
        ring.add(record("w", null));
        assertArrayEquals(new String[]{"y"}, append(ring.getName(), false, "y2", "k-y").ids());
        assertEquals(6, ring.size());
    }

    @Test
    void aRetryThatLandedBeforeIsAnsweredWhereItIs() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-retry-keyed");
        KeyIndex.Answer first = append(ring.getName(), false, "p", null, "q", "k-q");
        KeyIndex.Answer again = append(ring.getName(), true, "p", null, "q", "k-q");
        assertArrayEquals(first.seqs(), again.seqs());
        assertArrayEquals(new String[]{"p", "q"}, again.ids(), "its own events, not a repeat's answer");
        assertEquals(2, ring.size());
    }

    @Test
    void aRingThatBeganAgainForgetsItsKeys() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-lost");
        append(ring.getName(), false, "a", "k1", "b", "k2", "c", "k3");
        ring.destroy(); // lost with its backup
        Ringbuffer<String> again = member.getRingbuffer("herald.events.test-lost");
        assertArrayEquals(new String[]{"a2"}, append(again.getName(), false, "a2", "k1").ids(), "k1 publishes again in the new stream");
        assertEquals(1, again.size());
    }

    @Test
    void aRingThatBeganAgainAndGrewPastWhereTheIndexStoppedForgetsItsKeysToo() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-lost-longer");
        append(ring.getName(), false, "a", "k1", "b", "k2");
        ring.destroy();
        Ringbuffer<String> again = member.getRingbuffer("herald.events.test-lost-longer");
        again.addAllAsync(List.of(record("x", null), record("y", null), record("z", null)), com.hazelcast.ringbuffer.OverflowPolicy.OVERWRITE)
                .toCompletableFuture().get();
        assertArrayEquals(new String[]{"b2"}, append(again.getName(), false, "b2", "k2").ids(), "another event where the index stopped");
        assertEquals(4, again.size());
    }

    @Test
    void aRingWhosePartitionMovedAwayIsForgottenAndLearnedAgainFromHistory() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-moved");
        append(ring.getName(), false, "a", "k-a");
        KeyedAppend.Indexes indexes = (KeyedAppend.Indexes) member.getUserContext().get(KeyedAppend.Indexes.NAME);
        int partition = member.getPartitionService().getPartition(ring.getName()).getPartitionId();
        KeyIndex index = indexes.of(ring.getName(), partition);
        assertEquals(1, index.size());
        indexes.forget(partition);
        assertTrue(index.stale(), "forgotten when its partition moved away (at its next use, under its lock)");
        assertArrayEquals(new String[]{"a"}, append(ring.getName(), false, "b", "k-a").ids(), "learned again from history");
        assertEquals(1, ring.size());
    }

    @Test
    void theTaskAndItsAnswerCrossTheWireWhole() {
        var serialization = ((com.hazelcast.spi.impl.SerializationServiceSupport) member).getSerializationService();
        KeyedAppend task = new KeyedAppend("herald.events.x", SerializedRecords.of(member, List.of(record("a", "k"), record("b", null))),
                List.of("a", "b"), Arrays.asList("k", null), Arrays.asList("h-k", null), 42, true);
        KeyedAppend copy = serialization.toObject(serialization.toData(task));
        copy.setHazelcastInstance(member);
        assertEquals((Object) serialization.toData(task), serialization.toData(copy));
        KeyedAppend.Result answer = KeyedAppend.Result.of(new KeyIndex.Answer(new long[]{3, -1}, new String[]{"a", null}));
        KeyedAppend.Result back = serialization.toObject(serialization.toData(answer));
        assertArrayEquals(new long[]{3, -1}, back.answer().seqs());
        assertArrayEquals(new String[]{"a", null}, back.answer().ids());
    }

    @Test
    void anIndexIsForgottenWhenItsPartitionMovesToAMemberThatJoins() throws Exception {
        String cluster = TestNodes.uniqueClusterName();
        int portA = TestNodes.freePort();
        int portB = TestNodes.freePort();
        Config configA = TestNodes.hazelcast(cluster, portA, List.of(portA, portB));
        KeyedAppend.install(configA, 600_000, 1000);
        HazelcastInstance first = Hazelcast.newHazelcastInstance(configA);
        HazelcastInstance second = null;
        try {
            List<String> rings = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "herald.events.moved-" + i).toList();
            for (String ring : rings) {
                KeyedAppend task = new KeyedAppend(ring, SerializedRecords.of(first, List.of(record("e-" + ring, "k"))), List.of("e-" + ring),
                        Arrays.asList("k"), Arrays.asList("h-k"), System.currentTimeMillis(), false);
                task.setHazelcastInstance(first);
                task.call();
            }
            Config configB = TestNodes.hazelcast(cluster, portB, List.of(portA, portB));
            KeyedAppend.install(configB, 600_000, 1000);
            second = Hazelcast.newHazelcastInstance(configB);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!first.getPartitionService().isClusterSafe() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            KeyedAppend.Indexes indexes = (KeyedAppend.Indexes) first.getUserContext().get(KeyedAppend.Indexes.NAME);
            int moved = 0;
            for (String ring : rings) {
                var partition = first.getPartitionService().getPartition(ring);
                boolean stillHere = partition.getOwner().localMember();
                moved += stillHere ? 0 : 1;
                assertEquals(!stillHere, indexes.of(ring, partition.getPartitionId()).stale(), ring);
            }
            assertTrue(moved > 0, "some of 30 rings moved to the member that joined");
            // the new owner learns the key from history: the repeat gets the first event
            String ring = rings.stream().filter(r -> !first.getPartitionService().getPartition(r).getOwner().localMember()).findFirst().orElseThrow();
            KeyedAppend repeat = new KeyedAppend(ring, SerializedRecords.of(second, List.of(record("again", "k"))), List.of("again"),
                    Arrays.asList("k"), Arrays.asList("h-k"), System.currentTimeMillis(), false);
            repeat.setHazelcastInstance(second);
            assertArrayEquals(new String[]{"e-" + ring}, repeat.call().answer().ids());
        } finally {
            if (second != null) {
                second.shutdown();
            }
            first.shutdown();
        }
    }

    @Test
    void aMemberWithoutIndexesRefuses() throws Exception {
        int port = TestNodes.freePort();
        HazelcastInstance plain = Hazelcast.newHazelcastInstance(TestNodes.hazelcast(TestNodes.uniqueClusterName(), port, List.of(port)));
        try {
            KeyedAppend task = new KeyedAppend("herald.events.x", SerializedRecords.of(plain, List.of(record("a", "k"))), List.of("a"),
                    Arrays.asList("k"), Arrays.asList("h-k"), System.currentTimeMillis(), false);
            task.setHazelcastInstance(plain);
            assertTrue(assertThrows(IllegalStateException.class, task::call).getMessage().contains("keeps no idempotency keys"));
            assertTrue(!KeyedAppend.runsOn(plain.getCluster().getLocalMember()));
            assertTrue(KeyedAppend.runsOn(member.getCluster().getLocalMember()));
        } finally {
            plain.shutdown();
        }
    }
}
