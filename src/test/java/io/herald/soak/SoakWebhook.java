package io.herald.soak;

import io.herald.webhooks.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Random;

/**
 * The soak's webhook receiver: a real HTTP server in this JVM that every node is configured to POST the soak's types to
 * (one webhook, sent by the oldest node, taken over when it dies). It checks each request's signature, refuses one in
 * twenty with 503 (so the sender retries), and records what it accepts as the at-least-once follower {@code w0}.
 */
final class SoakWebhook implements AutoCloseable {
    static final String ID = "soak";
    static final String NAME = SoakChecker.AT_LEAST_ONCE + "0";
    private static final String SECRET = "soak-webhook-secret-of-at-least-32-bytes";
    /**
     * One in twenty was too many for 30 minutes (seed 2029): each refusal costs the lane a 1 s backoff with one request in
     * flight per type, so it fell behind the soak's ~12 events/s per type until history (1,000 events of most types) no longer
     * held what it was to send, and it recorded gaps, as designed for a receiver that is down longer than history covers.
     */
    static final int REFUSE_ONE_IN = 200;

    private final HttpServer server;
    private final String url;

    private SoakWebhook(HttpServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /** Listens on {@code host} (where the nodes reach this JVM) and follows {@code types} from now. */
    static SoakWebhook start(Vertx vertx, SoakHistory history, String host, List<String> types, long seed) {
        Random random = new Random(seed);
        WebhookSignature signature = new WebhookSignature(SECRET);
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String signed = request.getHeader(WebhookSignature.HEADER);
            if (signed == null || !signature.verify(signed, body.getBytes(), System.currentTimeMillis() / 1000, 300)) {
                history.note("webhook: a request with a bad signature");
                request.response().setStatusCode(401).end();
                return;
            }
            boolean refuse;
            synchronized (random) {
                refuse = random.nextInt(REFUSE_ONE_IN) == 0;
            }
            if (refuse) {
                request.response().setStatusCode(503).end();
                return;
            }
            JsonObject envelope = body.toJsonObject();
            JsonObject data = envelope.getJsonObject("data", new JsonObject());
            history.delivery(NAME, envelope.getString("type"), data.getString("pid"), envelope.getString("epoch"),
                    envelope.getLong("seq", -1L), -1);
            request.response().setStatusCode(204).end();
        })).listen(0, host).await();
        for (String type : types) {
            history.follow(NAME, type);
        }
        return new SoakWebhook(server, "http://" + host + ":" + server.actualPort() + "/hook");
    }

    /** The nodes' {@code HERALD_WEBHOOKS}. */
    String config(List<String> types) {
        return new JsonArray().add(new JsonObject().put("id", ID).put("url", url).put("types", new JsonArray(types))
                .put("secret", SECRET).put("timeoutMs", 5000)).encode();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
