package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many WebSocket clients of one server (raw transport {@code /eventbus/websocket}, bridge protocol),
 * each authenticated (Herald: its own staff token) and registered on one event type. The same driver speaks to
 * the peers: to Socket.IO 4.8 the Engine.IO v4 / Socket.IO v5 wire over its websocket transport ({@code 0{..}} open,
 * {@code 40} connect, {@code 42["subscribe",type]}, ping {@code 2} answered {@code 3}, events {@code 42["event",{..}]}),
 * to the floor a plain WebSocket (subscribed on upgrade; what the driver sends it is dropped). Counts what
 * arrives and records publish→receive latency from the {@code sentAt} (System.nanoTime, one clock
 * for every process of this machine) the publisher put in the data.
 */
final class LoadClient implements AutoCloseable {
    static final String TYPE = "order:created";
    static final long PING_INTERVAL_MS = 5000;
    private static final byte[] SENT_AT = "\"sentAt\":".getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx;
    private final ServerProcess.Kind kind;
    private final int port;
    private final WebSocketClient client;
    private final JWTAuth jwt;
    private final ConcurrentLinkedQueue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
    final LongAdder errors = new LongAdder();
    /** Connections the server closed with 1001 {@code shutdown}. */
    final LongAdder shutdownCloses = new LongAdder();
    /** What the window being measured counts; null between windows. */
    private volatile Window window;
    /** For {@code --stalls}: each message's event number is read, in the warmup too. */
    volatile boolean readEventNumbers;
    private final ThreadLocal<Latency> warmupLatency = ThreadLocal.withInitial(Latency::new);
    /** When above 0, connection n registers with the filter {@code storeId eq "s-<n % filterStores>"} (the filters scenario). */
    private final int filterStores;

    LoadClient(Vertx vertx, ServerProcess.Kind kind, int port) {
        this(vertx, kind, port, 0);
    }

    LoadClient(Vertx vertx, ServerProcess.Kind kind, int port, int filterStores) {
        this(vertx, kind, port, filterStores, false);
    }

