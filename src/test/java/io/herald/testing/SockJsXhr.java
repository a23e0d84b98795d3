package io.herald.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A SockJS xhr-polling session by hand, as a browser without WebSocket has one: {@code xhr_send} posts bridge
 * frames (several in one body), a poller thread long-polls {@code xhr}; the token rides on every request's URL,
 * as sockjs-client keeps its first URL.
 */
public final class SockJsXhr implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String query;
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final Thread poller;
    /** Frames {@link #next} passed over. */
    public final List<JsonObject> skipped = new CopyOnWriteArrayList<>();
    /** The SockJS close frame ({@code [code, "reason"]}) once the node closed the session, else null. */
    public volatile JsonArray closeFrame;
    private volatile boolean closed;

    private SockJsXhr(int port, String token) {
        this.base = "http://127.0.0.1:" + port + "/eventbus/" + (100 + (int) (Math.random() * 800)) + "/"
                + UUID.randomUUID().toString().replace("-", "") + "/";
        this.query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        this.poller = new Thread(this::poll, "xhr-poller");
    }

    /** Opens the session (the first {@code xhr} answers {@code o}) and starts polling. */
    public static SockJsXhr open(int port, String token) throws Exception {
        SockJsXhr client = new SockJsXhr(port, token);
        String opened = client.post("xhr", "").body();
        if (!opened.startsWith("o")) {
            throw new AssertionError("the session did not open: " + opened);
        }
        client.poller.setDaemon(true);
        client.poller.start();
        return client;
    }

    public HttpResponse<String> post(String transport, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + transport + query)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts the frames in one {@code xhr_send} body; answers its status (204, or 404 once the session is gone). */
    public int send(JsonObject... bridgeFrames) throws Exception {
        return send(List.of(bridgeFrames));
    }

    public int send(List<JsonObject> bridgeFrames) throws Exception {
        JsonArray messages = new JsonArray();
        for (JsonObject frame : bridgeFrames) {
            messages.add(frame.encode());
        }
        return post("xhr_send", messages.encode()).statusCode();
    }

    private void poll() {
        while (!closed) {
            try {
                String body = post("xhr", "").body();
                if (body.startsWith("a")) {
                    new JsonArray(body.substring(1).trim()).forEach(m -> frames.add(new JsonObject((String) m)));
                } else if (body.startsWith("c")) {
                    closeFrame = new JsonArray(body.substring(1).trim());
                    return;
                }
            } catch (Exception e) {
                if (!closed) {
                    frames.add(new JsonObject().put("type", "poll-failed").put("error", String.valueOf(e)));
                }
                return;
            }
        }
    }

    /** The next frame that matches (those before it go to {@link #skipped}); fails after {@link BridgeClient#WAIT}. */
    public JsonObject next(Predicate<JsonObject> match) throws InterruptedException {
        long end = System.nanoTime() + BridgeClient.WAIT.toNanos();
        while (System.nanoTime() < end) {
            JsonObject frame = frames.poll(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (frame != null && match.test(frame)) {
                return frame;
            }
            if (frame != null) {
                skipped.add(frame);
            }
        }
        throw new AssertionError("no matching frame within " + BridgeClient.WAIT);
    }

    /** Waits until the node closed the session (its poll got the close frame); true if it did. */
    public boolean awaitClose() throws InterruptedException {
        long end = System.nanoTime() + BridgeClient.WAIT.toNanos();
        while (closeFrame == null && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        return closeFrame != null;
    }

    /** Frames received and not taken yet. */
    public List<JsonObject> drain() {
        List<JsonObject> rest = new java.util.ArrayList<>();
        frames.drainTo(rest);
        return rest;
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
