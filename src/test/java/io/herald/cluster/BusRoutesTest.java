package io.herald.cluster;

import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusRoutesTest {
    static final String ADDRESS = "herald.delivery.order:created";
    static final RegistrationInfo A = new RegistrationInfo("node-a", 1, false);
    static final RegistrationInfo B = new RegistrationInfo("node-b", 1, false);

    /** The selector as Vert.x's: holds an address once it read it or was told of it, drops it when told of none. */
    static final class FakeSelector implements RegistrationListener {
        final Map<String, List<RegistrationInfo>> held = new HashMap<>();
        final List<RegistrationUpdateEvent> updates = new ArrayList<>();
        int lost;

        @Override
        public void registrationsUpdated(RegistrationUpdateEvent event) {
            updates.add(event);
            if (event.registrations().isEmpty()) {
                held.remove(event.address());
            } else {
                held.put(event.address(), event.registrations());
            }
        }

        @Override
        public void registrationsLost() {
            lost++;
        }

        @Override
        public boolean wantsUpdatesFor(String address) {
            return held.containsKey(address);
        }
    }

    /** The cluster's table; reads answer when the test says. */
    static final class FakeTable implements BusRoutes.Table {
        final Map<String, List<RegistrationInfo>> rows = new HashMap<>();
        final List<Runnable> pending = new ArrayList<>();

        @Override
        public void registrations(String address, Completable<List<RegistrationInfo>> done) {
            pending.add(() -> done.succeed(List.copyOf(rows.getOrDefault(address, List.of()))));
        }

        void answer() {
            List<Runnable> now = new ArrayList<>(pending);
            pending.clear();
            now.forEach(Runnable::run);
        }
    }

    final FakeSelector selector = new FakeSelector();
    final FakeTable table = new FakeTable();
    final BusRoutes routes = new BusRoutes(table, () -> "node-a");
    final List<String> repaired = new ArrayList<>();

    BusRoutesTest() {
        routes.selector(selector);
        routes.onRepair(repaired::add);
    }

    /** The selector read the address itself and holds what it read. */
    void selectorReads(String address, List<RegistrationInfo> registrations) {
        routes.selectorRead(address, routes.readStarts(), registrations);
        selector.held.put(address, registrations);
    }

    @Test
    void aViewThatNoEventCorrectedIsCorrectedFromTheTable() {
        selectorReads(ADDRESS, List.of(A, B));
        // the partition: B's registration removed from the table, and the selector told
        routes.registrationsUpdated(new RegistrationUpdateEvent(ADDRESS, List.of(A)));
        // the merge: B's registration is in the table again, and no event says so
        table.rows.put(ADDRESS, List.of(A, B));
        routes.registrationsLost();

        routes.check();
        table.answer();

        assertEquals(Set.of(A, B), new HashSet<>(selector.held.get(ADDRESS)), "the selector sends to both nodes again");
        assertEquals(List.of(ADDRESS), repaired);
        assertEquals(1, selector.lost, "registrationsLost goes on to the selector");
    }

    @Test
    void aViewThatMatchesTheTableIsLeftAlone() {
        selectorReads(ADDRESS, List.of(A, B));
        table.rows.put(ADDRESS, List.of(B, A));
        int updates = selector.updates.size();

        routes.check();
        table.answer();

        assertEquals(updates, selector.updates.size(), "no hand-over when the view is right, whatever the order");
        assertEquals(List.of(), repaired);
    }

    @Test
    void thisNodesOwnRegistrationsMissingFromTheTableAreKept() {
        selectorReads(ADDRESS, List.of(A));
        // after a stall the others dropped A's registrations (vertx-hazelcast puts them back), and B registered meanwhile
        table.rows.put(ADDRESS, List.of(B));

        routes.check();
        table.answer();

        assertEquals(Set.of(A, B), new HashSet<>(selector.held.get(ADDRESS)), "B added, A's own consumer kept");
        routes.check();
        table.answer();
        assertEquals(List.of(ADDRESS), repaired, "corrected once");
    }

    @Test
    void anEventThatCameWhileTheTableWasReadWins() {
        selectorReads(ADDRESS, List.of(A));
        table.rows.put(ADDRESS, List.of(A, B));
        routes.check();
        // while the table is read, B unregisters: the event is newer than the read
        table.rows.put(ADDRESS, List.of(A));
        routes.registrationsUpdated(new RegistrationUpdateEvent(ADDRESS, List.of(A)));
        table.answer();

        assertEquals(List.of(A), selector.held.get(ADDRESS), "the older read does not overwrite the newer event");
        assertEquals(List.of(), repaired);
    }

    @Test
    void anEventThatCameWhileTheSelectorReadStandsOverTheRead() {
        long startedAt = routes.readStarts();
        // B registers while the selector reads; the selector applies the event after its read
        routes.registrationsUpdated(new RegistrationUpdateEvent(ADDRESS, List.of(A, B)));
        routes.selectorRead(ADDRESS, startedAt, List.of(A));
        table.rows.put(ADDRESS, List.of(A, B));

        routes.check();
        table.answer();

        assertEquals(List.of(), repaired, "the view is the event's, as the selector's is: nothing to correct");
    }

    @Test
    void aCheckWaitsForThePreviousChecksReads() {
        selectorReads(ADDRESS, List.of(A));
        routes.check();
        routes.check();
        assertEquals(1, table.pending.size(), "one read while the first is not answered");
        table.answer();
        routes.check();
        assertEquals(1, table.pending.size(), "the next check reads again");
    }

    @Test
    void addressesTheSelectorDroppedAreNoLongerRead() {
        selectorReads(ADDRESS, List.of(A));
        selectorReads("herald.stats.node", List.of(A, B));
        routes.registrationsUpdated(new RegistrationUpdateEvent(ADDRESS, List.of()));
        selector.held.remove("herald.stats.node"); // the selector let it go on its own

        routes.check();

        assertTrue(table.pending.isEmpty(), "nothing to read");
        assertEquals(Set.of(), routes.addresses());
    }

    @Test
    void aFailedReadChangesNothing() {
        selectorReads(ADDRESS, List.of(A));
        BusRoutes failing = new BusRoutes((address, done) -> done.fail("the table is not reachable"), () -> "node-a");
        failing.selector(selector);
        failing.selectorRead(ADDRESS, failing.readStarts(), List.of(A));
        int updates = selector.updates.size();

        failing.check();

        assertEquals(updates, selector.updates.size());
        assertEquals(List.of(A), selector.held.get(ADDRESS));
    }
}
