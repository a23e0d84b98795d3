package io.herald.testing;

import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * A backend publishing over HTTP in its own thread, one {@code POST /api/events} after the other, the types in
 * turn, to the node {@code port} names at each request (-1: wait). Records the id of every event answered 202,
 * every other answer (a failure), and requests that got no answer at all (the node died under them: such an
 * event may or may not have been published).
 */
public final class HttpPublisher implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final IntSupplier port;
    private final List<String> types;
    private final long pauseMs;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean paused;
    /** Held while a request is chosen and sent, so that {@link #pause()} can wait for the one in flight. */
    private final Object sending = new Object();
    private final Map<String, List<String>> accepted = new HashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> unanswered = new ArrayList<>();
    private int sent;

    public HttpPublisher(String name, IntSupplier port, List<String> types, long pauseMs) {
        this.name = name;
        this.port = port;
        this.types = List.copyOf(types);
        this.pauseMs = pauseMs;
        types.forEach(type -> accepted.put(type, new ArrayList<>()));
        this.thread = new Thread(this::run, "publisher-" + name);
        thread.setDaemon(true);
    }

    public HttpPublisher start() {
        thread.start();
        return this;
    }

    private void run() {
        int n = 0;
        while (!stopped) {
            boolean sentOne;
            synchronized (sending) {
                int target = paused ? -1 : port.getAsInt();
                sentOne = target >= 0;
                if (sentOne) {
                    String type = types.get(n++ % types.size());
                    if (!post(target, type, n)) {
                        return;
                    }
                }
            }
            sleep(sentOne ? pauseMs : 20);
        }
    }

    /** One POST; false when interrupted. */
    private boolean post(int target, String type, int n) {
        String body = new JsonObject().put("type", type)
                .put("data", new JsonObject().put("orderId", name + "-" + n).put("customerId", "c-" + name).put("n", n)).encode();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + "/api/events"))
                .header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            synchronized (this) {
                sent++;
                if (response.statusCode() == 202) {
                    accepted.get(type).add(new JsonObject(response.body()).getString("id"));
                } else {
                    failures.add(name + " -> " + target + ": " + response.statusCode() + " " + response.body());
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                sent++;
                unanswered.add(name + " -> " + target + ": " + e);
            }
        } catch (InterruptedException e) {
            return false;
        }
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sending and waits until the request in flight, if any, has its answer. */
    public void pause() {
        paused = true;
        synchronized (sending) {
            // the request in flight, if any, has its answer
        }
    }

    public void resume() {
        paused = false;
    }

    public synchronized Map<String, List<String>> accepted() {
        Map<String, List<String>> copy = new HashMap<>();
        accepted.forEach((type, ids) -> copy.put(type, List.copyOf(ids)));
        return copy;
    }

    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    public synchronized List<String> unanswered() {
        return List.copyOf(unanswered);
    }

    public synchronized int sent() {
        return sent;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(60_000);
    }
}
