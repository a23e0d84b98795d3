package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop publishing load for the ingest scenario: {@code connections} keep-alive HTTP/1.1 connections,
 * spread evenly over the given servers, each with {@code inFlight / connections} pipelined requests
 * outstanding; each answer sends the next request. Every request is the same pre-encoded bytes (one event,
 * or a batch of {@code batchSize}), and answers are only framed (status line, Content-Length), so the
 * generator costs about 3 µs per request. A first version on Vert.x's HttpClient cost about as much CPU per
 * request as the server (25 µs, after a 5 s warmup) and left the server core a third idle.
 */
final class IngestLoad {
    final LongAdder accepted = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** The first error, to say what went wrong when errors is not 0. */
    final AtomicReference<String> firstError = new AtomicReference<>();

    private final NetClient client;
    private final List<Integer> ports;
    private final int connections;
    private final int perConnection;
    private final int eventsPerRequest;
    private final String uri;
    private final String body;
    private final int batchSize;
    /** Every request with new idempotency keys (a header, or a field per batch event): what a keyed publish costs. */
    private final boolean keys;
    /** The type published (a keyed one, order:status_changed, measures the state update: docs/state.md). */
    private final String type;
    private final String keyPrefix = "k-" + java.util.UUID.randomUUID() + "-";
    private final java.util.concurrent.atomic.AtomicLong nextKey = new java.util.concurrent.atomic.AtomicLong();
    private final List<NetSocket> sockets = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final Promise<Void> stopped = Promise.promise();
    private volatile boolean running;

    /** {@code batchSize} 0 posts single events to /api/events, more posts batches to /api/events/batch. */
    IngestLoad(Vertx vertx, List<Integer> ports, int connections, int inFlight, int batchSize) {
        this(vertx, ports, connections, inFlight, batchSize, "order:created", false);
    }

    IngestLoad(Vertx vertx, List<Integer> ports, int connections, int inFlight, int batchSize, String type) {
        this(vertx, ports, connections, inFlight, batchSize, type, false);
    }

    IngestLoad(Vertx vertx, List<Integer> ports, int connections, int inFlight, int batchSize, boolean keys) {
        this(vertx, ports, connections, inFlight, batchSize, "order:created", keys);
    }

    /** With {@code keys}, each request (each batch event) carries an idempotency key never sent before. */
    IngestLoad(Vertx vertx, List<Integer> ports, int connections, int inFlight, int batchSize, String type, boolean keys) {
        this.keys = keys;
        this.type = type;
        this.batchSize = batchSize;
        this.client = vertx.createNetClient();
        this.ports = ports;
        this.connections = Math.max(connections, ports.size());
        this.perConnection = Math.max(1, inFlight / this.connections);
        this.eventsPerRequest = Math.max(1, batchSize);
        this.uri = batchSize == 0 ? "/api/events" : "/api/events/batch";
        this.body = batchSize == 0 ? event(type, 0, null) : batch(type, batchSize, null);
    }

    private static String event(String type, int n, String key) {
        return "{\"type\":\"" + type + "\",\"data\":{\"orderId\":\"o-" + n + "\",\"customerId\":\"c-1\",\"total\":42.5}"
                + (key == null ? "" : ",\"idempotencyKey\":\"" + key + "\"") + "}";
    }

    private static String batch(String type, int size, String keyPrefix) {
        StringBuilder events = new StringBuilder("{\"events\":[");
        for (int i = 0; i < size; i++) {
            events.append(i == 0 ? "" : ",").append(event(type, i, keyPrefix == null ? null : keyPrefix + i));
        }
        return events.append("]}").toString();
    }

    private Buffer request(int port) {
        String key = null;
        String content = body;
        if (keys) {
            key = keyPrefix + nextKey.getAndIncrement();
            content = batchSize == 0 ? body : batch(type, batchSize, key + "-");
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + uri + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + HeraldConfig.DEV_API_KEY
                + (key != null && batchSize == 0 ? "\r\nIdempotency-Key: " + key : "")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        return Buffer.buffer(head).appendBytes(bytes);
    }

    /** Connects and starts sending; completes when every connection is open. */
    Future<Void> start() {
        running = true;
        List<Future<NetSocket>> connected = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int port = ports.get(i % ports.size());
            connected.add(client.connect(port, "127.0.0.1").onSuccess(socket -> drive(socket, port)));
        }
        return Future.all(connected).mapEmpty();
    }

    private void drive(NetSocket socket, int port) {
        Buffer request = request(port);
        synchronized (sockets) {
            sockets.add(socket);
        }
        busy.incrementAndGet();
        int[] outstanding = {perConnection};
        boolean[] inHeaders = {true};
        int[] status = {0};
        RecordParser parser = RecordParser.newDelimited("\r\n\r\n");
        parser.handler(record -> {
            String error;
            if (inHeaders[0]) {
                String head = record.toString(StandardCharsets.ISO_8859_1);
                status[0] = Integer.parseInt(head.substring(9, 12));
                int length = contentLength(head);
                if (length > 0) {
                    inHeaders[0] = false;
                    parser.fixedSizeMode(length);
                    return;
                }
                error = status[0] == 202 ? null : "status " + status[0];
            } else {
                inHeaders[0] = true;
                parser.delimitedMode("\r\n\r\n");
                error = status[0] == 202 ? null : status[0] + " " + record;
            }
            if (error == null) {
                accepted.add(eventsPerRequest);
            } else {
                errors.increment();
                firstError.compareAndSet(null, error);
            }
            if (running) {
                socket.write(keys ? request(port) : request);
            } else if (--outstanding[0] == 0 && busy.decrementAndGet() == 0) {
                stopped.tryComplete();
            }
        });
        socket.handler(parser);
        socket.exceptionHandler(err -> {
            errors.increment();
            firstError.compareAndSet(null, err.toString());
        });
        socket.closeHandler(v -> {
            if (running) {
                errors.increment();
                firstError.compareAndSet(null, "connection closed by the server");
            }
        });
        Buffer first = Buffer.buffer();
        for (int i = 0; i < perConnection; i++) {
            first.appendBuffer(keys ? request(port) : request);
        }
        socket.write(first);
    }

    private static int contentLength(String head) {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        if (at < 0) {
            throw new IllegalStateException("an answer without Content-Length:\n" + head);
        }
        int end = lower.indexOf("\r\n", at);
        return Integer.parseInt(lower.substring(at + "content-length:".length(), end < 0 ? lower.length() : end).trim());
    }

    /** Stops sending; completes when every outstanding request has been answered. */
    Future<Void> stop() {
        running = false;
        if (busy.get() == 0) {
            stopped.tryComplete();
        }
        return stopped.future().timeout(30, TimeUnit.SECONDS);
    }

    void close() {
        synchronized (sockets) {
            sockets.forEach(NetSocket::close);
        }
        client.close().await();
    }
}
