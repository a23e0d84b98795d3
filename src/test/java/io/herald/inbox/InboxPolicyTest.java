package io.herald.inbox;

import io.herald.Addresses;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.RoleMatrix;
import io.herald.catalog.EventCatalog;
import io.herald.config.ConfigFile;
import io.herald.delivery.Connection;
import io.herald.history.InboxBounds;
import io.herald.history.InboxEntry;
import io.herald.history.LocalInbox;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * herald:inbox and herald:ack on the shipped catalog and role matrix, a memory inbox and a hand-moved clock: the reader
 * sees what delivery would show it (role, ownership, targets), bad input costs no token, the rate per connection.
 */
class InboxPolicyTest {
    final AtomicLong clock = new AtomicLong(1_000);
    final LocalInbox inbox = new LocalInbox(new InboxBounds(100, 86_400_000, 1000), () -> 10_000);
    /** This test's own decoded targets: what it counts is its reads alone, whatever else runs in the JVM. */
    final io.herald.state.TargetCache targets = new io.herald.state.TargetCache();
    final InboxPolicy policy;

    InboxPolicyTest() throws Exception {
        EventCatalog catalog = EventCatalog.fromJson(new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/catalog.json"))));
        RoleMatrix roles = RoleMatrix.compile(new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/roles.json"))), catalog);
        policy = new InboxPolicy(roles, 3, clock::get).reader(new InboxReader(inbox, targets));
    }

    static InboxEntry entry(String id, long ts, String type, String owner, String target) {
        return new InboxEntry(id, type, ts, "e", ts, owner, target,
                new JsonObject().put("id", id).put("type", type).put("ts", ts).put("seq", ts).encode());
    }

    static Connection connection(String user, String role) {
        return new Connection(null, new Principal(user, role, null, Set.of()));
    }

    JsonObject send(Connection connection, String address, JsonObject body) {
        return policy.controls().get(address).handle(connection, body).result();
    }

    ErrorCode refused(Connection connection, String address, JsonObject body) {
        return assertThrows(HeraldException.class, () -> send(connection, address, body)).code();
    }

    static List<String> ids(JsonObject page) {
        return page.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("id")).toList();
    }

    @Test
    void aReaderSeesWhatDeliveryWouldShowIt() {
        inbox.file(Map.of("c-1", List.of(
                entry("own-order", 1, "order:status_changed", "c-1", null),
                entry("note", 2, "system:notification", null, "{\"users\":[\"c-1\"]}"),
                entry("targeted-order", 3, "order:status_changed", "c-2", "{\"users\":[\"c-1\"]}"),
                entry("others-order", 4, "order:status_changed", "c-2", null))));
        JsonObject page = send(connection("c-1", "customer"), Addresses.INBOX, new JsonObject());
        assertEquals(List.of("targeted-order", "own-order"), ids(page),
                "a customer reads its own orders and those aimed at it; not system:notification (its role may not read system)");
        assertEquals(2, page.getInteger("unread"));
        assertEquals(false, page.getBoolean("more"));

        JsonObject admin = send(connection("c-1", "admin"), Addresses.INBOX, new JsonObject());
        assertEquals(List.of("others-order", "targeted-order", "note", "own-order"), ids(admin), "the same user as admin reads all");
    }

    @Test
    void readingAPageAgainDecodesNoTargetAndAPageDecodesEachDistinctTargetOnce() {
        String mine = "{\"users\":[\"c-1\",\"c-9\"]}";
        String room = "{\"rooms\":[\"store:1\"],\"users\":[\"c-1\"]}";
        List<InboxEntry> entries = new java.util.ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            entries.add(entry("e" + i, i, "order:status_changed", "c-2", i % 2 == 0 ? mine : room));
        }
        entries.add(entry("untargeted", 61, "order:status_changed", "c-1", null));
        entries.add(entry("not-readable", 62, "system:notification", null, "{\"users\":[\"c-1\"]}"));
        inbox.file(Map.of("c-1", entries));
        long before = targets.decodes();
        JsonObject page = send(connection("c-1", "customer"), Addresses.INBOX, new JsonObject().put("limit", 10));
        assertEquals(61, page.getInteger("unread"));
        assertEquals(2, targets.decodes() - before,
                "61 targeted entries, 2 distinct targets: each decoded once; none for an untargeted entry or a type the role may not read");
        send(connection("c-1", "customer"), Addresses.INBOX, new JsonObject().put("next", page.getString("next")));
        assertEquals(2, targets.decodes() - before, "reading again decodes nothing");
    }

