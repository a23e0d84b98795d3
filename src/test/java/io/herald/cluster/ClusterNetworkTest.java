package io.herald.cluster;

import com.hazelcast.config.Config;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterNetworkTest {
    @Test
    void aHostNameIsPinnedAsItsAddressNotLeftToHazelcast() {
        Config config = new Config();
        ClusterNetwork.bindTo(config, "localhost");
        assertEquals("false", config.getProperty(ClusterNetwork.BIND_ANY));
        assertTrue(config.getNetworkConfig().getInterfaces().isEnabled(), "a name (as Kubernetes gives) is pinned too");
        assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    }

    @Test
    void literalsAreKeptAndWildcardsAndUnknownNamesAreLeftAlone() {
        assertEquals("10.0.0.11", ClusterNetwork.ipv4Of("10.0.0.11"));
        assertNull(ClusterNetwork.ipv4Of("no-such-host.invalid"));
        assertNull(ClusterNetwork.ipv4Of(null));
        Config wildcard = new Config();
        ClusterNetwork.bindTo(wildcard, "0.0.0.0");
        assertFalse(wildcard.getNetworkConfig().getInterfaces().isEnabled());
    }
}
