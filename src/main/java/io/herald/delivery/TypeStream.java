package io.herald.delivery;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.event.BusEvent;
import io.herald.event.EventBatch;
import io.herald.event.EventRecord;
import io.herald.history.EventLog;
import io.herald.history.HistoryPage;
import io.herald.history.StreamPosition;
import io.herald.log.LogLimiter;
import io.herald.Counters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * One event type's delivery on one event loop: the stage between the bus and the sockets that releases
 * the type's events strictly in {@code seq} order, with none missing, and recovers subscribers from
 * history through the same order.
 *
 * <ul>
 * <li>It starts at the stream's tail (read from history when the first subscriber registers) and
 * releases each event once the one before it was released. An event that comes early (published on
 * another node or event loop, or its predecessor lost on the bus) is held; a gap that lasts
 * {@code holdMs} is filled from history. A periodic look at the stream's tail finds events whose bus
 * message never came even when nothing follows them.</li>
 * <li>A subscriber that registers with {@code since} reads the events after it from history up to
 * the last one released here, while the live events released meanwhile wait in its backlog; then it
 * gets the backlog and joins the live subscribers. Both are streamed in pages that wait for its socket to
 * drain ({@link Replay}). So replayed and live events cannot interleave
 * wrongly, and nothing is missing or doubled.</li>
 * <li>Events of an older epoch are dropped; an event of a newer epoch means the stream was lost and
 * started again, and delivery follows the new one from its first event.</li>
 * </ul>
 * Touched only on its bridge's event loop.
 */
public final class TypeStream {
    private static final Logger LOG = Logger.getLogger(TypeStream.class.getName());
    /** Its warnings repeat while history is unreachable: one line per kind and type every few seconds. */
    private static final LogLimiter NOTABLE = new LogLimiter(LOG);
    private static final Subscription[] NONE = new Subscription[0];
    /** Early events held at most while a gap cannot be filled (history unreachable); past that the gap is given up. */
    static final int MAX_EARLY = 10_000;

    private final String type;
    private final String ownerField;
    private final Vertx vertx;
    private final EventLog log;
    private final Fanout fanout;
    private final Counters stats;
    private final DeliveryOptions options;
    private final MessageConsumer<EventBatch> consumer;
    /** The event loop the stream runs on (it is made there). */
    private final Context context;
    private final long tailTimer;
    /** Completes once the stream's start position is known: a subscriber registered before gets every later event. */
    private final Promise<Void> started = Promise.promise();

    /** Null until the stream's position is known. */
    private String epoch;
    /** The next seq to release. */
    private long next;
    /** The highest seq known to exist (from the bus or the stream's tail). */
    private long knownTail;
    /**
     * The highest seq an acknowledged append announced on the bus: it and every seq below it are in the majority's
     * history (appends of one stream are ordered and backed up in order), so they may be read from history.
     */
    private long announcedTail;
    /** The highest tail this node read from history and still read as confirmed {@link EventLog#settleMs} later. */
    private long confirmedTail;
    /** Tails read from history that are not yet old enough to be confirmed: {time ms, tail}. */
    private final java.util.ArrayDeque<long[]> tailSamples = new java.util.ArrayDeque<>();
    private final TreeMap<Long, BusEvent> early = new TreeMap<>();
    private List<EventBatch> beforeStart = new ArrayList<>();
    private long holdTimer = -1;
    private boolean filling;
    private boolean checkingTail;
    private boolean closed;
    /** Bumped when the stall watch starts the stream afresh: answers to history calls made before it are ignored. */
    private int run;
    /** When delivery last moved or had nothing to wait for (monotonic ms): the stall watch's reference. */
    private long progressAt = System.nanoTime() / 1_000_000;
    /** The timer that closes the stream once it has had no subscriber for lingerMs, or -1. */
    long lingerTimer = -1;

