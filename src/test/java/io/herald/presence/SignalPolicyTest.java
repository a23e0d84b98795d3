package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.delivery.Connection;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * herald:signal's checks in their order, on a hand-moved clock and a real (local) event bus: bad input and refused rooms
 * cost nothing (no rate token, nothing kept); the rate per connection.
 */
class SignalPolicyTest {
    final Vertx vertx = Vertx.vertx();
    final AtomicLong wall = new AtomicLong(5_000_000);
    final AtomicLong monotonic = new AtomicLong(1_000);
    final SignalStore store = new SignalStore(wall::get);
    final Signals signals = new Signals(vertx.eventBus(), "node-1", RoomRulesTest.SHIPPED, store, null, wall::get);
    final SignalPolicy policy = new SignalPolicy(signals, 10, monotonic::get);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    JsonObject signal(Connection connection, JsonObject body) {
        return policy.controls().get(Signals.ADDRESS).handle(connection, body).result();
    }

    ErrorCode refused(Connection connection, JsonObject body) {
        return assertThrows(HeraldException.class, () -> signal(connection, body)).code();
    }

    static JsonObject typing(String room) {
        return new JsonObject().put("room", room).put("data", new JsonObject().put("typing", true)).put("ttlMs", 3000);
    }

    static Connection member(String user, String role, String... rooms) {
        Connection connection = new Connection(null, new Principal(user, role, null, Set.of()));
        for (String room : rooms) {
            connection.join(room);
        }
        return connection;
    }

    @Test
    void aMembersSignalIsKeptWithItsSenderAndExpiry() {
        Connection staff = member("s-1", "staff", "chat:c-1");
        JsonObject reply = signal(staff, typing("chat:c-1"));
        assertEquals(new JsonObject().put("room", "chat:c-1").put("expiresAt", wall.get() + 3000), reply);
        JsonObject kept = store.current("chat:c-1").getJsonObject(0);
        assertEquals(new JsonObject().put("room", "chat:c-1").put("from", new JsonObject().put("userId", "s-1").put("role", "staff"))
                .put("data", new JsonObject().put("typing", true)).put("expiresAt", wall.get() + 3000), kept);
    }

    @Test
    void nonMembersAndRoomsWithoutPresenceAreRefused() {
        Connection staff = member("s-1", "staff", "store:s-1", "batch:b-1");
        assertEquals(ErrorCode.ACCESS_DENIED, refused(staff, typing("chat:c-1")), "not a member");
        assertEquals(ErrorCode.ACCESS_DENIED, refused(staff, typing("store:s-1")), "a member, but the room does not show its members");
        assertEquals(ErrorCode.ACCESS_DENIED, refused(staff, typing("batch:b-1")));
        assertEquals(ErrorCode.ACCESS_DENIED, refused(staff, typing("user:s-1")), "automatic rooms have no signals");
        assertEquals(0, store.size());
    }

    @Test
    void theRatePerConnectionAndWhatBadInputCosts() {
        Connection staff = member("s-1", "staff", "chat:c-1", "store:s-1");
        for (int i = 0; i < 50; i++) {
            assertEquals(ErrorCode.INVALID_FRAME, refused(staff, new JsonObject().put("ttlMs", 5)), "no room");
            assertEquals(ErrorCode.FRAME_TOO_LARGE, refused(staff, new JsonObject().put("room", "chat:c-1").put("data", "x".repeat(2000))));
            assertEquals(ErrorCode.ACCESS_DENIED, refused(staff, typing("store:s-1")));
        }
        for (int i = 0; i < 10; i++) {
            signal(staff, typing("chat:c-1")); // the refusals above took no token
        }
        assertEquals(ErrorCode.RATE_LIMITED, refused(staff, typing("chat:c-1")));
        Connection other = member("s-2", "staff", "chat:c-1");
        signal(other, typing("chat:c-1")); // per connection
        monotonic.addAndGet(100);
        signal(staff, typing("chat:c-1")); // one more a tenth of a second later
        assertEquals(ErrorCode.RATE_LIMITED, refused(staff, typing("chat:c-1")));
        policy.onClose(staff);
    }
}
