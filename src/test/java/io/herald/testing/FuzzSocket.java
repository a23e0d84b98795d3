package io.herald.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A bridge connection for the fuzzer, on the JDK's WebSocket client (so the only Vert.x in the test's
 * logs is the node's), raw ({@code /eventbus/websocket}) or SockJS-framed
 * ({@code /eventbus/<server>/<session>/websocket}). It sends anything (text that is no frame, SockJS
 * arrays of many frames, binary frames of invalid UTF-8, fragmented messages) and hands every frame the
 * node sends to a checker, reporting anything that is not a bridge frame at all as a violation. It
 * remembers the last frames it sent, for the failure report that replays a problem.
 */
public final class FuzzSocket {
    public enum Framing { RAW, SOCKJS }

    /** What became of a sync: the node answered it, closed the connection first, or said nothing. */
    public enum Sync { ANSWERED, CLOSED, TIMEOUT }

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int REMEMBERED = 25;

    private final Framing framing;
    private final String name;
    private final BiConsumer<FuzzSocket, JsonObject> checker;
    private final Consumer<String> violations;
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Deque<String> sent = new ArrayDeque<>();
    private final List<String> first = new ArrayList<>();
    private final AtomicInteger received = new AtomicInteger();
    /** Everything sent, exactly, to write a failing connection's input to a file that {@code FuzzIT} can replay. */
    private final List<JsonObject> transcript = new ArrayList<>();
    private final long openedAt = System.nanoTime();
    private final StringBuilder textParts = new StringBuilder();
    private WebSocket ws;
    private volatile boolean opened;
    private volatile Integer closeCode;
    private volatile String closeReason;
    private volatile JsonArray sockJsClose;
    private volatile Throwable error;
    private volatile Throwable sendFailure;
    private int framesSent;

    private FuzzSocket(Framing framing, String name, BiConsumer<FuzzSocket, JsonObject> checker, Consumer<String> violations) {
        this.framing = framing;
        this.name = name;
        this.checker = checker;
        this.violations = violations;
    }

