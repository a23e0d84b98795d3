package io.herald;

import io.herald.node.HeraldNode;

import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten tabs do not give ten times the rate: a user's client publishes share one allowance across all of the user's
 * connections on a node ({@code limits.userPublishesPerMinute}). Each connection here stays far under its own frame
 * rate; together they pass the user's.
 */
class UserPublishRateIT {
    static final int PER_MINUTE = 10;
    static Vertx clients;
    static HeraldNode node;

    @BeforeAll
    static void start() {
        clients = Vertx.vertx();
        node = TestNodes.start(TestNodes.config(json -> json.getJsonObject("limits").put("userPublishesPerMinute", PER_MINUTE)));
    }

    @AfterAll
    static void stop() {
        node.close().await();
        clients.close().await();
    }

    /** Sends {@code count} publishes with replies on each client; answers [accepted, rate_limited]. */
    static int[] publish(List<BridgeClient> tabs, int count, String user) {
        int accepted = 0;
        int limited = 0;
        for (int t = 0; t < tabs.size(); t++) {
            for (int i = 0; i < count; i++) {
                tabs.get(t).request("customer:viewing_product", new JsonObject().put("productId", "p-" + i), "reply:" + user + ":" + t + ":" + i);
            }
        }
        // answers come in any order (a refusal at once, an accepted publish once appended): take each tab's next count
        for (BridgeClient tab : tabs) {
            for (int i = 0; i < count; i++) {
                JsonObject answer = tab.next(f -> f.getString("address", "").startsWith("reply:" + user + ":"));
                if ("rec".equals(answer.getString("type"))) {
                    accepted++;
                } else {
                    assertEquals("rate_limited", answer.getString("failureType"), answer.encode());
                    assertEquals(429, answer.getInteger("failureCode"), answer.encode());
                    limited++;
                }
            }
        }
        return new int[]{accepted, limited};
    }

    @Test
    void oneUsersConnectionsShareOneAllowance() {
        List<BridgeClient> tabs = new ArrayList<>();
        List<BridgeClient> other = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                tabs.add(BridgeClient.connect(clients, node.port(), TestNodes.token(node, "c-tabs", "customer")));
            }
            other.add(BridgeClient.connect(clients, node.port(), TestNodes.token(node, "c-other", "customer")));
            // 3 tabs × 5 publishes: each tab is far under its frame rate (100 a minute), the user is over 10 a minute
            int[] tabsOutcome = publish(tabs, 5, "c-tabs");
            assertTrue(tabsOutcome[1] >= 3, "the user's 15 publishes over 3 connections were not limited: accepted " + tabsOutcome[0]);
            assertTrue(tabsOutcome[0] >= PER_MINUTE && tabsOutcome[0] <= PER_MINUTE + 2, "accepted " + tabsOutcome[0]);
            // another user has its own allowance
            int[] otherOutcome = publish(other, 5, "c-other");
            assertEquals(5, otherOutcome[0], "another user was limited too");
            // the tabs stay open and a new tab of the same user gets no fresh allowance
            tabs.add(BridgeClient.connect(clients, node.port(), TestNodes.token(node, "c-tabs", "customer")));
            int[] newTab = publish(List.of(tabs.get(3)), 3, "c-tabs-new");
            assertTrue(newTab[1] >= 1, "a new connection of the user got a fresh allowance: accepted " + newTab[0]);
        } finally {
            tabs.forEach(BridgeClient::close);
            other.forEach(BridgeClient::close);
        }
    }
}
