package io.herald.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;

import java.util.logging.Logger;

/**
 * Which Hazelcast members are Herald nodes (JVM services joined with the same cluster.xml are members
 * too), and whether this node is the oldest of them: the one that takes in events published raw on
 * the bus, so that each becomes exactly one envelope. Hazelcast orders members by age the same way on
 * every member; the oldest changes only when it leaves.
 */
public final class HeraldMembers implements MembershipListener {
    private static final Logger LOG = Logger.getLogger(HeraldMembers.class.getName());
    /** The member attribute that marks a Herald node. */
    public static final String ATTRIBUTE = "herald.node";

    private final HazelcastInstance hazelcast;
    private volatile boolean oldest;

    private HeraldMembers(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    /** Marks the member a Herald node; call on its config before the member starts. */
    public static void mark(Config config) {
        config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, "true");
    }

    /** Whether the member is a Herald node (not a JVM service joined with the same cluster.xml). */
    public static boolean isHeraldNode(Member member) {
        return member.getAttribute(ATTRIBUTE) != null;
    }

    public static HeraldMembers watch(HazelcastInstance hazelcast) {
        HeraldMembers members = new HeraldMembers(hazelcast);
        hazelcast.getCluster().addMembershipListener(members);
        members.update();
        return members;
    }

    public boolean isOldestHeraldNode() {
        return oldest;
    }

    private void update() {
        Member local = hazelcast.getCluster().getLocalMember();
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.getAttribute(ATTRIBUTE) != null) {
                oldest = member.getUuid().equals(local.getUuid());
                return;
            }
        }
        oldest = false;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        update();
        log("joined", event);
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        update();
        log("left", event);
    }

    private static void log(String what, MembershipEvent event) {
        Member member = event.getMember();
        if ("joined".equals(what) && !isHeraldNode(member) && !member.isLiteMember()) {
            LOG.warning("cluster member " + member.getAddress() + " is a data member but not a Herald node: join JVM services as"
                    + " Hazelcast lite members (<lite-member enabled=\"true\"/> in their cluster.xml). When a partition heals,"
                    + " Hazelcast merges the side with fewer data members into the other, and a data member that is not a"
                    + " voter can make a side without the majority of Herald nodes the one that stays: its history then"
                    + " replaces what the majority acknowledged (docs/cluster.md, JVM services)");
        }
        LOG.info((member.getAttribute(ATTRIBUTE) != null ? "Herald node " : "cluster member (not a Herald node) ") + member.getUuid()
                + " at " + member.getAddress() + " " + what + " the cluster; " + event.getMembers().size() + " members now");
    }
}