    /** Live subscribers; rebuilt on (rare) changes so the (frequent) delivery loop allocates nothing. */
    private Subscription[] members = NONE;
    private final List<Subscription> recovering = new ArrayList<>();
    private final List<Waiting> waitingForStart = new ArrayList<>();
    /** History as this stream's replays read it: once for all of them, while any runs (a reconnect storm). */
    private final ReplayCache replayCache;
    /** The subscribers' distinct filters (normalized text → group): each evaluated once per event. */
    private final java.util.Map<String, FilterGroup> filterGroups = new java.util.HashMap<>();

    private record Waiting(Subscription subscription, RegisterFrame.Resume resume) {
    }

    /**
     * How long an early event may wait for the ones before it, how often the stream's tail is checked,
     * how long a stream without subscribers stays open (so that churning subscribers do not
     * register and unregister a clustered consumer each time), and the most events one recovery replays
     * (a longer gap is recovery_incomplete); replays go in pages of {@code replayPageBytes}, within the node's
     * {@code replayBudget}; how long delivery may make no progress while events wait before its subscribers are
     * closed to recover elsewhere ({@code stallMs}, at least three settle times).
     */
    public record DeliveryOptions(long holdMs, long tailCheckMs, long lingerMs, int maxRecoveryEvents, int replayPageBytes,
                           ReplayBudget replayBudget, long stallMs) {
        /** A replay page when the outbound bound does not say less. */
        static final int REPLAY_PAGE_BYTES = 256 * 1024;
        /** {@code delivery.stallMs}'s default. */
        static final long STALL_MS = 30_000;

        DeliveryOptions(long holdMs, long tailCheckMs, long lingerMs, int maxRecoveryEvents) {
            this(holdMs, tailCheckMs, lingerMs, maxRecoveryEvents, REPLAY_PAGE_BYTES, new ReplayBudget(64L << 20));
        }

        public DeliveryOptions(long holdMs, long tailCheckMs, long lingerMs, int maxRecoveryEvents, int replayPageBytes,
                               ReplayBudget replayBudget) {
            this(holdMs, tailCheckMs, lingerMs, maxRecoveryEvents, replayPageBytes, replayBudget, STALL_MS);
        }

        /** Replay pages of a quarter of the outbound bound at most, so a replay never makes a reading client a slow consumer. */
        public static int replayPageBytes(int maxOutboundBytes) {
            return Math.max(1024, Math.min(REPLAY_PAGE_BYTES, maxOutboundBytes / 4));
        }
    }

    TypeStream(String type, String ownerField, Vertx vertx, EventLog log, Fanout fanout, Counters stats, DeliveryOptions options) {
        this.type = type;
        this.ownerField = ownerField;
        this.vertx = vertx;
        this.log = log;
        this.fanout = fanout;
        this.stats = stats;
        this.options = options;
        this.context = vertx.getOrCreateContext();
        this.replayCache = new ReplayCache(new ReplayCache.Source() {
            @Override
            public Future<HistoryPage> read(long fromSeq, int limit) {
                return bounded(log.read(type, fromSeq, limit));
            }

            @Override
            public BusEvent decode(HistoryPage.Stored stored) {
                return TypeStream.this.decode(stored);
            }

            @Override
            public String frameText(BusEvent event) {
                return BridgeFrames.rec(type, event.envelope());
            }
        }, options.replayPageBytes());
        this.consumer = vertx.eventBus().consumer(Addresses.delivery(type), message -> {
            EventBatch batch;
            try {
                batch = message.body();
            } catch (io.herald.WireVersion.Unsupported refused) {
                checkTail(); // logged and counted by the codec; the stream fills the gap from history
                return;
            }
            onBatch(batch);
        });
        consumer.completion().onComplete(registered -> start());
        this.tailTimer = fanout.timers.setPeriodic(options.tailCheckMs(), () -> {
            watchProgress();
            checkTail();
        });
    }

    boolean isEmpty() {
        return members.length == 0 && recovering.isEmpty() && waitingForStart.isEmpty();
    }

