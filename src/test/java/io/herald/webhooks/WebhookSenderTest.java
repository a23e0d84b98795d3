package io.herald.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One attempt against a real local HTTP server: a 2xx takes it; a 500, no answer in time and no listener each fail, in words. */
class WebhookSenderTest {
    static Vertx vertx;
    static HttpServer server;
    static HttpClient client;
    static final AtomicReference<HttpServerRequest> last = new AtomicReference<>();

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            last.set(request);
            switch (request.path()) {
                case "/ok" -> request.body().onSuccess(body -> request.response().setStatusCode(202).end());
                case "/down" -> request.response().setStatusCode(500).end("a body the sender drops");
                default -> { } // /hang: never answers
            }
        }).listen(0, "127.0.0.1").await();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void tearDown() {
        vertx.close().await();
    }

    static Future<Integer> send(String path) {
        return send(path, 10_000); // generous: the machine may be loaded
    }

    static Future<Integer> send(String path, int timeoutMs) {
        WebhookSender sender = new WebhookSender(vertx, client, "erp", "http://127.0.0.1:" + server.actualPort() + path, timeoutMs,
                new WebhookSignature("s3cret"));
        return sender.send("e-1", Buffer.buffer("{\"id\":\"e-1\"}"));
    }

    @Test
    void a2xxTakesItWithTheHeaders() {
        assertEquals(202, send("/ok").await());
        HttpServerRequest request = last.get();
        assertEquals("e-1", request.getHeader("Herald-Event-Id"));
        assertEquals("erp", request.getHeader("Herald-Webhook-Id"));
        assertEquals("application/json", request.getHeader("Content-Type"));
        String signature = request.getHeader("Herald-Signature");
        long t = Long.parseLong(signature.substring(2, signature.indexOf(',')));
        assertTrue(new WebhookSignature("s3cret").verify(signature, "{\"id\":\"e-1\"}".getBytes(), t, 0), signature);
    }

    @Test
    void aStatusOtherThan2xxNoAnswerInTimeAndNoListenerFail() {
        assertEquals("HTTP 500", failure(send("/down")));
        assertEquals("no answer within 1000 ms", failure(send("/hang", 1000)));
        WebhookSender nobody = new WebhookSender(vertx, client, "erp", "http://127.0.0.1:1/x", 10_000, new WebhookSignature("s"));
        String refused = failure(nobody.send("e-2", Buffer.buffer("{}")));
        assertTrue(!refused.isEmpty() && !refused.contains("s3cret"), refused);
    }

    static String failure(Future<Integer> future) {
        try {
            future.await();
        } catch (WebhookSender.Failed e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof WebhookSender.Failed failed) {
                return failed.getMessage();
            }
            throw e;
        }
        throw new AssertionError("it succeeded");
    }
}
