package io.herald;

import io.vertx.core.json.JsonObject;

/**
 * The versions of what Herald nodes send each other and keep in Hazelcast (event batches, history records, epochs,
 * presence, stats, connection reports, disconnects, append tasks): one number for all of them. A release reads its
 * own version and the one before ({@link #PREVIOUS}), and writes the older one until every Herald node of the cluster
 * advertises the newer ({@code io.herald.cluster.ClusterWire}), so two consecutive releases share a cluster.
 *
 * <p>Version 1 is what releases before the versioning wrote, with no marker; version 2 is the same content with an
 * explicit marker: a leading byte {@code 0x80 | version} on binary messages, a first field {@code "v":2} on JSON ones,
 * a {@code "2:"} prefix on the epochs map's values, a field of the append task. Anything newer than
 * {@link #CURRENT} is refused with {@link Unsupported}, logged and counted, never a crash.
 */
public final class WireVersion {
    /** The newest version this release reads and writes. */
    public static final int CURRENT = 2;
    /** The version of the release before, which this one still reads and writes. */
    public static final int PREVIOUS = 1;
    /** The version marker's field in JSON messages and records. */
    public static final String FIELD = "v";

    private WireVersion() {
    }

    /** The version a JSON message or record carries: its {@value #FIELD} field, 1 when absent. */
    public static int of(JsonObject json) {
        Object v = json.getValue(FIELD);
        if (v == null) {
            return PREVIOUS;
        }
        return v instanceof Number n ? n.intValue() : -1;
    }

    /** {@code json} marked with {@code version} when it is above 1 (version 1 carries no marker); answers {@code json}. */
    public static JsonObject mark(JsonObject json, int version) {
        if (version > PREVIOUS) {
            json.put(FIELD, version);
        }
        return json;
    }

    /** Checks a JSON message's version against what this release reads; answers the message. */
    public static JsonObject check(JsonObject json, String what) {
        check(of(json), what);
        return json;
    }

    /** Checks a version against what this release reads ({@link #PREVIOUS} to {@link #CURRENT}); answers it. */
    public static int check(int version, String what) {
        if (version < PREVIOUS || version > CURRENT) {
            throw new Unsupported(what, version, CURRENT);
        }
        return version;
    }

    /**
     * Checks the leading version byte of a binary task or answer (the append tasks): version 2 is the first that has
     * one, so the byte reads 2 to {@link #CURRENT}; answers it.
     */
    public static int checkLeadingByte(int version, String what) {
        if (version < 2) {
            throw new Unsupported(what, version, CURRENT);
        }
        return check(version, what);
    }

    /** A message or record of a version this node does not read: dropped, logged, counted; the node keeps serving. */
    public static final class Unsupported extends RuntimeException {
        private final int version;

        public Unsupported(String what, int version, int newestRead) {
            super(what + " of wire version " + version + " refused: this node reads versions " + PREVIOUS + " to " + newestRead
                    + " (a node of a newer release must write the older version while this one is in the cluster; see docs/cluster.md)",
                    null, false, false);
            this.version = version;
        }

        public int version() {
            return version;
        }
    }
}