    void close() {
        closed = true;
        replayCache.clear();
        consumer.unregister();
        fanout.timers.cancelTimer(tailTimer);
        if (holdTimer >= 0) {
            fanout.timers.cancelTimer(holdTimer);
        }
    }

    // ---- subscribers

    /** Adds a subscriber; the future completes when the stream knows where it starts (at once, once it runs). */
    Future<Void> subscribe(Subscription subscription, RegisterFrame.Resume resume) {
        joinGroup(subscription);
        if (resume == null) {
            addMember(subscription);
        } else if (epoch == null) {
            waitingForStart.add(new Waiting(subscription, resume));
        } else {
            recover(subscription, resume);
        }
        return started.future();
    }

    /**
     * Drops every subscriber at once (node shutdown), in time linear in their number, where unsubscribing
     * them one by one would copy the member array each time; answers how many there were.
     */
    int dropAll() {
        int dropped = members.length + recovering.size() + waitingForStart.size();
        for (Subscription member : members) {
            member.cancelled = true;
        }
        recovering.forEach(subscription -> subscription.cancelled = true);
        waitingForStart.forEach(waiting -> waiting.subscription().cancelled = true);
        members = NONE;
        recovering.clear();
        waitingForStart.clear();
        replayCache.clear();
        filterGroups.clear();
        return dropped;
    }

    void unsubscribe(Subscription subscription) {
        if (!subscription.cancelled) {
            leaveGroup(subscription);
        }
        subscription.cancelled = true;
        if (recovering.remove(subscription) && recovering.isEmpty()) {
            replayCache.clear();
        }
        waitingForStart.removeIf(w -> w.subscription() == subscription);
        int index = Arrays.asList(members).indexOf(subscription);
        if (index >= 0) {
            Subscription[] shrunk = new Subscription[members.length - 1];
            System.arraycopy(members, 0, shrunk, 0, index);
            System.arraycopy(members, index + 1, shrunk, index, members.length - index - 1);
            members = shrunk;
        }
    }

    /** A second register without {@code since}: the subscription keeps its place (live, or the rest of its replay) with another filter. */
    void refilter(Subscription subscription, io.herald.delivery.filter.EventFilter filter) {
        if (subscription.cancelled) {
            return; // dropped (a stall closed it): its group is gone with the others
        }
        leaveGroup(subscription);
        subscription.filter = filter;
        joinGroup(subscription);
    }

    /** Puts the subscription in the group of its filter (made for the first with that filter); none when unfiltered. */
    private void joinGroup(Subscription subscription) {
        if (subscription.filter == null) {
            subscription.group = null;
            return;
        }
        FilterGroup group = filterGroups.computeIfAbsent(subscription.filter.normalized(), f -> new FilterGroup(subscription.filter));
        group.subscribers++;
        subscription.group = group;
    }

    private void leaveGroup(Subscription subscription) {
        FilterGroup group = subscription.group;
        if (group != null && --group.subscribers == 0) {
            filterGroups.remove(group.filter.normalized());
        }
        // the subscription keeps pointing at its group: a fan-out loop that still holds it filters it the same
    }

    /** The distinct filters of the stream's subscribers (the unit tests read it). */
    int filterGroupCount() {
        return filterGroups.size();
    }

    private void addMember(Subscription subscription) {
        Subscription[] grown = Arrays.copyOf(members, members.length + 1);
        grown[grown.length - 1] = subscription;
        members = grown;
    }

    // ---- ordered release

    private void start() {
        int at = run;
        bounded(log.position(type)).onComplete(read -> {
            if (closed || at != run) {
                return;
            }
            if (read.failed()) {
                NOTABLE.warning("position:" + type, "delivery of " + type + " cannot read the stream's position, retrying: " + read.cause());
                // registers go on (the connection is not held paused); delivery starts once the position is known
                started.tryComplete();
                fanout.timers.setTimer(options.holdMs(), () -> {
                    if (at == run) {
                        start();
                    }
                });
                return;
            }
            StreamPosition position = read.result();
            epoch = position.epoch();
            next = position.tail() + 1;
            knownTail = position.tail();
            announcedTail = position.tail();
            List<EventBatch> held = beforeStart;
            beforeStart = null;
            held.forEach(this::onBatch);
            List<Waiting> waiting = new ArrayList<>(waitingForStart);
            waitingForStart.clear();
            waiting.forEach(w -> recover(w.subscription(), w.resume()));
            started.tryComplete();
        });
    }

