package io.herald.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Which nodes the event bus sends an address's messages to, checked against the cluster's table of registrations and
 * corrected where it went stale.
 * <p>
 * Vert.x's node selector caches, for each address this node sends to, the registrations of that address, and updates
 * the cache only on the cluster manager's events for that address. Vert.x 5.1's selector ignores
 * {@code registrationsLost}, which vertx-hazelcast signals when a partition heals (eclipse-vertx/vert.x#4394). A node
 * that was cut off keeps the view it had while alone (its own consumers only), and nothing announces the registrations
 * the other side never lost: its publishes then reach no other node until some registration of that address changes.
 * <p>
 * BusRoutes stands between the cluster manager and the selector. It passes every event on and remembers the
 * registrations it handed the selector per address; {@link #check()} reads the table again (after each membership
 * change, and every {@code cluster.routeCheckMs}) and hands the selector the table's registrations where they differ.
 * This node's own registrations are the one thing the table may lack while it is right: after a stall the others
 * dropped them, and vertx-hazelcast puts them back a moment later. So the selector keeps those it has (a removal of
 * one of them whose event never came is not corrected: its messages then go to this node, which has no handler).
 * An update that vertx-hazelcast read before a correction and hands over after it can make a view stale again, until
 * the next check.
 */
public final class BusRoutes implements RegistrationListener {
    private static final Logger LOG = Logger.getLogger(BusRoutes.class.getName());
    /**
     * How long after a membership change the check runs: after a merge, vertx-hazelcast puts this node's registrations
     * back into the table from a worker thread, so a check at once could read the table without them.
     */
    static final long AFTER_MEMBERSHIP_MS = 1_000;

    /** The cluster's table of registrations. */
    public interface Table {
        void registrations(String address, Completable<List<RegistrationInfo>> done);
    }

    /** What the selector was last handed for an address, and when (a number that rises with each hand-over). */
    private record View(Set<RegistrationInfo> registrations, long version) {
    }

    private final Table table;
    private final Supplier<String> nodeId;
    /** Guarded by {@code this}, as are the hand-overs to the selector, so that a check never overtakes a newer event. */
    private final Map<String, View> views = new HashMap<>();
    private long versions;
    private volatile RegistrationListener selector;
    private volatile Consumer<String> onRepair = address -> { };
    private Vertx vertx;
    private long periodicTimer = -1;
    private long membershipTimer = -1;
    /** Table reads of the last check not answered yet: a check waits for them (a read can block through a migration). */
    private final AtomicInteger reading = new AtomicInteger();

    public BusRoutes(Table table, Supplier<String> nodeId) {
        this.table = table;
        this.nodeId = nodeId;
    }

    /** The selector the cluster manager was given: events go on to it. */
    public void selector(RegistrationListener selector) {
        this.selector = selector;
    }

    /** Called with the address each time a check corrects one (the node counts them). */
    public void onRepair(Consumer<String> onRepair) {
        this.onRepair = onRepair;
    }

    /** Checks every {@code checkMs}, and once more shortly after each membership change. */
    public synchronized void start(Vertx vertx, long checkMs) {
        this.vertx = vertx;
        periodicTimer = vertx.setPeriodic(checkMs, id -> check());
    }

    public synchronized void stop() {
        if (vertx != null) {
            vertx.cancelTimer(periodicTimer);
            vertx.cancelTimer(membershipTimer);
            vertx = null;
        }
    }

    /** A member joined or left, or this node merged back after a partition. */
    public synchronized void membershipChanged() {
        if (vertx != null && membershipTimer < 0) {
            membershipTimer = vertx.setTimer(AFTER_MEMBERSHIP_MS, id -> {
                synchronized (this) {
                    membershipTimer = -1;
                }
                check();
            });
        }
    }

    /** Taken before the selector reads the table itself, and handed to {@link #selectorRead}. */
    public synchronized long readStarts() {
        return versions;
    }

    /**
     * The selector read the table itself (an address it had no view of) and holds what it read, unless an event for the
     * address came while it read: the selector applies that event after the read, so the event's list stands.
     */
    public synchronized void selectorRead(String address, long startedAt, List<RegistrationInfo> registrations) {
        View now = views.get(address);
        if (now == null || now.version() <= startedAt) {
            remember(address, registrations);
        }
    }

    @Override
    public synchronized void registrationsUpdated(RegistrationUpdateEvent event) {
        remember(event.address(), event.registrations());
        selector.registrationsUpdated(event);
    }

    @Override
    public void registrationsLost() {
        selector.registrationsLost();
        membershipChanged();
    }

    @Override
    public boolean wantsUpdatesFor(String address) {
        return selector.wantsUpdatesFor(address);
    }

    /** Reads the table for every address the selector holds, and corrects the selector where it differs. */
    public void check() {
        RegistrationListener selector = this.selector;
        if (selector == null) {
            return;
        }
        if (reading.get() > 0) {
            return;
        }
        Map<String, Long> toRead = new HashMap<>();
        synchronized (this) {
            views.entrySet().removeIf(entry -> !selector.wantsUpdatesFor(entry.getKey()));
            views.forEach((address, view) -> toRead.put(address, view.version()));
        }
        reading.addAndGet(toRead.size());
        toRead.forEach((address, version) -> table.registrations(address, (registrations, failure) -> {
            reading.decrementAndGet();
            if (failure == null) {
                correct(address, version, registrations);
            }
        }));
    }

    private void correct(String address, long readAfter, List<RegistrationInfo> inTable) {
        String self = nodeId.get();
        View was;
        List<RegistrationInfo> corrected;
        synchronized (this) {
            was = views.get(address);
            if (was == null || was.version() != readAfter) {
                return; // forgotten, or a newer event came while the table was read
            }
            Set<RegistrationInfo> union = new HashSet<>(inTable);
            was.registrations().stream().filter(r -> r.nodeId().equals(self)).forEach(union::add);
            if (union.equals(was.registrations())) {
                return;
            }
            corrected = List.copyOf(union);
            remember(address, corrected);
            selector.registrationsUpdated(new RegistrationUpdateEvent(address, corrected));
        }
        LOG.warning("event bus: the nodes of " + address + " were stale (" + nodes(was.registrations()) + "; the cluster's table has "
                + nodes(new HashSet<>(inTable)) + "); corrected from the table");
        onRepair.accept(address);
    }

    private void remember(String address, List<RegistrationInfo> registrations) {
        if (registrations.isEmpty()) {
            views.remove(address); // the selector drops an address without registrations
        } else {
            views.put(address, new View(new HashSet<>(registrations), ++versions));
        }
    }

    private static String nodes(Set<RegistrationInfo> registrations) {
        List<String> nodes = new ArrayList<>(registrations.stream().map(RegistrationInfo::nodeId).collect(Collectors.toSet()));
        nodes.sort(null);
        return nodes.isEmpty() ? "none" : String.join(", ", nodes);
    }

    /** The addresses the selector holds, as far as this class saw (tests). */
    synchronized Set<String> addresses() {
        return Set.copyOf(views.keySet());
    }
}