    /** Opens a connection; null when the handshake itself is refused (the reason goes to {@code refusals}). */
    public static FuzzSocket open(HttpClient http, int port, Framing framing, String token, boolean tokenInHeader,
                                  BiConsumer<FuzzSocket, JsonObject> checker, Consumer<String> violations, Consumer<String> refusals) {
        int id = IDS.incrementAndGet();
        String path = framing == Framing.RAW ? "/eventbus/websocket"
                : "/eventbus/" + (id % 1000) + "/" + UUID.randomUUID().toString().replace("-", "") + "/websocket";
        FuzzSocket socket = new FuzzSocket(framing, framing + "#" + id, checker, violations);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (token != null && tokenInHeader) {
            try {
                builder.header("Authorization", "Bearer " + token);
            } catch (IllegalArgumentException notAHeaderValue) {
                tokenInHeader = false;
            }
        }
        if (token != null && !tokenInHeader) {
            path += "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        }
        try {
            socket.ws = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + path), socket.listener()).get(10, TimeUnit.SECONDS);
            return socket;
        } catch (ExecutionException e) {
            refusals.accept(e.getCause() instanceof WebSocketHandshakeException h ? "handshake " + h.getResponse().statusCode()
                    : "connect " + e.getCause());
            return null;
        } catch (TimeoutException e) {
            violations.accept("the node did not answer a WebSocket handshake within 10 s (" + path + ")");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                textParts.append(data);
                if (last) {
                    String text = textParts.toString();
                    textParts.setLength(0);
                    onMessage(text);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                violations.accept(name + ": the node sent a binary frame");
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeCode = statusCode;
                closeReason = reason;
                closed.countDown();
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable e) {
                error = e;
                closed.countDown();
            }
        };
    }

    private void onMessage(String text) {
        if (framing == Framing.RAW) {
            frame(text);
            return;
        }
        if (text.isEmpty()) {
            violations.accept(name + ": an empty SockJS message");
            return;
        }
        switch (text.charAt(0)) {
            case 'o' -> {
                if (!text.equals("o") || opened) {
                    violations.accept(name + ": unexpected SockJS open frame " + abbreviate(text));
                }
                opened = true;
            }
            case 'h' -> {
                if (!text.equals("h")) {
                    violations.accept(name + ": bad SockJS heartbeat " + abbreviate(text));
                }
            }
            case 'a' -> {
                try {
                    for (Object message : new JsonArray(text.substring(1))) {
                        if (message instanceof String s) {
                            frame(s);
                        } else {
                            violations.accept(name + ": a SockJS message that is not a string: " + abbreviate(text));
                        }
                    }
                } catch (RuntimeException e) {
                    violations.accept(name + ": a SockJS 'a' frame that is not a JSON array: " + abbreviate(text));
                }
            }
            case 'c' -> {
                try {
                    JsonArray close = new JsonArray(text.substring(1));
                    if (close.size() != 2 || !(close.getValue(0) instanceof Integer) || !(close.getValue(1) instanceof String)) {
                        violations.accept(name + ": a SockJS close frame that is not [code,\"reason\"]: " + abbreviate(text));
                    }
                    sockJsClose = close;
                } catch (RuntimeException e) {
                    violations.accept(name + ": a SockJS close frame that is not JSON: " + abbreviate(text));
                }
            }
            default -> violations.accept(name + ": not a SockJS frame: " + abbreviate(text));
        }
    }

    private void frame(String text) {
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (RuntimeException e) {
            violations.accept(name + ": the node sent a frame that is not a JSON object: " + abbreviate(text) + " after " + recent());
            return;
        }
        received.incrementAndGet();
        checker.accept(this, frame);
        frames.add(frame);
    }

    // ---------------------------------------------------------------- sending

    /** One bridge frame as given (wrapped in a SockJS array on that framing); false once the connection is gone. */
    public boolean sendFrame(String frameText) {
        record("frame", frameText);
        remember(frameText);
        return sendText(framing == Framing.RAW ? frameText : new JsonArray().add(frameText).encode());
    }

    /** Several bridge frames in one SockJS message (on raw framing: one message each). */
    public boolean sendFrames(List<String> frameTexts) {
        if (framing == Framing.RAW) {
            for (String text : frameTexts) {
                if (!sendFrame(text)) {
                    return false;
                }
            }
            return true;
        }
        JsonArray messages = new JsonArray();
        frameTexts.forEach(messages::add);
        record("frames", messages);
        remember(frameTexts.size() + " frames in one SockJS message, the first " + (frameTexts.isEmpty() ? "" : frameTexts.get(0)));
        return sendText(messages.encode());
    }

    /** Text exactly as given, SockJS framing or not. */
    public boolean sendWire(String text) {
        record("wire", text);
        remember("wire: " + text);
        return sendText(text);
    }

    /** A message in several WebSocket frames (continuations). */
    public boolean sendFragmented(String frameText, int parts) {
        record("fragmented", new JsonObject().put("parts", parts).put("frame", frameText));
        remember("fragmented in " + parts + ": " + frameText);
        String wire = FuzzInputs.escapeLoneSurrogates(framing == Framing.RAW ? frameText : new JsonArray().add(frameText).encode());
        int step = Math.max(1, wire.length() / parts);
        int at = 0;
        while (at < wire.length()) {
            int end = Math.min(wire.length(), at + step);
            if (end < wire.length() && Character.isHighSurrogate(wire.charAt(end - 1))) {
                end++;
            }
            boolean last = end >= wire.length();
            if (!await(ws.sendText(wire.substring(at, end), last))) {
                return false;
            }
            at = end;
        }
        framesSent++;
        return true;
    }

    public boolean sendBinary(byte[] bytes) {
        record("binary", java.util.Base64.getEncoder().encodeToString(bytes));
        remember("binary: " + hex(bytes));
        framesSent++;
        return await(ws.sendBinary(ByteBuffer.wrap(bytes), true));
    }

    /** A lone surrogate cannot travel in a text frame (the JDK refuses the message and closes its output): it goes as an escape. */
    private boolean sendText(String text) {
        framesSent++;
        return await(ws.sendText(FuzzInputs.escapeLoneSurrogates(text), true));
    }

    private boolean await(CompletableFuture<WebSocket> write) {
        if (isClosed()) {
            return false;
        }
        try {
            write.get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            sendFailure = e.getCause();
            if (!(e.getCause() instanceof java.io.IOException) || String.valueOf(e.getCause().getMessage()).contains("Malformed")) {
                violations.accept(name + ": the fuzzer could not send its own frame (" + e.getCause() + "); " + recent());
            }
            return false; // the connection is gone (closed by the node, or cut)
        } catch (TimeoutException e) {
            if (!isClosed()) {
                violations.accept(name + ": the node did not take a frame within 10 s; last frames " + recent());
            }
            ws.abort();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Waits until the node handled everything sent before: frames are handled in order, so the err
     * frame answering a register of an unknown type marks the point. Frames received meanwhile are dropped
     * (the checker saw them already).
     */
    public Sync sync(Duration wait) {
        String marker = "fuzz-sync:" + IDS.incrementAndGet();
        if (!sendFrame(new JsonObject().put("type", "register").put("address", marker).encode())) {
            return awaitClose(Duration.ofSeconds(10)) ? Sync.CLOSED : Sync.TIMEOUT;
        }
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            JsonObject frame;
            try {
                frame = frames.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (frame != null && marker.equals(frame.getString("address"))) {
                return Sync.ANSWERED;
            }
            if (frame == null && isClosed()) {
                return Sync.CLOSED;
            }
        }
        return isClosed() ? Sync.CLOSED : Sync.TIMEOUT;
    }

    /** A normal close (1000) that waits for the node's answer, or a cut. */
    public void close(boolean abruptly) {
        if (!isClosed()) {
            if (abruptly) {
                ws.abort();
            } else {
                try {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // closed meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!awaitClose(Duration.ofSeconds(5))) {
                    violations.accept(name + ": the node did not answer a close within 5 s");
                }
            }
        }
        ws.abort();
    }

    public boolean awaitClose(Duration wait) {
        try {
            return closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.getCount() == 0 || ws.isOutputClosed() || ws.isInputClosed();
    }

    // ---------------------------------------------------------------- what happened

    public String name() {
        return name;
    }

    public Framing framing() {
        return framing;
    }

    /** The WebSocket close code (null if cut without one). */
    public Integer closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    /** The SockJS {@code c[code,"reason"]} frame, if one came. */
    public JsonArray sockJsClose() {
        return sockJsClose;
    }

    public Throwable error() {
        return error;
    }

    private synchronized void record(String kind, Object data) {
        transcript.add(new JsonObject().put("kind", kind).put("data", data));
    }

    /** What was sent, one JSON object a line: {"kind":"frame|frames|wire|fragmented|binary","data":…}. */
    public synchronized String transcript() {
        StringBuilder lines = new StringBuilder();
        transcript.forEach(entry -> lines.append(FuzzInputs.escapeLoneSurrogates(entry.encode())).append('\n'));
        return lines.toString();
    }

    /** Sends a transcript again, entry by entry; false once the connection is gone. */
    public boolean replay(List<JsonObject> entries) {
        for (JsonObject entry : entries) {
            boolean open = switch (entry.getString("kind")) {
                case "frame" -> sendFrame(entry.getString("data"));
                case "frames" -> sendFrames(entry.getJsonArray("data").stream().map(String::valueOf).toList());
                case "wire" -> sendWire(entry.getString("data"));
                case "fragmented" -> sendFragmented(entry.getJsonObject("data").getString("frame"), entry.getJsonObject("data").getInteger("parts"));
                case "binary" -> sendBinary(java.util.Base64.getDecoder().decode(entry.getString("data")));
                default -> throw new IllegalArgumentException("unknown entry " + entry.encode());
            };
            if (!open) {
                return false;
            }
        }
        return true;
    }

    private synchronized void remember(String frameText) {
        if (first.size() < 8) {
            first.add(abbreviate(frameText));
        }
        if (sent.size() == REMEMBERED) {
            sent.removeFirst();
        }
        sent.addLast(abbreviate(frameText));
    }

    /** The last frames sent, for a failure report. */
    public synchronized String recent() {
        return name + " (open " + (System.nanoTime() - openedAt) / 1_000_000 + " ms, " + framesSent + " messages sent, "
                + received.get() + " frames received, close " + closeCode + " " + closeReason + ", error " + error
                + (sendFailure == null ? "" : ", a send failed: " + sendFailure) + ")"
                + "\n  first frames sent:\n    " + String.join("\n    ", first)
                + "\n  last frames sent:\n    " + String.join("\n    ", sent);
    }

    public static String abbreviate(String text) {
        String escaped = FuzzInputs.escapeLoneSurrogates(text);
        return escaped.length() <= 300 ? escaped : escaped.substring(0, 300) + "… (" + escaped.length() + " chars, "
                + FuzzInputs.utf8Length(text) + " bytes)";
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 120); i++) {
            s.append(String.format("%02x", bytes[i]));
        }
        return s + (bytes.length > 120 ? "… (" + bytes.length + " bytes)" : "");
    }
}