    private void onBatch(EventBatch batch) {
        stats.busBatch(batch.events().size());
        if (epoch == null) {
            if (beforeStart.size() < MAX_EARLY) { // past that, the gap is filled from history once started
                beforeStart.add(batch);
            }
            return;
        }
        if (!batch.epoch().equals(epoch)) {
            // history, not the bus, says which epoch the stream is in: a late message of a replaced stream, or one from
            // a node that appended to a private copy of history (resumed alone after a stall) must not move delivery
            checkTail();
            return;
        }
        for (BusEvent event : batch.events()) {
            announcedTail = Math.max(announcedTail, event.seq());
            if (event.seq() == next && early.isEmpty()) {
                release(event);
            } else if (event.seq() >= next) {
                early.put(event.seq(), event);
                knownTail = Math.max(knownTail, event.seq());
            }
        }
        releaseInOrder();
    }

    private void release(BusEvent event) {
        next = event.seq() + 1;
        progressAt = now();
        knownTail = Math.max(knownTail, event.seq());
        fanout.deliver(type, members, event);
        for (Subscription subscription : recovering) {
            subscription.holdBack(event);
        }
    }

    private void releaseInOrder() {
        while (!early.isEmpty() && early.firstKey() <= next) {
            BusEvent event = early.pollFirstEntry().getValue();
            if (event.seq() == next) {
                release(event);
            }
        }
        if (next > deliverableTail() || filling) {
            return; // nothing missing, or only what history holds but cannot yet vouch for (the tail check comes back)
        }
        if (early.size() > MAX_EARLY) {
            // too much waits behind the gap to wait out the hold: read it now
            if (holdTimer >= 0) {
                fanout.timers.cancelTimer(holdTimer);
                holdTimer = -1;
            }
            fillGap();
        } else if (holdTimer < 0) {
            holdTimer = fanout.timers.setTimer(options.holdMs(), () -> {
                holdTimer = -1;
                fillGap();
            });
        }
    }

    /** History could not be read while too much waits behind a gap: skip to what is held, losing the missing events. */
    private void giveUpGap() {
        if (early.size() <= MAX_EARLY) {
            return;
        }
        long lost = early.firstKey() - next;
        stats.gapLost(lost);
        NOTABLE.warning("gave-up:" + type, "delivery of " + type + " gave up " + lost + " events it could neither get from the bus nor from history");
        next = early.firstKey();
    }

    /**
     * How far delivery may read history: what acknowledged appends announced, or what this node read there and still
     * read, confirmed, a settle time later. Not simply the tail: a node that owns a stream's partition holds an append's
     * records before their backup answers, and a node cut off without knowing it yet holds records the majority never
     * gets (issue 22, seed 42: a cut-off owner delivered an unacknowledged event at a seq the majority gave to another).
     */
    private long deliverableTail() {
        return Math.min(knownTail, Math.max(announcedTail, confirmedTail));
    }

