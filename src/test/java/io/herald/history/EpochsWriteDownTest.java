package io.herald.history;

import io.herald.testing.OnOneMember;

import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionAwareKey;
import io.herald.cluster.ClusterWire;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A rollback: once a node of the previous release is in, the epochs put at version 2 are put again at version 1. On a real member. */
class EpochsWriteDownTest extends OnOneMember {
    @Test
    void epochsOfTheNewerVersionAreWrittenAgainInTheOlderOnly() throws Exception {
        IMap<PartitionAwareKey<String, String>, String> epochs = member.getMap("herald.epochs.test");
        epochs.put(HazelcastEventLog.epochKey("a"), "2:0abc12345wxyz");
        epochs.put(HazelcastEventLog.epochKey("b"), "0bcd12345wxyz");
        epochs.put(HazelcastEventLog.epochKey("c"), "9:0cde12345wxyz");
        List<String> types = List.of("a", "b", "c", "d");

        ClusterWire current = new ClusterWire(2);
        assertEquals(0, EpochValue.writeDown(epochs, types, current), "all nodes read 2: nothing to do");
        assertEquals("2:0abc12345wxyz", epochs.get(HazelcastEventLog.epochKey("a")));

        ClusterWire rollback = new ClusterWire(2); // a current node, once a node of the previous release joined
        rollback.update(List.of(new com.hazelcast.cluster.impl.MemberImpl.Builder(new com.hazelcast.cluster.Address("127.0.0.1", 5799))
                .uuid(java.util.UUID.randomUUID()).attributes(java.util.Map.of(io.herald.cluster.HeraldMembers.ATTRIBUTE, "true")).build()));
        assertEquals(1, rollback.writes());
        assertEquals(1, EpochValue.writeDown(epochs, types, rollback));
        assertEquals("0abc12345wxyz", epochs.get(HazelcastEventLog.epochKey("a")), "version 1: the bare epoch, the same id");
        assertEquals("0bcd12345wxyz", epochs.get(HazelcastEventLog.epochKey("b")));
        assertEquals("9:0cde12345wxyz", epochs.get(HazelcastEventLog.epochKey("c")), "a version it does not read is not its to rewrite");
        assertEquals(null, epochs.get(HazelcastEventLog.epochKey("d")));
    }
}
