package io.herald.soak;

import io.herald.config.HeraldConfig;
import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A backend publishing over HTTP in its own thread, one request after the other to a node picked at random: mostly
 * {@code POST /api/events}, one request in four a {@code POST /api/events/batch} of 2 to 5 events. Each event carries
 * a unique {@code pid} in its data; each outcome goes into the {@link SoakHistory}: 202 acked (with the answered
 * epoch and seq), refused for sure (connection refused, 4xx), or indeterminate (timeout, reset, 5xx).
 */
final class SoakHttpPublisher implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SoakHistory history;
    private final String name;
    private final List<String> hosts;
    private final List<Integer> ports;
    private final List<String> types;
    private final long pauseMs;
    private final Random random;
    private final Thread thread;
    private volatile boolean stopped;
    private long n;

    SoakHttpPublisher(SoakHistory history, String name, List<String> hosts, List<Integer> ports, List<String> types, long pauseMs, long seed) {
        this.history = history;
        this.name = name;
        this.hosts = List.copyOf(hosts);
        this.ports = List.copyOf(ports);
        this.types = List.copyOf(types);
        this.pauseMs = pauseMs;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "soak-" + name);
        thread.setDaemon(true);
    }

    SoakHttpPublisher start() {
        thread.start();
        return this;
    }

    private void run() {
        while (!stopped) {
            int node = random.nextInt(ports.size());
            int events = random.nextInt(4) == 0 ? 2 + random.nextInt(4) : 1;
            try {
                post(node, events);
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void post(int node, int count) throws InterruptedException {
        List<String[]> sent = new ArrayList<>(); // {pid, type}
        JsonArray events = new JsonArray();
        for (int i = 0; i < count; i++) {
            String pid = name + "-" + (++n);
            String type = types.get(random.nextInt(types.size()));
            sent.add(new String[] {pid, type});
            events.add(new JsonObject().put("type", type)
                    .put("data", new JsonObject().put("pid", pid).put("orderId", pid).put("customerId", "c-" + name)
                            .put("productId", SoakChecker.keyOf(pid))));
        }
        boolean batch = count > 1;
        String via = batch ? "batch" : "http";
        String body = batch ? new JsonObject().put("events", events).encode() : events.getJsonObject(0).encode();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hosts.get(node) + ":" + ports.get(node)
                        + (batch ? "/api/events/batch" : "/api/events")))
                .timeout(TIMEOUT).header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long sentMs = history.now();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            long doneMs = history.now();
            int status = response.statusCode();
            if (status == 202) {
                JsonObject answer = new JsonObject(response.body());
                List<JsonObject> results = new ArrayList<>();
                if (batch) {
                    answer.getJsonArray("results").forEach(r -> results.add((JsonObject) r));
                } else {
                    results.add(answer);
                }
                for (int i = 0; i < sent.size(); i++) {
                    JsonObject r = results.get(i);
                    history.publish(new Publish(sent.get(i)[0], sent.get(i)[1], name, via, node, sentMs, doneMs, Outcome.ACKED,
                            r.getString("epoch"), r.getLong("seq", 0L), "202"));
                }
            } else {
                Outcome outcome = status >= 500 ? Outcome.INDETERMINATE : Outcome.REFUSED;
                String detail = status + " " + response.body();
                sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, via, node, sentMs, doneMs, outcome, null, 0, detail)));
            }
        } catch (ConnectException | HttpConnectTimeoutException e) {
            long doneMs = history.now();
            sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, via, node, sentMs, doneMs, Outcome.REFUSED, null, 0,
                    "not connected: " + e)));
        } catch (IOException e) {
            long doneMs = history.now();
            sent.forEach(s -> history.publish(new Publish(s[0], s[1], name, via, node, sentMs, doneMs, Outcome.INDETERMINATE, null, 0,
                    String.valueOf(e))));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(TIMEOUT.toMillis() + 10_000);
    }
}