    /** Reads the events the bus has not brought from history, and releases them with those held early. */
    private void fillGap() {
        long limit = deliverableTail();
        if (closed || filling || epoch == null || next > limit || !log.confirmed()) {
            return; // unconfirmed: this node's history may be a copy the cluster no longer counts; the tail check retries
        }
        filling = true;
        long from = next;
        String readingEpoch = epoch;
        int at = run;
        bounded(log.read(type, from, (int) Math.min(EventLog.MAX_READ, limit - from + 1))).onComplete(read -> {
            filling = false;
            if (closed || at != run) {
                return;
            }
            if (read.failed()) {
                NOTABLE.warning("fill:" + type, "delivery of " + type + " cannot read history to fill seq " + from + ".." + knownTail + ": " + read.cause());
                giveUpGap();
                releaseInOrder();
                return;
            }
            HistoryPage page = read.result();
            if (!readingEpoch.equals(epoch) || !page.position().epoch().equals(epoch)) {
                if (readingEpoch.equals(epoch)) {
                    restart(page.position().epoch());
                }
                releaseInOrder();
                return;
            }
            long before = next;
            long lost = 0;
            while (next < page.position().head() && next <= limit) {
                BusEvent held = early.remove(next);
                if (held != null) {
                    release(held);
                } else {
                    lost++;
                    next++;
                }
            }
            long filled = 0;
            for (HistoryPage.Stored stored : page.events()) {
                if (stored.seq() > limit) {
                    break;
                }
                if (stored.seq() != next) {
                    continue;
                }
                BusEvent held = early.remove(stored.seq());
                if (held == null) {
                    try {
                        held = decode(stored);
                    } catch (io.herald.WireVersion.Unsupported refused) {
                        lost++; // a record of a newer wire version than this node reads (logged): skipped as history lost
                        next++;
                        continue;
                    }
                    filled++;
                }
                release(held);
            }
            if (lost > 0) {
                stats.gapLost(lost);
                NOTABLE.warning("skipped:" + type, "delivery of " + type + " skipped " + lost + " events that history no longer holds");
            }
            stats.gapFilled(filled);
            if (next > before && next <= deliverableTail() && early.isEmpty()) {
                fillGap(); // more than one read's worth is missing
            } else {
                releaseInOrder();
            }
        });
    }

    private void checkTail() {
        if (epoch != null && !log.confirmed()) {
            tailSamples.clear(); // what was read before may be a copy the cluster no longer counts
        }
        if (epoch == null || filling || checkingTail || isEmpty() || !log.confirmed()) {
            return;
        }
        checkingTail = true;
        int at = run;
        bounded(log.position(type)).onComplete(read -> checkingTail = false).onSuccess(position -> {
            if (closed || at != run) {
                return; // a read from before the stall watch started the stream afresh
            }
            if (!position.epoch().equals(epoch)) {
                restart(position.epoch()); // newer or older: history's epoch is the stream's
            }
            knownTail = Math.max(knownTail, position.tail());
            confirmTail(position.tail());
            releaseInOrder();
        });
    }

    /**
     * A tail read now counts once it is still read as confirmed a settle time later, and this node has heard from a quorum
     * since it read it (at once on a single node).
     */
    private void confirmTail(long tail) {
        long now = System.nanoTime() / 1_000_000; // monotonic: a clock step must not confirm a tail early, nor never
        if (tail > confirmedTail && (tailSamples.isEmpty() || tailSamples.peekLast()[1] < tail)) {
            tailSamples.addLast(new long[] {now, tail, log.checkpoint()});
        }
        long settleMs = log.settleMs();
        // and heard from a quorum since it was read: a node cut off keeps its member list past the settle time (seed 41)
        while (!tailSamples.isEmpty() && now - tailSamples.peekFirst()[0] >= settleMs && log.confirmedSince(tailSamples.peekFirst()[2])) {
            confirmedTail = Math.max(confirmedTail, tailSamples.pollFirst()[1]);
        }
    }

    // ---- stalls: never silent

    private static long now() {
        return System.nanoTime() / 1_000_000; // monotonic
    }

    /** How long delivery may wait for history without moving: {@code stallMs}, and never under three settle times. */
    long stallMs() {
        return Math.max(options.stallMs(), 3 * log.settleMs());
    }

