package io.herald.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client that follows event types across a cluster as an application using the official client would:
 * raw WebSocket transport, and whenever its connection closes (a node's {@code shutdown} close, or a dead
 * node's reset) it connects to the next node of its list and registers every type again with headers
 * {@code since} and {@code epoch} of the last event it handled. It records what it receives per type, and
 * anything that breaks the contract (a seq out of order or twice, an {@code err}) as a problem.
 */
public final class FollowingClient implements AutoCloseable {
    private static final long RETRY_MS = 100;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final List<String> hosts;
    private final List<Integer> ports;
    private final String token;
    private final List<String> types;
    private final String name;
    private int portIndex;
    private ClientWebSocket socket;
    private boolean stopped;
    private final Map<String, List<Long>> seqs = new HashMap<>();
    private final Map<String, List<String>> ids = new HashMap<>();
    private final Map<String, String> epochs = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> closes = new ArrayList<>();
    private boolean registered;
    private int connects;
    /** After a reconnect: the types that have not yet had their first event; the time the last of them had it. */
    private final List<String> resuming = new ArrayList<>();
    private long resumedAt;
    private int currentNode;
    private boolean reconnectHeld;
    private boolean reconnectPending;

    /** A client of nodes on loopback, on {@code ports}, starting with the one at index {@code first}. */
    public FollowingClient(Vertx vertx, String name, List<Integer> ports, int first, String token, List<String> types) {
        this(vertx, name, ports.stream().map(p -> "127.0.0.1").toList(), ports, first, token, types);
    }

    /** A client of nodes at {@code hosts} and {@code ports} (same index, same node). */
    public FollowingClient(Vertx vertx, String name, List<String> hosts, List<Integer> ports, int first, String token, List<String> types) {
        this.vertx = vertx;
        this.hosts = List.copyOf(hosts);
        this.client = vertx.createWebSocketClient();
        this.name = name;
        this.ports = List.copyOf(ports);
        this.portIndex = first;
        this.token = token;
        this.types = List.copyOf(types);
        types.forEach(type -> {
            seqs.put(type, new ArrayList<>());
            ids.put(type, new ArrayList<>());
        });
    }

    public synchronized FollowingClient start() {
        connect();
        return this;
    }

    private synchronized void connect() {
        if (stopped) {
            return;
        }
        int node = portIndex % ports.size();
        int port = ports.get(node);
        String host = hosts.get(node);
        ClientWebSocket ws = client.webSocket();
        ws.textMessageHandler(this::onFrame);
        ws.closeHandler(v -> onClosed(ws));
        ws.connect(new WebSocketConnectOptions().setHost(host).setPort(port)
                        .setURI("/eventbus/websocket?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .onSuccess(v -> opened(ws, node))
                .onFailure(err -> retryElsewhere());
    }

    private synchronized void opened(ClientWebSocket ws, int node) {
        if (stopped) {
            ws.close();
            return;
        }
        socket = ws;
        currentNode = node;
        connects++;
        if (connects > 1) {
            resuming.clear();
            resuming.addAll(types);
        }
        for (String type : types) {
            JsonObject frame = new JsonObject().put("type", "register").put("address", type);
            List<Long> got = seqs.get(type);
            if (!got.isEmpty()) {
                frame.put("headers", new JsonObject().put("since", String.valueOf(got.get(got.size() - 1))).put("epoch", epochs.get(type)));
            }
            ws.writeTextMessage(frame.encode());
        }
        // an unknown type's err comes after the registers were handled
        ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "sync:" + name).encode());
    }

    private synchronized void onClosed(ClientWebSocket ws) {
        if (ws != socket) {
            return;
        }
        socket = null;
        registered = false;
        closes.add(ws.closeStatusCode() + " " + ws.closeReason());
        retryElsewhere();
    }

    private synchronized void retryElsewhere() {
        if (stopped) {
            return;
        }
        if (reconnectHeld) {
            reconnectPending = true;
            return;
        }
        portIndex++;
        vertx.setTimer(RETRY_MS, id -> connect());
    }

    private synchronized void onFrame(String text) {
        JsonObject frame = new JsonObject(text);
        String address = frame.getString("address");
        if ("err".equals(frame.getString("type"))) {
            if (address != null && address.startsWith("sync:")) {
                registered = true;
            } else if (address != null) {
                problems.add(name + ": err on " + address + ": " + frame.encode());
            }
            return; // an err without address announces a close, which onClosed records
        }
        if (!"rec".equals(frame.getString("type")) || !seqs.containsKey(address)) {
            problems.add(name + ": unexpected frame " + text);
            return;
        }
        JsonObject event = frame.getJsonObject("body");
        long seq = event.getLong("seq");
        List<Long> got = seqs.get(address);
        long last = got.isEmpty() ? 0 : got.get(got.size() - 1);
        if (epochs.containsKey(address) && !epochs.get(address).equals(event.getString("epoch"))) {
            problems.add(name + ": " + address + " epoch changed " + epochs.get(address) + " -> " + event.getString("epoch"));
        }
        if (seq != last + 1) {
            problems.add(name + ": " + address + " seq " + seq + " after " + last);
        }
        got.add(seq);
        ids.get(address).add(event.getString("id"));
        epochs.put(address, event.getString("epoch"));
        if (resuming.remove(address) && resuming.isEmpty()) {
            resumedAt = System.nanoTime();
        }
    }

    /** From now on a client whose connection ends waits to reconnect until {@link #releaseReconnects()} (a storm: all at once). */
    public synchronized void holdReconnects() {
        reconnectHeld = true;
    }

    /** Reconnects now (to the next node) if its connection ended while held; reconnects as usual from then on. */
    public synchronized void releaseReconnects() {
        reconnectHeld = false;
        if (reconnectPending) {
            reconnectPending = false;
            portIndex++;
            connect();
        }
    }

    /** Every type registered on the current connection (its registers handled). */
    public synchronized boolean registered() {
        return registered;
    }

    public synchronized int port() {
        return socket == null ? -1 : ports.get(currentNode);
    }

    /** The index of the node it is connected to, or -1. */
    public synchronized int node() {
        return socket == null ? -1 : currentNode;
    }

    public synchronized long lastSeq(String type) {
        List<Long> got = seqs.get(type);
        return got.isEmpty() ? 0 : got.get(got.size() - 1);
    }

    public synchronized List<Long> seqs(String type) {
        return List.copyOf(seqs.get(type));
    }

    public synchronized List<String> ids(String type) {
        return List.copyOf(ids.get(type));
    }

    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** The closes this client saw, as "code reason" ("null null" for a reset without close frame). */
    public synchronized List<String> closes() {
        return List.copyOf(closes);
    }

    public synchronized int connects() {
        return connects;
    }

    /** System.nanoTime when, after its last reconnect, every type had delivered again; 0 if it never reconnected or has not. */
    public synchronized long resumedAt() {
        return resuming.isEmpty() ? resumedAt : 0;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        ClientWebSocket ws;
        synchronized (this) {
            stopped = true;
            ws = socket;
        }
        if (ws != null) {
            ws.close();
        }
        client.close();
    }
}
