package io.herald.testing;

import io.herald.node.HeraldNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.util.function.Consumer;

/**
 * The base of an IT on two clustered nodes in this JVM ({@link TwoNodes}): its {@code @BeforeAll} calls
 * {@link #startNodes} with its configuration; {@link #nodeA}, {@link #nodeB} and the clients' Vert.x are then there for
 * its tests, and everything is closed after the last one.
 *
 * <p>The nodes are held in static fields of this class, so one subclass at a time: the build runs test classes one after
 * the other (surefire and failsafe fork one JVM, JUnit's parallel execution is not enabled), and should it ever be, this
 * lock (inherited by every subclass) keeps the subclasses apart; {@link #startNodes} also refuses while another class's
 * nodes are up.
 */
@ResourceLock("io.herald.testing.OnTwoNodes")
public abstract class OnTwoNodes {
    protected static TwoNodes hub;
    protected static HeraldNode nodeA;
    protected static HeraldNode nodeB;
    protected static Vertx clients;

    /** Starts the two nodes, the shipped configuration changed by {@code edit}. */
    protected static void startNodes(Consumer<JsonObject> edit) {
        if (hub != null) {
            throw new IllegalStateException("the nodes of another test class are still up: classes on OnTwoNodes run one at a time");
        }
        hub = TwoNodes.start(edit);
        nodeA = hub.a;
        nodeB = hub.b;
        clients = hub.clients;
    }

    @AfterAll
    static void stopNodes() {
        if (hub != null) {
            try {
                hub.close();
            } finally {
                hub = null;
                nodeA = null;
                nodeB = null;
                clients = null;
            }
        }
    }

    /** A bridge client of {@code node} with a token for this user and role. */
    protected static BridgeClient connect(HeraldNode node, String user, String role) {
        return hub.connect(node, user, role);
    }
}
