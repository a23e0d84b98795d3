package io.herald.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.herald.WireVersion;
import io.herald.log.LogLimiter;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * This node's side of the wire versions ({@link WireVersion}): the newest version it reads and advertises (the
 * release's, or {@code cluster.wireVersion} when forced lower), and the version it writes: the lowest any Herald node
 * of the cluster advertises, re-evaluated whenever a member joins or leaves. A node advertises with the member
 * attribute {@value #ATTRIBUTE}; a node of the release before the versioning sets none, which counts as version 1,
 * and so does a node forced to version 1 (it stands for that release: it also reads only version 1).
 *
 * <p>Counts what it reads per version and what it refuses, for {@code /ready}; a refusal is logged (throttled).
 */
public final class ClusterWire implements MembershipListener {
    private static final Logger LOG = Logger.getLogger(ClusterWire.class.getName());
    private static final LogLimiter LOGS = new LogLimiter(LOG);
    /** The member attribute with the newest wire version a Herald node reads (absent: 1). */
    public static final String ATTRIBUTE = "herald.wire";

    private final int max;
    private volatile int writes;
    private final LongAdder[] read = new LongAdder[WireVersion.CURRENT + 1];
    private final LongAdder refused = new LongAdder();
    private final java.util.List<java.util.function.IntConsumer> onChange = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code max}: the newest version this node reads and may write, {@link WireVersion#PREVIOUS}..{@link WireVersion#CURRENT}. */
    public ClusterWire(int max) {
        if (max < WireVersion.PREVIOUS || max > WireVersion.CURRENT) {
            throw new IllegalArgumentException("wire version " + max + " is outside " + WireVersion.PREVIOUS + ".." + WireVersion.CURRENT);
        }
        this.max = max;
        this.writes = max;
        for (int i = 0; i < read.length; i++) {
            read[i] = new LongAdder();
        }
    }

    /** Advertises this node's version on its member config, before the member starts (version 1 advertises nothing). */
    public void advertise(Config config) {
        if (max > WireVersion.PREVIOUS) {
            config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, Integer.toString(max));
        }
    }

    /** Follows the cluster's members from now on: writes the lowest version a Herald node advertises. */
    public ClusterWire watch(HazelcastInstance hazelcast) {
        hazelcast.getCluster().addMembershipListener(this);
        update(hazelcast.getCluster().getMembers());
        return this;
    }

    /** The version a Herald member reads, as it advertises it (none: 1). */
    static int advertised(Member member) {
        String value = member.getAttribute(ATTRIBUTE);
        if (value == null) {
            return WireVersion.PREVIOUS;
        }
        try {
            return Math.max(WireVersion.PREVIOUS, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return WireVersion.PREVIOUS;
        }
    }

    /** Writes the lowest version the Herald members read, never above this node's. */
    public void update(Collection<Member> members) {
        int lowest = max;
        for (Member member : members) {
            if (HeraldMembers.isHeraldNode(member)) {
                lowest = Math.min(lowest, advertised(member));
            }
        }
        int before = writes;
        writes = lowest;
        if (before != lowest) {
            int now = lowest;
            onChange.forEach(listener -> listener.accept(now));
            LOG.info("wire version: writing " + lowest + " (was " + before + "), the lowest the cluster's Herald nodes read; this node reads "
                    + WireVersion.PREVIOUS + ".." + max);
        }
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        update(event.getMembers());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        update(event.getMembers());
    }

    /** Called with the new version whenever the version to write changes (on Hazelcast's thread: must not block). */
    public void onChange(java.util.function.IntConsumer listener) {
        onChange.add(listener);
    }

    /** The version to write now. */
    public int writes() {
        return writes;
    }

    /** The newest version this node reads. */
    public int reads() {
        return max;
    }

    /**
     * Accepts a message of {@code version} if this node reads it (counted), or counts, logs and throws
     * {@link WireVersion.Unsupported}: the caller drops the message and keeps serving.
     */
    public int read(int version, String what) {
        if (version < WireVersion.PREVIOUS || version > max) {
            refused.increment();
            WireVersion.Unsupported refusal = new WireVersion.Unsupported(what, version, max);
            LOGS.warning("wire-refused-" + what, refusal.getMessage());
            throw refusal;
        }
        read[version].increment();
        return version;
    }

    /** {@code json} if this node reads its version (see {@link #read}). */
    public JsonObject check(JsonObject json, String what) {
        read(WireVersion.of(json), what);
        return json;
    }

    /** Whether this node reads {@code json}'s version (counted); a refusal is logged and counted, and the message dropped. */
    public boolean accepts(JsonObject json, String what) {
        try {
            check(json, what);
            return true;
        } catch (WireVersion.Unsupported refused) {
            return false;
        }
    }

    /** {@code json} with the marker of the version this node writes now. */
    public JsonObject mark(JsonObject json) {
        return WireVersion.mark(json, writes);
    }

    /** For {@code /ready}: {@code {"reads":2,"writes":1,"read":{"1":n,"2":m},"refused":r}}. */
    public JsonObject toJson() {
        JsonObject counts = new JsonObject();
        for (int v = WireVersion.PREVIOUS; v < read.length; v++) {
            counts.put(Integer.toString(v), read[v].sum());
        }
        return new JsonObject().put("reads", max).put("writes", writes).put("read", counts).put("refused", refused.sum());
    }
}
