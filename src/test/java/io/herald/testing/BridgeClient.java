package io.herald.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A real WebSocket client of the bridge for tests, over the raw transport ({@code /eventbus/websocket})
 * or SockJS framing ({@code /eventbus/<server>/<session>/websocket}). Its methods block the test
 * thread (never an event loop) until the frame is written or a frame arrives.
 */
public final class BridgeClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger SYNC_IDS = new AtomicInteger();

    public enum Transport { RAW, SOCKJS }

    private final WebSocketClient client;
    private final Transport transport;
    private WebSocket socket;
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Integer closeCode;
    private volatile String closeReason;
    /** Bridge frames (and their UTF-8 bytes) this client sent and received, SockJS framing aside: what the node's stats count. */
    public final AtomicLong framesSent = new AtomicLong();
    public final AtomicLong bytesSent = new AtomicLong();
    public final AtomicLong framesReceived = new AtomicLong();
    public final AtomicLong bytesReceived = new AtomicLong();
    /** SockJS {@code a[…]} frames received, and the most messages one of them carried (the write window batches them). */
    public final AtomicLong sockJsMessageFrames = new AtomicLong();
    public final AtomicInteger mostMessagesInOneFrame = new AtomicInteger();

    private BridgeClient(WebSocketClient client, Transport transport) {
        this.client = client;
        this.transport = transport;
    }

    /** Handlers go on the socket before it connects, so no frame or close can come before them. */
    private void attach(ClientWebSocket ws) {
        socket = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
            closeCode = ws.closeStatusCode() == null ? null : (int) ws.closeStatusCode();
            closeReason = ws.closeReason();
            closed.countDown();
        });
    }

    public static BridgeClient connect(Vertx vertx, int port, String token) {
        return connect(vertx, port, token, Transport.RAW);
    }

    public static BridgeClient connect(Vertx vertx, int port, String token, Transport transport) {
        return connect(vertx, port, token, transport, null);
    }

    /** With these request headers on the WebSocket upgrade (cookies, a user agent), or none for null. */
    public static BridgeClient connect(Vertx vertx, int port, String token, Transport transport, io.vertx.core.MultiMap headers) {
        String path = transport == Transport.RAW
                ? "/eventbus/websocket"
                : "/eventbus/" + (100 + SYNC_IDS.incrementAndGet() % 800) + "/" + UUID.randomUUID().toString().replace("-", "") + "/websocket";
        if (token != null) {
            path += "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        }
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        BridgeClient bridge = new BridgeClient(client, transport);
        ClientWebSocket ws = client.webSocket();
        bridge.attach(ws);
        try {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1").setURI(path);
            if (headers != null) {
                headers.forEach(options::addHeader);
            }
            ws.connect(options).await();
        } catch (Throwable e) {
            // the node refused the connection right after the handshake: the close (and its err frame) came first,
            // and its close handler may still be on its way (IllegalStateException, or "WebSocket is closed")
            boolean refusedEarly = e instanceof IllegalStateException || "WebSocket is closed".equals(e.getMessage());
            if (!refusedEarly) {
                throw e;
            }
            // Vert.x's client hands our handlers to the socket once connected; when the node's close came first, that
            // throws ("WebSocket is closed"), the close handler is never called and the err before it is dropped, but
            // the socket kept the close's code and reason: they are what this client heard
            Short code = ws.closeStatusCode();
            if (code != null && bridge.closed.getCount() > 0) {
                bridge.closeCode = (int) code;
                bridge.closeReason = ws.closeReason();
                bridge.closed.countDown();
            }
            if (!bridge.awaitClose()) {
                throw e;
            }
        }
        return bridge;
    }

    private void received(String frame) {
        framesReceived.incrementAndGet();
        bytesReceived.addAndGet(frame.getBytes(StandardCharsets.UTF_8).length);
        JsonObject parsed = new JsonObject(frame);
        synchronized (frames) {
            frames.add(parsed);
        }
    }

    private void onText(String text) {
        if (transport == Transport.RAW) {
            received(text);
            return;
        }
        switch (text.charAt(0)) {
            case 'a' -> {
                JsonArray messages = new JsonArray(text.substring(1));
                sockJsMessageFrames.incrementAndGet();
                mostMessagesInOneFrame.accumulateAndGet(messages.size(), Math::max);
                messages.forEach(m -> received((String) m));
            }
            case 'c' -> {
                JsonArray close = new JsonArray(text.substring(1));
                closeCode = close.getInteger(0);
                closeReason = close.getString(1);
            }
            default -> { } // 'o' open and 'h' heartbeat frames
        }
    }

    /** Writes one bridge frame as given (any text, to test malformed input). */
    public BridgeClient sendRaw(String frame) {
        String wire = transport == Transport.RAW ? frame : new JsonArray().add(frame).encode();
        framesSent.incrementAndGet();
        bytesSent.addAndGet(frame.getBytes(StandardCharsets.UTF_8).length);
        socket.writeTextMessage(wire).await();
        return this;
    }

    public BridgeClient send(JsonObject frame) {
        return sendRaw(frame.encode());
    }

    /** Several frames in one WebSocket message (SockJS framing: one array), which the node handles in one go. */
    public BridgeClient sendTogether(List<JsonObject> frames) {
        if (transport != Transport.SOCKJS) {
            throw new IllegalStateException("only SockJS framing carries several frames in one message");
        }
        JsonArray messages = new JsonArray();
        frames.forEach(frame -> {
            String text = frame.encode();
            messages.add(text);
            framesSent.incrementAndGet();
            bytesSent.addAndGet(text.getBytes(StandardCharsets.UTF_8).length);
        });
        socket.writeTextMessage(messages.encode()).await();
        return this;
    }

    /** Stops reading from the socket (a stalled or dead client): the node's frames and pings pile up unread. */
    public BridgeClient stopReading() {
        socket.pause();
        return this;
    }

    public BridgeClient resumeReading() {
        socket.resume();
        return this;
    }

    public BridgeClient register(String address) {
        return send(new JsonObject().put("type", "register").put("address", address));
    }

    /** A register that asks to recover the events after {@code since} (header {@code since}, and {@code epoch} when not null). */
    public BridgeClient register(String address, long since, String epoch) {
        JsonObject headers = new JsonObject().put("since", String.valueOf(since));
        if (epoch != null) {
            headers.put("epoch", epoch);
        }
        return send(new JsonObject().put("type", "register").put("address", address).put("headers", headers));
    }

    /** The bodies (envelopes) of the next {@code count} events on {@code address}, failing on any other frame for it. */
    public List<JsonObject> events(String address, int count) {
        List<JsonObject> events = new ArrayList<>();
        while (events.size() < count) {
            JsonObject frame = next();
            if (address.equals(frame.getString("address"))) {
                if (!"rec".equals(frame.getString("type"))) {
                    throw new AssertionError("expected " + count + " events on " + address + ", got " + frame.encode() + " after " + events.size());
                }
                events.add(frame.getJsonObject("body"));
            }
        }
        return events;
    }

    public BridgeClient unregister(String address) {
        return send(new JsonObject().put("type", "unregister").put("address", address));
    }

    public BridgeClient publish(String address, Object body) {
        return send(new JsonObject().put("type", "publish").put("address", address).put("body", body));
    }

    public BridgeClient request(String address, Object body, String replyAddress) {
        return send(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
    }

    /**
     * Waits until the node has handled every frame sent before: frames are handled in order, so the
     * err frame answering a register of an unknown type marks the point. Frames received meanwhile
     * stay queued.
     */
    public BridgeClient sync() {
        String marker = "sync:" + SYNC_IDS.incrementAndGet();
        register(marker);
        List<JsonObject> before = new ArrayList<>();
        while (true) {
            JsonObject frame = next();
            if (marker.equals(frame.getString("address")) && "err".equals(frame.getString("type"))) {
                break;
            }
            before.add(frame);
        }
        synchronized (frames) { // no frame may arrive between those taken and those put back before them
            List<JsonObject> rest = new ArrayList<>();
            frames.drainTo(rest);
            frames.addAll(before);
            frames.addAll(rest);
        }
        return this;
    }

    /** The next frame; fails the test if none comes in time. */
    public JsonObject next() {
        JsonObject frame = poll(WAIT);
        if (frame == null) {
            throw new AssertionError("no frame within " + WAIT);
        }
        return frame;
    }

    /** The next frame, or null after {@code wait}. */
    public JsonObject poll(Duration wait) {
        try {
            return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame that matches, dropping those before it. */
    public JsonObject next(Predicate<JsonObject> match) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            JsonObject frame = poll(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (frame != null && match.test(frame)) {
                return frame;
            }
        }
        throw new AssertionError("no matching frame within " + WAIT);
    }

    /** Frames already received and not taken yet. */
    public List<JsonObject> drain() {
        List<JsonObject> rest = new ArrayList<>();
        frames.drainTo(rest);
        return rest;
    }

    public boolean awaitClose() {
        try {
            return closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Why the node refused this connection, once it closed: its err frame's failureType; or, when Vert.x's client dropped
     * the err (the node's close came before the client saw its handshake complete, see {@link #connect}), the error code
     * whose refusal closes with the close's reason (most share their close's name).
     */
    public String refusal() {
        if (!awaitClose()) {
            throw new AssertionError("the connection was not closed");
        }
        JsonObject err = poll(Duration.ofMillis(200)); // frames that came before the close are queued already
        if (err != null) {
            if (!"err".equals(err.getString("type"))) {
                throw new AssertionError("not an err: " + err.encode());
            }
            return err.getString("failureType");
        }
        return refusalOfClose(closeReason);
    }

    /** The error code whose refusal at open closes with this reason (its own name, if it is a code's), else the reason. */
    public static String refusalOfClose(String reason) {
        List<String> codes = java.util.Arrays.stream(io.herald.ErrorCode.values())
                .filter(code -> code.refusalClose().id().equals(reason)).map(io.herald.ErrorCode::id).toList();
        return codes.contains(reason) || codes.size() != 1 ? reason : codes.get(0);
    }

    /** True if the socket closed within a short moment (for asserting that it did not). */
    public boolean awaitClosedQuickly() {
        try {
            return closed.await(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether the socket closed and no frame came before its close: right after {@link #connect}, a node that refused the
     * connection before the client saw the handshake complete (its err frame dropped by Vert.x's client, its close kept).
     * Frames and the close arrive in order on one event loop, so an err that did arrive is queued before the close is seen.
     */
    public boolean closedWithoutAFrame() {
        return isClosed() && frames.isEmpty();
    }

    /** Whether the socket closed (by either side). */
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    public Integer closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    @Override
    public void close() {
        if (closed.getCount() > 0) {
            try {
                socket.close().await();
            } catch (Throwable closedMeanwhile) {
                // the node closed it between the check and the close ("WebSocket is closed"): closed is what we want
            }
        }
        client.close();
    }

    public static Predicate<JsonObject> rec(String address) {
        return f -> "rec".equals(f.getString("type")) && address.equals(f.getString("address"));
    }

    public static Predicate<JsonObject> err(String address) {
        return f -> "err".equals(f.getString("type")) && address.equals(f.getString("address"));
    }
}
