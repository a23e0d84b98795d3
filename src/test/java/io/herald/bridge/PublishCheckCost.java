package io.herald.bridge;

import io.herald.Addresses;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.config.ConfigFile;
import io.herald.config.HeraldConfig;
import io.herald.delivery.Connection;
import io.herald.delivery.Fanout;
import io.herald.delivery.RegisterFrame;
import io.herald.delivery.ReplayBudget;
import io.herald.delivery.TypeStream;
import io.herald.event.EventPublisher;
import io.herald.history.LocalEventLog;
import io.herald.stats.NodeStats;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Not a test (surefire runs *Test): what the publish checks cost a client publish of a type no check takes. ns per
 * client publish frame through SocketBridge (local log, EventPublisher, no subscriber), alternating a bridge without
 * publish checks and one with a check like the publish proxy's (a set lookup) on other types; medians of 10 pairs
 * after 2 warm-up pairs. Run (after mvn -B -o -q test-compile):
 * {@code mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt && java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.herald.bridge.PublishCheckCost}
 *
 * <p>Was: ns per client publish frame through SocketBridge, without publish checks and with the publish proxy's check on another type. */
public class PublishCheckCost {
    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        vertx.eventBus().registerDefaultCodec(io.herald.event.EventBatch.class, new io.herald.event.EventBatchCodec());
        vertx.eventBus().<String>localConsumer(Addresses.AUTH_VERIFY, r -> r.reply(new Principal("u-1", "customer", null, Set.of()).toJson())).completion().await();
        io.herald.catalog.EventCatalog catalog = SocketBridgeTest.CATALOG;
        HeraldConfig config = HeraldConfig.fromJson(ConfigFile.builtIn("herald.json").readJson("test"), null, Map.of());
        Set<String> proxied = Set.of("customer:added_to_cart", "chat:message");
        int frames = 1000, rounds = 40;
        List<Long> plain = new ArrayList<>(), checked = new ArrayList<>();
        for (int run = 0; run < 12; run++) {
            for (boolean withCheck : new boolean[]{false, true}) {
                Context context = vertx.getOrCreateContext();
                LocalEventLog log = new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0));
                NodeStats stats = new NodeStats("cost");
                EventPublisher publisher = new EventPublisher(vertx, catalog, log, stats);
                Fanout fanout = new Fanout(context, catalog, log, stats, new TypeStream.DeliveryOptions(500, 200, 1000, 1000, 256 * 1024, new ReplayBudget(1 << 20)));
                ConnectionPolicy allow = new ConnectionPolicy() {
                    @Override
                    public void onPublish(Connection c, PublishFrame p) {
                        p.allow();
                    }
                };
                ConnectionPolicy check = new ConnectionPolicy() {
                    @Override
                    public PublishCheck publishCheck() {
                        return (c, p) -> proxied.contains(p.type()) ? io.vertx.core.Future.succeededFuture() : null;
                    }
                };
                SocketBridge bridge = new SocketBridge(vertx.eventBus(), catalog, publisher, stats, config.bridge(), 0, fanout,
                        withCheck ? List.of(allow, check) : List.of(allow), () -> null);
                SocketBridgeTest.Socket socket = new SocketBridgeTest.Socket();
                context.runOnContext(v -> bridge.handle(socket));
                while (socket.frames == null) Thread.sleep(5);
                String frame = "{\"type\":\"publish\",\"address\":\"customer:viewing_product\",\"body\":{\"productId\":\"p-1\"}}";
                long start = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    Promise<Void> done = Promise.promise();
                    context.runOnContext(v -> {
                        for (int i = 0; i < frames; i++) socket.frames.handle(frame);
                        done.complete();
                    });
                    done.future().await();
                }
                long target = (long) frames * rounds;
                while (stats.snapshot().getLong("eventsPublished") < target) Thread.sleep(1);
                long ns = (System.nanoTime() - start) / target;
                if (run >= 2) (withCheck ? checked : plain).add(ns);
                context.runOnContext(v -> bridge.closeAll(io.herald.CloseReason.SHUTDOWN, "x"));
            }
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) ratios.add(Math.round(100.0 * checked.get(i) / plain.get(i)) / 100.0);
        ratios.sort(null);
        System.out.println("paired ratios with / without: " + ratios + " median " + ratios.get(ratios.size() / 2));
        plain.sort(null); checked.sort(null);
        System.out.println("ns/publish without checks: " + plain + " median " + plain.get(plain.size() / 2));
        System.out.println("ns/publish with a check on other types: " + checked + " median " + checked.get(checked.size() / 2));
        vertx.close().await();
    }
}
