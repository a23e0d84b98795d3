package io.herald.event;

import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.history.Inbox;
import io.herald.history.InboxBounds;
import io.herald.history.InboxEntry;
import io.herald.history.LocalEventLog;
import io.herald.history.LocalInbox;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which inboxes the publisher files an event in (docs/backends.md, "Per-user inbox"), on one Vert.x without a cluster:
 * the target's users and {@code user:} rooms and the owner, once each; nobody for a role or another room; never a call
 * for a type without the option.
 */
class EventPublisherInboxTest {
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    final Vertx vertx = Vertx.vertx();
    {
        vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec());
    }
    final LocalInbox local = new LocalInbox(new InboxBounds(100, 3_600_000, 1000));
    /** Each filing call: user → the ids filed for that user. */
    final List<Map<String, List<InboxEntry>>> calls = new CopyOnWriteArrayList<>();
    final Inbox counted = new Inbox() {
        @Override
        public Future<Void> file(Map<String, List<InboxEntry>> byUser) {
            calls.add(byUser);
            return local.file(byUser);
        }

        @Override
        public Future<List<InboxEntry>> entries(String userId) {
            return local.entries(userId);
        }

        @Override
        public Future<Integer> ack(String userId, Set<String> ids) {
            return local.ack(userId, ids);
        }
    };
    final NodeStats stats = new NodeStats("test");
    final EventPublisher publisher = new EventPublisher(vertx, CATALOG,
            new LocalEventLog(type -> new HeraldConfig.HistoryBounds(1000, 3600)), stats).inbox(counted);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    <T> T onLoop(Supplier<Future<T>> publish) {
        io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> publish.get().onComplete(result));
        return result.future().await();
    }

    static PublishRequest request(String type, JsonObject data, JsonObject target) {
        return new PublishRequest(type, data, target == null ? null : Target.fromJson(target), null, null);
    }

    List<String> inbox(String user) {
        return local.entries(user).result().stream().map(InboxEntry::id).toList();
    }

    void awaitCalls(int count) {
        io.herald.testing.Eventually.assertWithin(10, count + " filing calls", () -> calls.size() >= count);
    }

    @Test
    void theTargetsUsersAndTheOwnerGetTheEventOnceEach() {
        Published order = onLoop(() -> publisher.publish(request("order:status_changed",
                new JsonObject().put("orderId", "o-1").put("customerId", "c-1"),
                new JsonObject().put("users", new JsonArray().add("u-2").add("c-1")).put("rooms", new JsonArray().add("user:u-3").add("store:s-1")))));
        awaitCalls(1);
        assertEquals(Set.of("c-1", "u-2", "u-3"), calls.get(0).keySet());
        for (String user : List.of("c-1", "u-2", "u-3")) {
            assertEquals(List.of(order.id()), inbox(user), user);
        }
        InboxEntry entry = local.entries("u-2").result().get(0);
        assertEquals("order:status_changed", entry.type());
        assertEquals("c-1", entry.ownerId());
        assertEquals(order.seq(), entry.seq());
        assertEquals(order.id(), new JsonObject(entry.envelope()).getString("id"));
    }

    @Test
    void aRoleOrARoomIsNobodysAndOtherTypesAreNeverFiled() {
        onLoop(() -> publisher.publish(request("system:notification", new JsonObject().put("text", "to admins"),
                new JsonObject().put("roles", new JsonArray().add("admin")).put("rooms", new JsonArray().add("store:s-1")))));
        onLoop(() -> publisher.publish(request("system:notification", new JsonObject().put("text", "to all"), null)));
        onLoop(() -> publisher.publishAll(List.of(
                request("order:created", new JsonObject().put("orderId", "o-1").put("customerId", "c-1"), null),
                request("order:updated", new JsonObject().put("orderId", "o-1").put("customerId", "c-1"),
                        new JsonObject().put("users", new JsonArray().add("u-1"))))));
        Published marker = onLoop(() -> publisher.publish(request("system:notification", new JsonObject().put("text", "to u-1"),
                new JsonObject().put("users", new JsonArray().add("u-1")))));
        awaitCalls(1);
        assertEquals(1, calls.size(), "one call: the event aimed at a user");
        assertEquals(List.of(marker.id()), inbox("u-1"));
        assertEquals(List.of(), inbox("c-1"), "order:created and order:updated keep no inbox");
        String scrape = stats.registry().scrape();
        assertEquals(true, scrape.contains("herald_inbox_filed_total{result=\"unaddressed\"} 2.0"), scrape);
        io.herald.testing.Eventually.assertWithin(10, "counted", () -> stats.registry().scrape().contains("herald_inbox_filed_total{result=\"filed\"} 1.0"));
    }
}
