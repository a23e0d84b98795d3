package io.herald.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the tests of the classes reaching into Vert.x's WebSocket internals share: a Vert.x per test, a server on a
 * free loopback port, a real Vert.x client connecting to it.
 */
abstract class VertxWebSocketTest {
    protected Vertx vertx;
    /** Kept reachable: Vert.x closes a WebSocket client the garbage collector finds unreferenced. */
    private final java.util.List<WebSocketClient> clients = new java.util.ArrayList<>();

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopVertx() {
        clients.forEach(client -> client.close().await());
        vertx.close().await();
    }

    /** {@code server} listening on a free loopback port. */
    protected static HttpServer listen(HttpServer server) {
        return server.listen(0, "127.0.0.1").await();
    }

    /** A Vert.x client's WebSocket to {@code uri} of {@code server}. */
    protected WebSocket connect(HttpServer server, WebSocketClientOptions options, String uri) {
        WebSocketClient client = vertx.createWebSocketClient(options);
        clients.add(client);
        return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI(uri)).await();
    }
}