    /**
     * A history call that has not answered in the stall time fails, so the paths that retry run again and no flag
     * ({@code filling}, {@code checkingTail}) or start waits on it forever: Hazelcast may hold a call for minutes
     * across a partition or a member change.
     */
    private <T> Future<T> bounded(Future<T> call) {
        if (call.isComplete()) {
            return call;
        }
        Promise<T> answer = Promise.promise();
        long stall = stallMs();
        long timer = fanout.timers.setTimer(stall, () -> answer.tryFail(
                new java.util.concurrent.TimeoutException("history did not answer in " + stall + " ms")));
        call.onComplete(result -> {
            fanout.timers.cancelTimer(timer);
            if (result.succeeded()) {
                answer.tryComplete(result.result());
            } else {
                answer.tryFail(result.cause());
            }
        });
        return answer.future();
    }

    /**
     * Subscribers wait for events this node knows exist (announced on the bus, held behind a gap, or the stream's start)
     * and delivery has not moved for the stall time: history stays unreachable or in doubt here (issue 22's 30-minute
     * soak: three followers on a node got no {@code order:created} for over a minute after a partition and a member's
     * death, and nothing told them). Their connections close with {@code unavailable} so they recover, with
     * {@code since}/{@code epoch}, on another node; the stream starts afresh for whoever subscribes here next.
     */
    private void watchProgress() {
        boolean waiting = epoch == null ? !isEmpty() // its start position unknown: nobody here gets anything
                : !isEmpty() && (next <= announcedTail || next <= knownTail || !early.isEmpty());
        long now = now();
        if (!waiting) {
            progressAt = now;
            return;
        }
        if (now - progressAt < stallMs()) {
            return;
        }
        NOTABLE.warning("stalled:" + type, "delivery of " + type + " made no progress for " + (now - progressAt) / 1000
                + " s (next seq " + next + ", announced " + announcedTail + ", known " + knownTail + ", confirmed " + confirmedTail
                + ", held " + early.size() + ", history " + (log.confirmed() ? "confirmed" : "in doubt") + (filling ? ", reading" : "")
                + (epoch == null ? ", start position unknown" : "") + "): closing its subscribers so they recover on another node");
        List<Connection> stalled = new ArrayList<>();
        for (Subscription member : members) {
            stalled.add(member.connection);
        }
        recovering.forEach(subscription -> stalled.add(subscription.connection));
        waitingForStart.forEach(w -> stalled.add(w.subscription().connection));
        dropAll();
        run++; // what calls made before answer is ignored, a start() still retrying included
        early.clear();
        tailSamples.clear();
        confirmedTail = 0;
        epoch = null;
        beforeStart = new ArrayList<>();
        progressAt = now;
        for (Connection connection : stalled) {
            connection.close(CloseReason.UNAVAILABLE, "delivery of " + type + " on this node stalled; recover on another node");
        }
        start(); // the next subscriber here begins from a fresh read of the stream's position
    }

    /**
     * History holds the stream in another epoch than delivery followed: it was lost and began again (or delivery had
     * followed a copy the cluster does not count). Every subscriber is told ({@code recovery_incomplete}: what it has
     * may not line up with the stream any more; reload, then follow), and delivery goes on from the new stream's start.
     */
    private void restart(String newEpoch) {
        NOTABLE.warning("restarted:" + type, "the stream of " + type + " restarted (epoch " + epoch + " -> " + newEpoch + "): its history was lost");
        epoch = newEpoch;
        next = 1;
        knownTail = 0;
        announcedTail = 0;
        confirmedTail = 0;
        tailSamples.clear();
        early.clear();
        replayCache.clear();
        for (Subscription member : members) {
            member.afterSeq = 0; // a position in the old stream means nothing in the new one
            member.connection.send(BridgeFrames.err(type, ErrorCode.RECOVERY_INCOMPLETE, "the " + type
                    + " stream changed epoch (its history was lost): reload, then follow the live stream"));
        }
    }

    private BusEvent decode(HistoryPage.Stored stored) {
        return EventRecord.decode(stored.record()).toBusEvent(type, stored.seq(), epoch, ownerField);
    }

    // ---- recovery

    private static final LogLimiter STALLS = new LogLimiter(LOG);

