package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clients of the reconnect storm: each a raw WebSocket (its own staff token) registered on one type, that
 * checks what it gets as a browser's client would: every {@code seq} once and in order in one epoch, no {@code err}
 * frame, no {@code slow_consumer} close. When told to, it reconnects to another node with {@code since} (its last seq)
 * and {@code epoch}. Frames are read without a JSON parser (the generator shares one core with 5,000 of them):
 * the body's {@code "seq":} and {@code "epoch":"…"}.
 */
final class StormClients implements AutoCloseable {
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EPOCH = "\"epoch\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ERR = "{\"type\":\"err\"".getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx;
    private final String type;
    private final WebSocketClient client;
    private final Client[] clients;
    /** Events received in order (all clients). */
    final LongAdder received = new LongAdder();
    /** Events received since {@link #markReplay()} with a seq up to the replay's end: what the replay delivered. */
    final LongAdder replayed = new LongAdder();
    final LongAdder bytes = new LongAdder();
    /** A seq out of order, twice, missing, or in another epoch. */
    final LongAdder orderProblems = new LongAdder();
    final LongAdder errFrames = new LongAdder();
    final LongAdder slowConsumerCloses = new LongAdder();
    final LongAdder connectErrors = new LongAdder();
    final AtomicInteger open = new AtomicInteger();
    /** Clients whose last seq has reached {@link #target}. */
    final AtomicInteger whole = new AtomicInteger();
    private volatile long target = Long.MAX_VALUE;
    private volatile long replayUntil = -1;
    final List<String> firstProblems = java.util.Collections.synchronizedList(new ArrayList<>());

    private final class Client {
        final String uri;
        WebSocket socket;
        long last;
        String epoch;
        boolean counted;

        Client(String uri) {
            this.uri = uri;
        }
    }

    StormClients(Vertx vertx, String type, int count) {
        this.vertx = vertx;
        this.type = type;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000).setConnectTimeout(30_000));
        JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HeraldConfig.DEV_JWT_SECRET)));
        this.clients = new Client[count];
        for (int i = 0; i < count; i++) {
            String token = jwt.generateToken(new JsonObject().put("sub", "storm-" + i).put("role", "staff"),
                    new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(7200));
            clients[i] = new Client("/eventbus/websocket?token=" + token);
        }
    }

    int size() {
        return clients.length;
    }

    /** From now on, a client is whole once its last seq is {@code seq}. */
    void target(long seq) {
        target = seq;
        whole.set(0);
        for (Client c : clients) {
            synchronized (c) {
                c.counted = c.last >= seq;
                if (c.counted) {
                    whole.incrementAndGet();
                }
            }
        }
    }

    /** Events up to {@code until} received from now on count as replayed. */
    void markReplay(long until) {
        replayUntil = until;
    }

    /** Client {@code i} connects to {@code port} and registers; with {@code resume}, with since and epoch of what it has. */
    Future<Void> connect(int i, int port, boolean resume) {
        Client c = clients[i];
        JsonObject register = new JsonObject().put("type", "register").put("address", type);
        synchronized (c) {
            if (resume && c.epoch != null) {
                register.put("headers", new JsonObject().put("since", String.valueOf(c.last)).put("epoch", c.epoch));
            }
        }
        return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(c.uri))
                .compose(ws -> {
                    synchronized (c) {
                        c.socket = ws;
                    }
                    open.incrementAndGet();
                    ws.handler(frame -> onFrame(c, frame));
                    ws.closeHandler(v -> {
                        open.decrementAndGet();
                        if ("slow_consumer".equals(ws.closeReason())) {
                            slowConsumerCloses.increment();
                            problem("a client was closed as slow_consumer: " + ws.closeStatusCode() + " " + ws.closeReason());
                        }
                    });
                    return ws.writeTextMessage(register.encode());
                })
                .onFailure(err -> {
                    connectErrors.increment();
                    problem("connect failed: " + err);
                });
    }

    /** Connects clients {@code from..to-1}, {@code perTick} every 10 ms, to {@code port.apply(i)}. */
    Future<Void> connectSpread(int from, int to, long overMs, java.util.function.IntUnaryOperator port, boolean resume) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        int count = to - from;
        long start = System.nanoTime();
        AtomicInteger started = new AtomicInteger(from);
        AtomicInteger finished = new AtomicInteger();
        vertx.setPeriodic(5, timer -> {
            long due = from + Math.min(count, overMs <= 0 ? count : (System.nanoTime() - start) / 1_000_000 * count / overMs + 1);
            while (started.get() < due) {
                int i = started.getAndIncrement();
                connect(i, port.applyAsInt(i), resume).onComplete(ar -> {
                    if (finished.incrementAndGet() == count) {
                        done.tryComplete();
                    }
                });
            }
            if (started.get() >= to) {
                vertx.cancelTimer(timer);
            }
        });
        return done.future();
    }

    private void onFrame(Client c, Buffer frame) {
        if (startsWith(frame, ERR)) {
            errFrames.increment();
            problem("err frame: " + frame.toString(StandardCharsets.UTF_8));
            return;
        }
        int at = indexOf(frame, SEQ, 0);
        if (at < 0) {
            return;
        }
        long seq = 0;
        for (int i = at + SEQ.length; i < frame.length(); i++) {
            byte b = frame.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            seq = seq * 10 + (b - '0');
        }
        int e = indexOf(frame, EPOCH, 0);
        String epoch = null;
        if (e >= 0) {
            int from = e + EPOCH.length;
            int end = from;
            while (end < frame.length() && frame.getByte(end) != '"') {
                end++;
            }
            epoch = frame.getString(from, end);
        }
        bytes.add(frame.length());
        synchronized (c) {
            if (seq != c.last + 1 || c.epoch != null && !c.epoch.equals(epoch)) {
                orderProblems.increment();
                problem("seq " + seq + " (epoch " + epoch + ") after " + c.last + " (epoch " + c.epoch + ")");
                if (seq <= c.last) {
                    return;
                }
            }
            c.last = seq;
            c.epoch = epoch;
            received.increment();
            if (seq <= replayUntil) {
                replayed.increment();
            }
            if (!c.counted && seq >= target) {
                c.counted = true;
                whole.incrementAndGet();
            }
        }
    }

    private void problem(String what) {
        if (firstProblems.size() < 10) {
            firstProblems.add(what);
        }
    }

    /** Closes every client's connection from the client's side (a normal close); the caller waits for {@link #open} to reach 0. */
    void closeAll() {
        for (Client c : clients) {
            WebSocket ws;
            synchronized (c) {
                ws = c.socket;
                c.socket = null;
            }
            if (ws != null) {
                ws.close();
            }
        }
    }

    /** The lowest last seq over the clients. */
    long lowestLast() {
        long low = Long.MAX_VALUE;
        for (Client c : clients) {
            synchronized (c) {
                low = Math.min(low, c.last);
            }
        }
        return low;
    }

    private static boolean startsWith(Buffer buffer, byte[] prefix) {
        if (buffer.length() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.getByte(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(Buffer buffer, byte[] needle, int from) {
        outer:
        for (int i = from; i <= buffer.length() - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        for (Client c : clients) {
            WebSocket ws;
            synchronized (c) {
                ws = c.socket;
            }
            if (ws != null) {
                ws.close();
            }
        }
        client.close();
    }
}