    /** {@code deflate}: the connections offer permessage-deflate (the compression scenario), as browsers do. */
    LoadClient(Vertx vertx, ServerProcess.Kind kind, int port, int filterStores, boolean deflate) {
        this.filterStores = filterStores;
        this.vertx = vertx;
        this.kind = kind;
        this.port = port;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000).setConnectTimeout(30_000)
                .setTryUsePerMessageCompression(deflate).setCompressionAllowClientNoContext(true)); // Herald answers client_no_context_takeover
        this.jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HeraldConfig.DEV_JWT_SECRET)));
    }

    private String uri(int user) {
        if (kind == ServerProcess.Kind.STOCK) {
            return "/eventbus/websocket";
        }
        if (kind == ServerProcess.Kind.SOCKETIO) {
            return "/socket.io/?EIO=4&transport=websocket";
        }
        if (kind == ServerProcess.Kind.FLOOR) {
            return "/ws";
        }
        String token = jwt.generateToken(new JsonObject().put("sub", "u-" + user).put("role", "staff"),
                new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(3600));
        return "/eventbus/websocket?token=" + token;
    }

    /** One connection, registered on {@link #TYPE}; {@code keep} false closes it right after the register. */
    Future<Void> open(int user, boolean keep) {
        return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri(user)))
                .compose(ws -> {
                    ws.exceptionHandler(err -> errors.increment());
                    Future<Void> registered;
                    if (kind == ServerProcess.Kind.SOCKETIO) {
                        Promise<Void> subscribed = Promise.promise();
                        ws.handler(message -> onSocketIo(ws, message, subscribed));
                        registered = subscribed.future();
                    } else {
                        ws.handler(this::onMessage);
                        registered = kind == ServerProcess.Kind.FLOOR ? Future.succeededFuture()
                                : ws.writeTextMessage(registerFrame(user));
                    }
                    if (keep) {
                        sockets.add(ws);
                        // each client pings on its own timer from its connect, as a browser's does (all at once, 1,000
                        // pings reached the server in one burst every 5 s); Socket.IO pings the client instead (onSocketIo)
                        long pings = kind == ServerProcess.Kind.SOCKETIO ? -1
                                : vertx.setPeriodic(PING_INTERVAL_MS, id -> ws.writeTextMessage("{\"type\":\"ping\"}"));
                        ws.closeHandler(v -> {
                            if (pings >= 0) {
                                vertx.cancelTimer(pings);
                            }
                            if (Short.valueOf((short) 1001).equals(ws.closeStatusCode()) && "shutdown".equals(ws.closeReason())) {
                                shutdownCloses.increment();
                            }
                            sockets.remove(ws);
                        });
                        return registered;
                    }
                    return registered.compose(v -> ws.close());
                })
                .onFailure(err -> errors.increment());
    }

    private String registerFrame(int user) {
        if (filterStores <= 0) {
            return "{\"type\":\"register\",\"address\":\"" + TYPE + "\"}";
        }
        String filter = new JsonObject().put("field", "storeId").put("op", "eq").put("value", "s-" + user % filterStores).encode();
        return new JsonObject().put("type", "register").put("address", TYPE).put("headers", new JsonObject().put("filter", filter)).encode();
    }

    /** Opens {@code count} connections, at most {@code perSecond} a second, and waits for all. */
    Future<Void> openMany(int count, int perSecond) {
        Promise<Void> done = Promise.promise();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        int perTick = Math.max(1, perSecond / 100);
        vertx.setPeriodic(10, timer -> {
            for (int i = 0; i < perTick && started.get() < count; i++) {
                open(started.getAndIncrement(), true).onComplete(ar -> {
                    if (finished.incrementAndGet() == count) {
                        done.tryComplete();
                    }
                });
            }
            if (started.get() >= count) {
                vertx.cancelTimer(timer);
            }
        });
        return done.future();
    }

    /** The client side of Engine.IO v4 / Socket.IO v5 on the websocket transport, just what the bench needs. */
    private void onSocketIo(WebSocket ws, Buffer message, Promise<Void> subscribed) {
        if (message.length() == 0) {
            return;
        }
        byte engine = message.getByte(0);
        if (engine == '2' && message.length() == 1) {
            ws.writeTextMessage("3"); // Engine.IO ping → pong
        } else if (engine == '0') {
            ws.writeTextMessage("40"); // Engine.IO open → Socket.IO connect to the main namespace
        } else if (engine == '4' && message.length() >= 2) {
            byte packet = message.getByte(1);
            if (packet == '0') { // connected: join the type's room
                ws.writeTextMessage("42[\"subscribe\",\"" + TYPE + "\"]").onComplete(subscribed);
            } else if (packet == '2') {
                onMessage(message);
            } else if (packet == '4') {
                errors.increment(); // connect_error
                subscribed.tryFail("connect_error: " + message);
            }
        }
    }

    private void onMessage(Buffer message) {
        int at = lastIndexOf(message, SENT_AT);
        if (at < 0) {
            return; // an err frame or anything else that is not an event
        }
        long sentAt = digitsAt(message, at + SENT_AT.length);
        long micros = (System.nanoTime() - sentAt) / 1000;
        long event = readEventNumbers ? eventNumber(message) : -1;
        Window counting = window;
        if (counting == null || sentAt < counting.from) {
            warmupLatency.get().record(micros);
            return;
        }
        counting.received.increment();
        counting.latency.get().record(micros);
        if (counting.stalls != null) {
            counting.stalls.record(event, sentAt, micros);
        }
    }

    private static final byte[] EVENT_NUMBER = "{\"n\":".getBytes(StandardCharsets.UTF_8);

    /** The publisher's n (data starts with it), or -1. */
    private static long eventNumber(Buffer message) {
        int at = lastIndexOf(message, EVENT_NUMBER);
        return at < 0 ? -1 : digitsAt(message, at + EVENT_NUMBER.length);
    }

    /** The decimal number that starts at {@code from}. */
    private static long digitsAt(Buffer message, int from) {
        long value = 0;
        for (int i = from; i < message.length(); i++) {
            byte b = message.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /** Searched from the end: the publisher puts sentAt last in data, and data ends the envelope. */
    private static int lastIndexOf(Buffer buffer, byte[] needle) {
        outer:
        for (int i = buffer.length() - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Counts the events published from now on, and what {@code stalls} (or null) records, until {@link #stopMeasuring}.
     * The warmup rehearses windows too: code that ran only in the window was compiled without those paths, and the
     * generator deoptimised on the window's first messages (every server's first second looked slow; --stalls).
     */
    Window startMeasuring(Stalls stalls) {
        Window started = new Window(stalls);
        window = started;
        return started;
    }

    void stopMeasuring() {
        window = null;
    }

    int openSockets() {
        return sockets.size();
    }

    /** One window's count of events, their latencies, and what its {@link Stalls} (or null) records. */
    static final class Window {
        final long from = System.nanoTime();
        final LongAdder received = new LongAdder();
        final Stalls stalls;
        private final List<Latency> latencies = new CopyOnWriteArrayList<>();
        private final ThreadLocal<Latency> latency = ThreadLocal.withInitial(() -> {
            Latency l = new Latency();
            latencies.add(l);
            return l;
        });

        private Window(Stalls stalls) {
            this.stalls = stalls;
        }

        Latency latency() {
            Latency all = new Latency();
            latencies.forEach(all::merge);
            return all;
        }
    }

    @Override
    public void close() {
        sockets.forEach(WebSocket::close);
        sockets.clear();
        client.close();
    }
}