    private void recover(Subscription subscription, RegisterFrame.Resume resume) {
        if (resume.epoch() != null && !resume.epoch().equals(epoch)) {
            subscription.startRecovery(0);
            recovering.add(subscription);
            replay(subscription, 1, 0).startIncomplete();
            return;
        }
        subscription.startRecovery(resume.since());
        recovering.add(subscription);
        long until = next - 1;
        String readingEpoch = epoch;
        if (until - resume.since() > options.maxRecoveryEvents()) {
            replay(subscription, 1, 0).startIncomplete();
            return;
        }
        if (resume.since() >= until) {
            // nothing released here that the client lacks; it may even be ahead of this node, if the stream has its since
            bounded(log.position(type)).onComplete(read -> {
                if (!subscription.cancelled) {
                    Replay replay = replay(subscription, 1, 0);
                    if (read.succeeded() && readingEpoch.equals(epoch) && read.result().epoch().equals(readingEpoch)
                            && resume.since() <= read.result().tail()) {
                        replay.start();
                    } else {
                        replay.startIncomplete();
                    }
                }
            });
            return;
        }
        replay(subscription, resume.since() + 1, until).start();
    }

    /**
     * The subscriber's replay of seqs {@code from..until} of history, then of its backlog, in pages that wait for the
     * socket to drain (see {@link Replay}); it joins the live members at the end.
     */
    private Replay replay(Subscription subscription, long from, long until) {
        String replayEpoch = epoch;
        Replay.History history = new Replay.History() {
            @Override
            public Future<HistoryPage> read(long fromSeq, int limit) {
                return replayCache.read(replayEpoch, fromSeq, limit, until);
            }

            @Override
            public BusEvent decode(HistoryPage.Stored stored) {
                return replayCache.decode(stored);
            }

            @Override
            public String epoch() {
                return epoch;
            }
        };
        Replay.Subscriber subscriber = new Replay.Subscriber() {
            @Override
            public boolean gone() {
                return subscription.cancelled || subscription.connection.closedFor() != null;
            }

            @Override
            public long write(BusEvent event) {
                SharedFrame shared = replayCache.frame(event);
                return shared == null ? fanout.deliverTo(type, subscription, event) : fanout.deliverTo(type, subscription, event, shared);
            }

            @Override
            public void whenDrained(Runnable drained) {
                subscription.connection.socket.whenDrained(() -> run(drained));
            }

            @Override
            public long timer(long ms, Runnable task) {
                return fanout.timers.setTimer(ms, task);
            }

            @Override
            public void cancelTimer(long id) {
                fanout.timers.cancelTimer(id);
            }

            @Override
            public void stalled(long ms) {
                Connection connection = subscription.connection;
                STALLS.info("stalled-replay", "closing a slow consumer (" + connection.principal().userId() + " at " + connection.remoteAddress()
                        + "): a page of its replay of " + type + " did not leave in " + ms / 1000 + " s");
                connection.close(CloseReason.SLOW_CONSUMER, "a page of the replay waited more than " + ms / 1000 + " s");
            }

            @Override
            public void run(Runnable task) {
                if (Vertx.currentContext() == context) {
                    task.run();
                } else {
                    context.runOnContext(v -> task.run());
                }
            }

            @Override
            public List<BusEvent> backlog() {
                return subscription.backlog;
            }

            @Override
            public boolean backlogOverflowed() {
                return subscription.backlogOverflowed;
            }

            @Override
            public void incomplete() {
                subscription.connection.send(BridgeFrames.err(type, ErrorCode.RECOVERY_INCOMPLETE,
                        "history does not hold every " + type + " event after the given position; reload, then follow the live stream"));
                subscription.afterSeq = 0;
            }

            @Override
            public void live(boolean complete) {
                recovering.remove(subscription);
                if (recovering.isEmpty()) {
                    replayCache.clear();
                }
                stats.recovered(complete);
                subscription.backlog = null;
                if (!subscription.cancelled) {
                    addMember(subscription);
                }
            }
        };
        return new Replay(history, subscriber, options.replayBudget(), options.replayPageBytes(), epoch, from, until);
    }
}
