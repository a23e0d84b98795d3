package io.herald.history;

import io.herald.WireVersion;
import io.herald.cluster.ClusterWire;

/**
 * An entry's value in the epochs map ({@code herald.epochs}): the epoch id as such in wire version 1 (the release
 * before the versioning), {@code "<version>:<epoch>"} from version 2 on (an epoch id is base-36 digits, never a colon).
 */
final class EpochValue {
    private EpochValue() {
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
