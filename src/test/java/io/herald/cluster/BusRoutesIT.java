package io.herald.cluster;

import io.herald.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clustered Vert.x instances over real Hazelcast, with {@link HeraldClusterManager}. Node A is handed the view a
 * healed partition leaves (only its own consumer of an address, while the cluster's table has B's too; the test hands
 * it over as the cluster manager would, it does not cut a network): its publishes reach only itself. This test fails if a Vert.x upgrade stops routing the selector's view through the
 * cluster manager's registration listener, or if {@link BusRoutes} stops correcting it: a member joining is enough for
 * A's publishes to reach B again.
 */
class BusRoutesIT {
    static final String ADDRESS = "bus-routes-it";
    static final String MARK = "bus-routes-it.mark";

    record Member(Vertx vertx, HeraldClusterManager manager) {
        static Member start(String cluster, int port, List<Integer> ports) throws Exception {
            HeraldClusterManager manager = new HeraldClusterManager(TestNodes.hazelcast(cluster, port, ports));
            VertxOptions options = new VertxOptions();
            options.getEventBusOptions().setHost("127.0.0.1");
            Vertx vertx = Vertx.builder().with(options).withClusterManager(manager).buildClustered().await(60, TimeUnit.SECONDS);
            manager.routes().start(vertx, 3_600_000); // the periodic check out of the way: the join below corrects the view
            return new Member(vertx, manager);
        }

        void close() {
            vertx.close().await();
        }
    }

    @Test
    void aStaleViewLeftByAPartitionIsCorrectedWhenTheMembershipChanges() throws Exception {
        String cluster = TestNodes.uniqueClusterName();
        List<Integer> ports = List.of(TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
        List<Member> members = new ArrayList<>();
        try {
            Member a = Member.start(cluster, ports.get(0), ports);
            members.add(a);
            Member b = Member.start(cluster, ports.get(1), ports);
            members.add(b);
            List<String> atA = new CopyOnWriteArrayList<>();
            List<String> atB = new CopyOnWriteArrayList<>();
            a.vertx().eventBus().<String>consumer(ADDRESS, m -> atA.add(m.body())).completion().await(30, TimeUnit.SECONDS);
            // B's two consumers on one context: what arrives over one connection is handled in the order it came
            Promise<Void> registered = Promise.promise();
            b.vertx().getOrCreateContext().runOnContext(v -> Future.all(
                    b.vertx().eventBus().<String>consumer(ADDRESS, m -> atB.add(m.body())).completion(),
                    b.vertx().eventBus().<String>consumer(MARK, m -> atB.add("mark " + m.body())).completion())
                    .<Void>mapEmpty().onComplete(registered));
            registered.future().await(30, TimeUnit.SECONDS);
            await("A's publishes reach B", () -> {
                a.vertx().eventBus().publish(ADDRESS, "warm");
                return atB.contains("warm");
            });
            List<String> repaired = new CopyOnWriteArrayList<>();
            a.manager().routes().onRepair(repaired::add);

            List<RegistrationInfo> table = registrations(a, ADDRESS);
            List<RegistrationInfo> onlyA = table.stream().filter(r -> r.nodeId().equals(a.manager().getNodeId())).toList();
            assertEquals(2, table.size(), "both consumers in the table: " + table);
            // what the partition told A (B's registration removed); the table has it again and no event says so
            a.manager().routes().registrationsUpdated(new RegistrationUpdateEvent(ADDRESS, onlyA));

            a.vertx().eventBus().publish(ADDRESS, "stale");
            // the mark goes after it over the same connection to B: had "stale" gone to B, it would be there first
            a.vertx().eventBus().send(MARK, "after stale");
            await("the mark reaches B", () -> atB.contains("mark after stale"));
            await("A still delivers to itself", () -> atA.contains("stale"));
            assertFalse(atB.contains("stale"), "with the stale view A's publish reaches only A: " + atB);

            members.add(Member.start(cluster, ports.get(2), ports));
            await("after a member joined, A's publishes reach B again", () -> {
                a.vertx().eventBus().publish(ADDRESS, "healed");
                return atB.contains("healed");
            });
            assertTrue(repaired.contains(ADDRESS), "the correction was counted: " + repaired);
        } finally {
            members.forEach(Member::close);
        }
    }

    static List<RegistrationInfo> registrations(Member member, String address) throws Exception {
        Promise<List<RegistrationInfo>> read = Promise.promise();
        member.manager().getRegistrations(address, read);
        return read.future().await(30, TimeUnit.SECONDS);
    }

    interface Check {
        boolean holds();
    }

    static void await(String what, Check check) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
