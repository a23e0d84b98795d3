package io.herald.history;

import io.herald.WireVersion;
import io.herald.cluster.ClusterWire;

import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionAwareKey;

import java.util.Collection;

/**
 * An entry's value in the epochs map ({@code herald.epochs}): the epoch id as such in wire version 1 (the release
 * before the versioning), {@code "<version>:<epoch>"} from version 2 on (an epoch id is base-36 digits, never a colon).
 */
final class EpochValue {
    private EpochValue() {
    }

    /**
     * The epochs of {@code types} written in a newer version than {@code wire} writes now, written again in that
     * version (a compare-and-set each: a value changed meanwhile is left alone), so that a node of the previous release
     * that joins (a rollback) reads them. Answers how many it rewrote. Blocking.
     */
    static int writeDown(IMap<PartitionAwareKey<String, String>, String> epochs, Collection<String> types, ClusterWire wire) {
        int rewritten = 0;
        for (String type : types) {
            PartitionAwareKey<String, String> key = HazelcastEventLog.epochKey(type);
            String stored = epochs.get(key);
            int colon = stored == null ? -1 : stored.indexOf(':');
            if (colon < 0 || !stored.substring(0, colon).matches("\\d+") || Integer.parseInt(stored.substring(0, colon)) <= wire.writes()) {
                continue;
            }
            try {
                String epoch = decode(stored, wire);
                if (epochs.replace(key, stored, encode(wire.writes(), epoch))) {
                    rewritten++;
                }
            } catch (WireVersion.Unsupported refused) {
                // a version this node does not read: not its to rewrite
            }
        }
        return rewritten;
    }

    static String encode(int version, String epoch) {
        return version > WireVersion.PREVIOUS ? version + ":" + epoch : epoch;
    }

    /** The epoch id, if {@code wire} reads the value's version; else {@link WireVersion.Unsupported} (logged, counted). */
    static String decode(String value, ClusterWire wire) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            wire.read(WireVersion.PREVIOUS, "epoch");
            return value;
        }
        int version;
        try {
            version = Integer.parseInt(value.substring(0, colon));
        } catch (NumberFormatException e) {
            version = -1;
        }
        wire.read(version, "epoch");
        return value.substring(colon + 1);
    }
}
