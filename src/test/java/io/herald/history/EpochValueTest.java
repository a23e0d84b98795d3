package io.herald.history;

import io.herald.WireVersion;
import io.herald.cluster.ClusterWire;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpochValueTest {
    @Test
    void versionOneIsTheBareEpochVersionTwoIsMarked() {
        String epoch = Epochs.newEpoch();
        assertEquals(epoch, EpochValue.encode(1, epoch));
        assertEquals("2:" + epoch, EpochValue.encode(2, epoch));
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        assertEquals(epoch, EpochValue.decode(epoch, wire));
        assertEquals(epoch, EpochValue.decode("2:" + epoch, wire));
    }

    @Test
    void refusesAFutureVersionAndANodeForcedToOneRefusesTwo() {
        ClusterWire wire = new ClusterWire(WireVersion.CURRENT);
        assertThrows(WireVersion.Unsupported.class, () -> EpochValue.decode("3:0abc12345wxyz", wire));
        assertThrows(WireVersion.Unsupported.class, () -> EpochValue.decode("x:0abc12345wxyz", wire));
        assertThrows(WireVersion.Unsupported.class, () -> EpochValue.decode("2:0abc12345wxyz", new ClusterWire(1)));
        assertEquals(2L, wire.toJson().getLong("refused"));
    }
}
