package io.herald.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import io.herald.WireVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterWireTest {
    private static int port = 5701;

    /** A member as Hazelcast lists it: a Herald node advertising {@code wire} (null: none, as the release before), or a JVM service. */
    static Member member(boolean herald, String wire) throws UnknownHostException {
        Map<String, String> attributes = new HashMap<>();
        if (herald) {
            attributes.put(HeraldMembers.ATTRIBUTE, "true");
        }
        if (wire != null) {
            attributes.put(ClusterWire.ATTRIBUTE, wire);
        }
        return new MemberImpl.Builder(new Address("127.0.0.1", port++)).uuid(UUID.randomUUID()).attributes(attributes).build();
    }

    @Test
    void writesTheLowestVersionTheHeraldNodesAdvertiseReEvaluatedOnEveryChange() throws Exception {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        Member current = member(true, "2");
        Member previous = member(true, null); // the release before the versioning advertises nothing
        Member service = member(false, null); // a JVM service joined with cluster.xml does not count

        wire.update(List.of(current, service));
        assertEquals(2, wire.writes(), "every Herald node reads 2");
        wire.update(List.of(current, previous, service));
        assertEquals(1, wire.writes(), "a node of the previous release joined: back to 1");
        wire.update(List.of(current, member(true, "1"), service));
        assertEquals(1, wire.writes(), "a node forced to 1");
        wire.update(List.of(current, member(true, "3")));
        assertEquals(2, wire.writes(), "a newer node does not raise this one past what it reads");
        wire.update(List.of(current, member(true, "garbage")));
        assertEquals(1, wire.writes(), "an attribute it cannot read counts as 1, the safe side");
        wire.update(List.of(current));
        assertEquals(2, wire.writes(), "the last old node left: 2 again");
    }

    @Test
    void aNodeForcedToTheOldVersionWritesItAdvertisesNothingAndReadsOnlyIt() throws Exception {
        ClusterWire forced = new ClusterWire(WireVersion.PREVIOUS);
        forced.update(List.of(member(true, "2"), member(true, "2")));
        assertEquals(1, forced.writes());
        Config config = new Config();
        forced.advertise(config);
        assertNull(config.getMemberAttributeConfig().getAttribute(ClusterWire.ATTRIBUTE), "as the release before: no attribute");
        assertFalse(forced.accepts(new JsonObject().put("v", 2), "stats snapshot"));
        assertTrue(forced.accepts(new JsonObject(), "stats snapshot"));

        ClusterWire current = new ClusterWire(WireVersion.CURRENT);
        current.advertise(config);
        assertEquals("2", config.getMemberAttributeConfig().getAttribute(ClusterWire.ATTRIBUTE));
    }

    @Test
    void marksJsonOnlyFromVersionTwoAndCountsWhatItReadsAndRefuses() throws Exception {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        assertEquals(new JsonObject().put("v", 2).put("node", "a"), wire.mark(new JsonObject()).put("node", "a"));
        wire.update(List.of(member(true, null)));
        assertEquals(new JsonObject().put("node", "a"), wire.mark(new JsonObject().put("node", "a")), "version 1 carries no marker");

        assertTrue(wire.accepts(new JsonObject().put("node", "a"), "presence delta"));
        assertTrue(wire.accepts(new JsonObject().put("v", 2), "presence delta"));
        assertFalse(wire.accepts(new JsonObject().put("v", 3), "presence delta"), "a future version is refused, not a crash");
        assertFalse(wire.accepts(new JsonObject().put("v", "two"), "presence delta"));
        WireVersion.Unsupported refused = assertThrows(WireVersion.Unsupported.class, () -> wire.read(9, "event batch"));
        assertTrue(refused.getMessage().contains("event batch of wire version 9 refused"), refused.getMessage());
        assertEquals(new JsonObject().put("reads", 2).put("writes", 1).put("read", new JsonObject().put("1", 1L).put("2", 1L))
                .put("refused", 3L), wire.toJson());
    }

    @Test
    void refusesAVersionOutsideWhatThisReleaseSpeaks() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterWire(0));
        assertThrows(IllegalArgumentException.class, () -> new ClusterWire(WireVersion.CURRENT + 1));
    }
}
