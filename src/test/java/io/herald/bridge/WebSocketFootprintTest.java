package io.herald.bridge;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.herald.testing.Eventually.assertEventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vert.x internals {@link WebSocketFootprint} trims are still there (this fails after a Vert.x upgrade that
 * changed them: revisit the class), the trim lets the upgrade's HTTP/1 connection go, and a trimmed WebSocket still
 * reads and writes through Vert.x, from its event loop and from another thread.
 */
class WebSocketFootprintTest extends VertxWebSocketTest {
    @Test
    void theVertxFieldsAreThere() {
        assertTrue(WebSocketFootprint.available(), "Vert.x changed the fields WebSocketFootprint trims: revisit it");
    }

    @Test
    void aTrimmedSocketLetsItsUpgradeGoAndStillWorks() throws Exception {
        CompletableFuture<Boolean> trimmed = new CompletableFuture<>();
        WeakReference<?>[] upgrade = new WeakReference<?>[1];
        HttpServer server = listen(vertx.createHttpServer()
                .connectionHandler(connection -> upgrade[0] = new WeakReference<>(connection))
                .webSocketHandler(ws -> {
                    trimmed.complete(WebSocketFootprint.trim(ws));
                    // an echo through Vert.x's outbound queue, from the event loop and from a thread of the pool
                    ws.textMessageHandler(text -> {
                        ws.writeTextMessage("loop:" + text);
                        new Thread(() -> ws.writeTextMessage("thread:" + text)).start();
                    });
                }));
        CompletableFuture<String> received = new CompletableFuture<>();
        StringBuilder answers = new StringBuilder();
        WebSocket ws = connect(server, new WebSocketClientOptions(), "/ws?token=x");
        ws.textMessageHandler(text -> {
            synchronized (answers) {
                answers.append(text).append(';');
                if (answers.toString().contains("loop:hi") && answers.toString().contains("thread:hi")) {
                    received.complete(answers.toString());
                }
            }
        });
        assertTrue(trimmed.get(10, TimeUnit.SECONDS), "the socket was trimmed");
        ws.writeTextMessage("hi");
        String both = received.get(10, TimeUnit.SECONDS);
        assertTrue(both.contains("loop:hi") && both.contains("thread:hi"), both);

        assertEventually("the upgrade's HTTP/1 connection is garbage once the socket is trimmed", () -> {
            System.gc();
            return upgrade[0].get() == null;
        });
        // the socket is still open and answers after the upgrade's objects went
        StringBuilder later = new StringBuilder();
        CompletableFuture<String> again = new CompletableFuture<>();
        ws.textMessageHandler(text -> {
            synchronized (later) {
                later.append(text).append(';');
                if (later.toString().contains("loop:again") && later.toString().contains("thread:again")) {
                    again.complete(later.toString());
                }
            }
        });
        ws.writeTextMessage("again");
        assertEquals(2, again.get(10, TimeUnit.SECONDS).split(";").length);
        ws.close().await();
    }
}
