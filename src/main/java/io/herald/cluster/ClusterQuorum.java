package io.herald.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.splitbrainprotection.HeartbeatAware;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Whether this node may take events: it sees a majority of the cluster's <em>voting members</em>, and it holds its
 * <em>lease</em> (it has not just come back from a stall the cluster may have dropped it for).
 *
 * <p><b>Voting members</b> (Elasticsearch's voting configuration is the model): the Herald nodes the cluster has
 * agreed on, by Hazelcast address. The set grows as Herald nodes join; it shrinks only when a node leaves
 * gracefully (SIGTERM, {@code HeraldNode.close}: it removes itself from the replicated map {@code herald.voters}
 * before it leaves), never when a node crashes, stalls or is cut off. A quorum is a majority of it: a single dev
 * node is its own majority, three nodes need two, and a node cut off from the others (or resumed alone after a
 * stall) sees fewer and refuses: history and epochs carry Hazelcast split-brain protection with this quorum as
 * its function. {@code cluster.minMembers} above 0 replaces the voting members with a fixed minimum cluster size.
 *
 * <p><b>Lease</b>: a node frozen past the heartbeat timeout (SIGSTOP, a long GC pause, a VM migration) has been
 * dropped by the others, but does not know it when it resumes: its member list, and Hazelcast's heartbeat
 * bookkeeping (reset after a clock jump), still say it belongs. A daemon ticker notices the stall (no tick for
 * half the heartbeat timeout) and revokes the lease for a whole heartbeat timeout after the resume, by which time
 * the node has learnt from the others that it was dropped (quorum lost) or that it was not. Appends are checked
 * against quorum and lease before they start and again after they complete, so that nothing a node appended
 * while it was not a confirmed member is acknowledged.
 *
 * <p><b>Heard since</b> ({@link #checkpoint}, {@link #heardQuorumSince}): a node cut off by the network keeps its
 * member list, and so its quorum, until the heartbeat timeout and the master's decision have passed (12 s in the
 * soak, with a 10 s timeout: seed 41 delivered, at 11 s, an event the cut-off node held at a seq the majority gave to
 * another). What proves it is not cut off is positive: a heartbeat that a quorum of the voting members sent after a
 * given moment, addressed to this member (Hazelcast hands a function that is {@link HeartbeatAware} only heartbeats
 * from members of its list that name this member's current identity, with the sender's cluster time).
 */
public final class ClusterQuorum implements SplitBrainProtectionFunction, HeartbeatAware, MembershipListener {
    private static final Logger LOG = Logger.getLogger(ClusterQuorum.class.getName());
    /** Hazelcast's split-brain protection that history and epochs carry. */
    public static final String NAME = "herald-majority";
    /** The voting members' addresses, replicated with a backup; a graceful leave removes its own entry. */
    public static final String VOTERS_MAP = "herald.voters";
    private static final long TICK_MS = 200;
    /** How far two members' cluster clocks may disagree: a heartbeat counts as sent after a moment only this much later. */
    static final long CLOCK_MARGIN_MS = 1000;

    private final int minMembers;
    private final long stallNanos;
    private final long quarantineNanos;
    private final Set<String> voters = ConcurrentHashMap.newKeySet();
    /** Per Herald member's address: the cluster time at which it sent the latest heartbeat this member received. */
    private final java.util.Map<String, Long> heardAt = new ConcurrentHashMap<>();
    private volatile HazelcastInstance hazelcast;
    private volatile IMap<String, String> votersMap;
    private volatile String self;
    private volatile long lastTick = System.nanoTime();
    private volatile long leaseRevokedUntil = lastTick;
    private volatile boolean leaving;
    private volatile ScheduledExecutorService ticker;
    /** Cluster calls made from Hazelcast's listener threads, which must not block. */
    private final java.util.concurrent.ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "herald-voters");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * {@code minMembers} 0: the quorum is a majority of the voting members; above 0: at least that many members.
     * {@code heartbeatTimeoutMs}: Hazelcast's {@code max.no.heartbeat}: half of it without a tick is a stall, and
     * the lease stays revoked for all of it after one.
     */
    public long heartbeatTimeoutMs() {
        return TimeUnit.NANOSECONDS.toMillis(quarantineNanos);
    }

    /**
     * How long until what an append or a read told can be trusted: the heartbeat timeout and a second more, by when a
     * member that missed it has been dropped by the others and knows it is cut off.
     */
    public long settleMs() {
        return heartbeatTimeoutMs() + 1000;
    }

    public ClusterQuorum(int minMembers, long heartbeatTimeoutMs) {
        this.minMembers = minMembers;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1000, heartbeatTimeoutMs / 2));
        this.quarantineNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1000, heartbeatTimeoutMs));
    }

    /** The heartbeat timeout a member config sets ({@code hazelcast.max.no.heartbeat.seconds}, Hazelcast's default 60 s). */
    public static long heartbeatTimeoutMs(Config config) {
        String seconds = config.getProperty("hazelcast.max.no.heartbeat.seconds");
        try {
            return seconds == null ? 60_000 : Long.parseLong(seconds.trim()) * 1000;
        } catch (NumberFormatException e) {
            return 60_000;
        }
    }

    /** Sets the split-brain protection on the member's config, before it starts. */
    public void protect(Config config) {
        config.addSplitBrainProtectionConfig(new com.hazelcast.config.SplitBrainProtectionConfig(NAME, true)
                .setFunctionImplementation(this));
        // after a partition heals, the smaller side's view of the voters gives way (its own member re-adds itself)
        config.getMapConfig(VOTERS_MAP).setBackupCount(1)
                .setMergePolicyConfig(new MergePolicyConfig(DiscardMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
    }

    /** Once the member runs: registers this node as a voter, learns the others, and starts the stall ticker. Blocking. */
    public void bind(HazelcastInstance instance) {
        this.hazelcast = instance;
        this.self = instance.getCluster().getLocalMember().getAddress().toString();
        IMap<String, String> map = instance.getMap(VOTERS_MAP);
        this.votersMap = map;
        map.addEntryListener(new VoterListener(), false);
        instance.getCluster().addMembershipListener(this);
        voters.add(self);
        for (Member member : instance.getCluster().getMembers()) {
            if (HeraldMembers.isHeraldNode(member)) {
                voters.add(member.getAddress().toString());
            }
        }
        try {
            voters.addAll(map.keySet());
            map.set(self, instance.getCluster().getLocalMember().getUuid().toString());
        } catch (RuntimeException e) {
            LOG.warning("could not read or join the voting members (" + e + "); they are " + voters);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "herald-stall-detector");
            thread.setDaemon(true);
            return thread;
        });
        lastTick = System.nanoTime(); // starting the member took its time; that is no stall
        leaseRevokedUntil = lastTick;
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        awaitFirstVerdict(instance);
        LOG.info("voting members " + new TreeSet<>(voters) + (minMembers > 0 ? "; quorum overridden: cluster.minMembers " + minMembers : ""));
    }

    /**
     * Hazelcast's split-brain protection refuses everything until it has applied this function once: on a membership
     * change or at its first periodic check (one heartbeat interval after the member started). A lone node sees no
     * membership change, so its first publishes could fail; wait for that first check (rarely more than a second).
     */
    private void awaitFirstVerdict(HazelcastInstance instance) {
        java.util.concurrent.CompletableFuture<Void> decided = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.ScheduledFuture<?> poll = ticker.scheduleWithFixedDelay(() -> {
            try {
                if (instance.getSplitBrainProtectionService().getSplitBrainProtection(NAME).hasMinimumSize() || !hasQuorum()) {
                    decided.complete(null);
                }
            } catch (RuntimeException e) {
                decided.completeExceptionally(e);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        try {
            decided.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("history's split-brain protection has not decided yet (" + e + "); publishes may get 503 for a moment");
        } finally {
            poll.cancel(false);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long gap = now - lastTick;
        lastTick = now;
        if (gap > stallNanos) {
            leaseRevokedUntil = now + quarantineNanos;
            LOG.warning("this node stalled for " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms (the cluster may have dropped it):"
                    + " no event is acknowledged for " + TimeUnit.NANOSECONDS.toMillis(quarantineNanos) + " ms");
        }
    }

    /** Graceful leave: this node stops being a voter, so the others' quorum shrinks with it. Blocking. */
    public void leave() {
        leaving = true;
        IMap<String, String> map = votersMap;
        if (map != null && self != null) {
            try {
                map.remove(self);
            } catch (RuntimeException e) {
                LOG.warning("could not leave the voting members: " + e);
            }
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        background.shutdownNow();
    }

    // ---- the answers

    /** The node sees a quorum of the voting members (or {@code minMembers} members) and holds its lease. */
    public boolean mayAcknowledge() {
        return holdsLease() && hasQuorum();
    }

    /** Not stalled now (the ticker ran lately) nor within a heartbeat timeout after a stall. */
    public boolean holdsLease() {
        long now = System.nanoTime();
        return !leaving && (ticker == null || now - lastTick < stallNanos) && now - leaseRevokedUntil >= 0;
    }

    /** The node's own member list holds a quorum. */
    public boolean hasQuorum() {
        HazelcastInstance instance = hazelcast;
        if (instance == null) {
            return true;
        }
        try {
            return apply(instance.getCluster().getMembers());
        } catch (RuntimeException notRunning) {
            return false;
        }
    }

    @Override
    public boolean apply(Collection<Member> members) {
        if (minMembers > 0) {
            return members.size() >= minMembers;
        }
        Set<String> known = voters;
        if (known.isEmpty()) {
            return true; // not bound yet: the member is starting
        }
        int present = 0;
        for (Member member : members) {
            if (known.contains(member.getAddress().toString())) {
                present++;
            }
        }
        return present >= known.size() / 2 + 1;
    }

    public Set<String> voters() {
        return new TreeSet<>(voters);
    }

    public int quorumSize() {
        return minMembers > 0 ? minMembers : voters.size() / 2 + 1;
    }

    public int minMembers() {
        return minMembers;
    }

    /**
     * Also makes Hazelcast evaluate apply() every heartbeat interval, not only on membership changes: the voting members
     * change by themselves (a graceful leave) and a stale answer must not last.
     */
    @Override
    public void onHeartbeat(Member member, long timestamp) {
        if (!member.localMember() && HeraldMembers.isHeraldNode(member)) {
            heardAt.merge(member.getAddress().toString(), timestamp, Math::max);
        }
    }

    /** Now, on the cluster's clock: a moment to ask {@link #heardQuorumSince} about later. */
    public long checkpoint() {
        HazelcastInstance instance = hazelcast;
        if (instance != null) {
            try {
                return instance.getCluster().getClusterTime();
            } catch (RuntimeException notRunning) {
                // fall through
            }
        }
        return System.currentTimeMillis();
    }

    /**
     * Whether a quorum of the voting members (this one included; with {@code minMembers}, that many Herald members)
     * sent this member a heartbeat after {@code checkpoint} (plus {@link #CLOCK_MARGIN_MS}): this member was then still
     * connected to them and one of their cluster, so what it appended or read before the checkpoint is the cluster's.
     */
    public boolean heardQuorumSince(long checkpoint) {
        if (hazelcast == null) {
            return true;
        }
        long after = checkpoint + CLOCK_MARGIN_MS;
        int heard = 1; // this member
        if (minMembers > 0) {
            for (Member member : hazelcast.getCluster().getMembers()) {
                Long sent = member.localMember() ? null : heardAt.get(member.getAddress().toString());
                if (sent != null && sent >= after) {
                    heard++;
                }
            }
            return heard >= minMembers;
        }
        Set<String> known = voters;
        for (String voter : known) {
            Long sent = heardAt.get(voter);
            if (sent != null && sent >= after && !voter.equals(self)) {
                heard++;
            }
        }
        return heard >= known.size() / 2 + 1;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        Member member = event.getMember();
        if (HeraldMembers.isHeraldNode(member) && voters.add(member.getAddress().toString())) {
            LOG.info("voting members now " + new TreeSet<>(voters));
        }
        // after a merge this side's copy of the map gave way: put this node back (it is one of the majority now)
        reassert();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        heardAt.remove(event.getMember().getAddress().toString()); // a member that comes back on the address is heard again
        // a crash, a stall or a partition leaves the voting members as they are; only a graceful leave (the
        // member removing its own entry, seen by the listener) shrinks them. The absence of an entry proves
        // nothing: a cut-off side may simply not hold the partition that kept it.
    }

    private void reassert() {
        IMap<String, String> map = votersMap;
        HazelcastInstance instance = hazelcast;
        if (map == null || instance == null || leaving) {
            return;
        }
        background.execute(() -> {
            try {
                map.set(self, instance.getCluster().getLocalMember().getUuid().toString());
                voters.addAll(map.keySet());
            } catch (RuntimeException e) {
                LOG.fine("could not re-register as a voting member: " + e);
            }
        });
    }

    private final class VoterListener implements EntryAddedListener<String, String>, EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            voters.add(event.getKey());
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            if (!event.getKey().equals(self) && voters.remove(event.getKey())) {
                LOG.info(event.getKey() + " left the voting members; now " + new TreeSet<>(voters));
            }
        }
    }
}
