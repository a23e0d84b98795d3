package io.herald.bridge;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.testing.Eventually;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.herald.bridge.SocketBridgeTest.CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The policies' publish checks (the seam of the publish proxy), on a local Vert.x with a fake socket: a type the check
 * leaves alone is published at once; a checked one waits for the check, and the connection's later frames wait behind
 * it; a check may rewrite the data (a {@code send}'s reply then carries it) or refuse with its code and message.
 */
class PublishCheckTest extends BridgeFixture {
    static final String PLAIN = "product:created";
    static final String CHECKED = "product:updated";
    /** What the check answers next: the test completes these. */
    final List<Promise<Void>> pending = new CopyOnWriteArrayList<>();
    final List<PublishFrame> checked = new CopyOnWriteArrayList<>();

    /** A check of {@link #CHECKED} publishes that waits for the test to answer it. */
    @Override
    ConnectionPolicy[] policies() {
        ConnectionPolicy checking = new ConnectionPolicy() {
            @Override
            public PublishCheck publishCheck() {
                return (connection, publish) -> {
                    if (!publish.type().equals(CHECKED)) {
                        return null;
                    }
                    checked.add(publish);
                    Promise<Void> answer = Promise.promise();
                    pending.add(answer);
                    return answer.future();
                };
            }
        };
        return new ConnectionPolicy[] {checking};
    }

    void onContext(Runnable action) {
        context.runOnContext(v -> action.run());
    }

    static String send(String type, String replyAddress, String body) {
        return "{\"type\":\"send\",\"address\":\"" + type + "\",\"replyAddress\":\"" + replyAddress + "\",\"body\":" + body + "}";
    }

    @Test
    void aCheckedPublishWaitsForItsCheckAndTheFramesBehindItKeepTheirOrder() {
        client("{\"type\":\"register\",\"address\":\"" + CHECKED + "\"}",
                send(CHECKED, "r1", "{\"sku\":\"A-1\"}"),
                send(PLAIN, "r2", "{\"sku\":\"B-2\"}"));
        Eventually.assertEventually("the check was asked", () -> pending.size() == 1);
        assertEquals("A-1", checked.get(0).clientData().getString("sku"), "the check sees the client's data");
        // while the check waits nothing is answered, not even the plain publish behind it
        Promise<Void> later = Promise.promise();
        vertx.setTimer(300, id -> later.complete());
        later.future().await();
        assertEquals(List.of(), socket.sent, "nothing answered while the check waits");
        onContext(() -> {
            checked.get(0).data(new JsonObject().put("sku", "A-1").put("price", 12));
            checked.get(0).replyWithData(true);
            pending.get(0).complete();
        });
        Eventually.assertEventually("both replies", () -> socket.sent.size() == 2);
        JsonObject first = socket.sent.get(0);
        assertEquals("r1", first.getString("address"), first.encode());
        assertEquals(12, first.getJsonObject("body").getJsonObject("data").getInteger("price"), "the reply carries the data published");
        assertEquals(1L, first.getJsonObject("body").getLong("seq"));
        JsonObject second = socket.sent.get(1);
        assertEquals("r2", second.getString("address"), second.encode());
        assertNull(second.getJsonObject("body").getValue("data"), "an unchecked publish's reply is the usual one");
        Eventually.assertEventually("the event", () -> socket.delivered.size() == 1);
        assertEquals(12, socket.delivered.get(0).getJsonObject("body").getJsonObject("data").getInteger("price"));
    }

    @Test
    void aRefusedCheckIsAnErrWithItsCodeAndMessageAndPublishesNothing() {
        client("{\"type\":\"register\",\"address\":\"" + CHECKED + "\"}",
                send(CHECKED, "r1", "{\"sku\":\"A-1\"}"),
                "{\"type\":\"publish\",\"address\":\"" + CHECKED + "\",\"body\":{\"sku\":\"C-3\"}}");
        Eventually.assertEventually("the first check", () -> pending.size() == 1);
        onContext(() -> pending.get(0).fail(new HeraldException(ErrorCode.ACCESS_DENIED, "out of stock")));
        Eventually.assertEventually("the second check", () -> pending.size() == 2);
        onContext(() -> pending.get(1).fail(new HeraldException(ErrorCode.UNAVAILABLE, "backend down")));
        Eventually.assertEventually("two errs", () -> socket.sent.size() == 2);
        assertEquals("r1 access_denied out of stock", socket.sent.get(0).getString("address") + " "
                + socket.sent.get(0).getString("failureType") + " " + socket.sent.get(0).getString("message"));
        assertEquals(CHECKED + " unavailable", socket.sent.get(1).getString("address") + " " + socket.sent.get(1).getString("failureType"));
        assertEquals(List.of(), socket.delivered, "nothing published");
        assertFalse(socket.sent.stream().anyMatch(f -> "rec".equals(f.getString("type"))));
    }
}
