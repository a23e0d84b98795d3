package io.herald.bench;

import com.hazelcast.config.FileSystemXmlConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference point: the stock Vert.x SockJS bridge ({@code SockJSHandler.bridge} with one outbound
 * permission, an address regex, and nothing else) on a clustered Vert.x, plus the same
 * {@code POST /api/events} and {@code GET /health} as Herald so that the load generator drives both alike.
 * <p>
 * {@code java -cp … io.herald.bench.StockBridgeServer <httpPort> <cluster.xml>}
 */
public final class StockBridgeServer {
    private StockBridgeServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HazelcastClusterManager cluster = new HazelcastClusterManager(new FileSystemXmlConfig(Path.of(args[1]).toFile()));
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost("127.0.0.1");
        Vertx vertx = Vertx.builder().with(options).withClusterManager(cluster).buildClustered().await();

        AtomicLong seq = new AtomicLong();
        Router router = Router.router(vertx);
        SockJSBridgeOptions bridge = new SockJSBridgeOptions().addOutboundPermitted(new PermittedOptions().setAddressRegex("order:.*"));
        router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge));
        router.post("/api/events").handler(BodyHandler.create()).handler(ctx -> {
            JsonObject event = ctx.body().asJsonObject();
            String type = event.getString("type");
            JsonObject envelope = new JsonObject().put("id", UUID.randomUUID().toString()).put("type", type)
                    .put("ts", System.currentTimeMillis()).put("seq", seq.incrementAndGet()).put("data", event.getJsonObject("data"));
            vertx.eventBus().publish(type, envelope);
            ctx.response().setStatusCode(202).end(new JsonObject().put("id", envelope.getString("id")).put("seq", envelope.getLong("seq")).encode());
        });
        router.get("/health").handler(ctx -> ctx.response().end("{\"status\":\"UP\"}"));
        vertx.createHttpServer().requestHandler(router).listen(port).await();
        System.out.println("stock bridge up on port " + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    }
}