    @Test
    void ackRemovesFromTheUsersOwnInboxOnly() {
        inbox.file(Map.of("c-1", List.of(entry("a", 1, "order:status_changed", "c-1", null)),
                "c-2", List.of(entry("b", 1, "order:status_changed", "c-2", null))));
        assertEquals(0, send(connection("c-1", "customer"), Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray().add("b"))).getInteger("acked"));
        assertEquals(1, send(connection("c-1", "customer"), Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray().add("a"))).getInteger("acked"));
        assertEquals(List.of("b"), ids(send(connection("c-2", "customer"), Addresses.INBOX, new JsonObject())));
    }

    @Test
    void badInputIsRefusedAndCostsNoToken() {
        Connection c = connection("c-1", "customer");
        for (int i = 0; i < 10; i++) {
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX, new JsonObject().put("limit", 501)));
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX, new JsonObject().put("limit", 0)));
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX, new JsonObject().put("next", "nope")));
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX_ACK, new JsonObject().put("ids", "a")));
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray().add(1))));
            JsonArray many = new JsonArray();
            for (int j = 0; j < 501; j++) {
                many.add("id" + j);
            }
            assertEquals(ErrorCode.INVALID_PARAMETER, refused(c, Addresses.INBOX_ACK, new JsonObject().put("ids", many)));
        }
        // three a minute: all three still there
        send(c, Addresses.INBOX, new JsonObject().put("limit", 500));
        send(c, Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray()));
        send(c, Addresses.INBOX, new JsonObject().put("limit", "1"));
        assertEquals(ErrorCode.RATE_LIMITED, refused(c, Addresses.INBOX, new JsonObject()));
        assertEquals(ErrorCode.RATE_LIMITED, refused(c, Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray().add("a"))));
        assertEquals(List.of(), ids(send(connection("c-1", "customer"), Addresses.INBOX, new JsonObject())), "another connection has its own bucket");
        clock.addAndGet(20_000);
        send(c, Addresses.INBOX, new JsonObject());
    }

    @Test
    void anAnonymousConnectionHasNoInbox() {
        Connection guest = new Connection(null, new Principal(null, "guest", null, Set.of()));
        assertEquals(ErrorCode.ACCESS_DENIED, refused(guest, Addresses.INBOX, new JsonObject()));
        assertEquals(ErrorCode.ACCESS_DENIED, refused(guest, Addresses.INBOX_ACK, new JsonObject().put("ids", new JsonArray())));
    }

    @Test
    void pagesGoOnWithNext() {
        for (int i = 1; i <= 5; i++) {
            inbox.file(Map.of("s-1", List.of(entry("e" + i, i, "order:status_changed", "c-9", null))));
        }
        Connection staff = connection("s-1", "staff");
        JsonObject first = send(staff, Addresses.INBOX, new JsonObject().put("limit", 3));
        assertEquals(List.of("e5", "e4", "e3"), ids(first));
        assertEquals(5, first.getInteger("unread"));
        assertEquals(true, first.getBoolean("more"));
        JsonObject second = send(staff, Addresses.INBOX, new JsonObject().put("limit", 3).put("next", first.getString("next")));
        assertEquals(List.of("e2", "e1"), ids(second));
        assertEquals(false, second.getBoolean("more"));
        assertEquals(null, second.getString("next"));
    }
}
