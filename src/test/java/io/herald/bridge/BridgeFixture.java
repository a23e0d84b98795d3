package io.herald.bridge;

import io.herald.Addresses;
import io.herald.CloseReason;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.config.ConfigFile;
import io.herald.config.HeraldConfig;
import io.herald.delivery.Connection;
import io.herald.delivery.Fanout;
import io.herald.delivery.RegisterFrame;
import io.herald.delivery.ReplayBudget;
import io.herald.delivery.TypeStream;
import io.herald.event.EventBatch;
import io.herald.event.EventBatchCodec;
import io.herald.event.EventPublisher;
import io.herald.history.LocalEventLog;
import io.herald.stats.NodeStats;
import io.herald.testing.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.herald.bridge.SocketBridgeTest.CATALOG;

/**
 * The base of the bridge's unit tests: the dispatch on a plain local Vert.x (event batches with their codec), for each
 * test one {@link SocketBridge} over the shipped catalog and a memory history with one fake socket
 * ({@link SocketBridgeTest.Socket}) whose token verifies as {@code u-1} (staff), a policy that lets everything through
 * (standing for the access rules) followed by the test's own ({@link #policies()}).
 */
abstract class BridgeFixture {
    static Vertx vertx;
    Context context;
    MessageConsumer<String> auth;
    SocketBridge bridge;
    SocketBridgeTest.Socket socket;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        vertx.eventBus().registerDefaultCodec(EventBatch.class, new EventBatchCodec());
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    /** The test's policies, after the one that allows everything (none unless it says). */
    ConnectionPolicy[] policies() {
        return new ConnectionPolicy[0];
    }

    /** The bridge with its connection open. */
    @BeforeEach
    void openBridge() {
        auth = vertx.eventBus().localConsumer(Addresses.AUTH_VERIFY,
                request -> request.reply(new Principal("u-1", "staff", null, Set.of()).toJson()));
        auth.completion().await();
        context = vertx.getOrCreateContext();
        HeraldConfig config = HeraldConfig.fromJson(ConfigFile.builtIn("herald.json").readJson("test"), null, Map.of());
        LocalEventLog log = new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0));
        NodeStats stats = new NodeStats("test");
        EventPublisher publisher = new EventPublisher(vertx, CATALOG, log, stats);
        Fanout fanout = new Fanout(context, CATALOG, log, stats, new TypeStream.DeliveryOptions(500, 200, 1000, 1000, 256 * 1024, new ReplayBudget(1 << 20)));
        ConnectionPolicy allowAll = new ConnectionPolicy() {
            @Override
            public void onRegister(Connection connection, RegisterFrame register) {
                register.grant(Access.ALL);
            }

            @Override
            public void onPublish(Connection connection, PublishFrame publish) {
                publish.allow();
            }
        };
        List<ConnectionPolicy> all = new ArrayList<>(List.of(allowAll));
        all.addAll(List.of(policies()));
        bridge = new SocketBridge(vertx.eventBus(), CATALOG, publisher, stats, config.bridge(), 0, fanout, all, () -> null);
        socket = new SocketBridgeTest.Socket();
        context.runOnContext(v -> bridge.handle(socket));
        Eventually.assertEventually("the connection opened", () -> socket.frames != null);
    }

    @AfterEach
    void closeBridge() {
        context.runOnContext(v -> bridge.closeAll(CloseReason.SHUTDOWN, "test over"));
        auth.unregister().await();
    }

    /** The client sends these frames, in this order, on the connection's context. */
    void client(String... frames) {
        context.runOnContext(v -> {
            for (String frame : frames) {
                socket.frames.handle(frame);
            }
        });
    }
}
