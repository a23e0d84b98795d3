package io.herald.soak;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Java client following several types over the bridge (raw WebSocket transport) as an application does: it
 * registers each type with {@code since} (0 at first: the cluster is new) and, once it had events, the {@code epoch}
 * of the last one; whenever its connection closes or cannot open, it moves to another node and registers again from
 * where it was. Every event and every {@code err} goes into the {@link SoakHistory}.
 */
final class SoakFollower implements AutoCloseable {
    private static final long RETRY_MS = 200;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final SoakHistory history;
    private final String name;
    private final List<String> hosts;
    private final List<Integer> ports;
    private final String token;
    private final List<String> types;
    private final Random random;
    private final Map<String, Long> lastSeq = new HashMap<>();
    private final Map<String, String> lastEpoch = new HashMap<>();
    private ClientWebSocket socket;
    private int node;
    private boolean stopped;
    private boolean registered;
    private boolean followed;
    private int connects;

    SoakFollower(Vertx vertx, SoakHistory history, String name, List<String> hosts, List<Integer> ports, int first, String token,
                 List<String> types, long seed) {
        this.vertx = vertx;
        this.client = vertx.createWebSocketClient();
        this.history = history;
        this.name = name;
        this.hosts = List.copyOf(hosts);
        this.ports = List.copyOf(ports);
        this.node = first;
        this.token = token;
        this.types = List.copyOf(types);
        this.random = new Random(seed);
    }

    synchronized SoakFollower start() {
        connect();
        return this;
    }

    private synchronized void connect() {
        if (stopped) {
            return;
        }
        int target = node;
        ClientWebSocket ws = client.webSocket();
        ws.textMessageHandler(text -> onFrame(text, target));
        ws.closeHandler(v -> onClosed(ws));
        ws.connect(new WebSocketConnectOptions().setHost(hosts.get(target)).setPort(ports.get(target)).setTimeout(5000)
                        .setURI("/eventbus/websocket?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .onSuccess(v -> opened(ws, target))
                .onFailure(err -> moveOn("connect to node " + target + " failed: " + err.getMessage()));
    }

    private synchronized void opened(ClientWebSocket ws, int target) {
        if (stopped) {
            ws.close();
            return;
        }
        socket = ws;
        connects++;
        history.note(name + " connected to node " + target);
        for (String type : types) {
            JsonObject headers = new JsonObject().put("since", String.valueOf(lastSeq.getOrDefault(type, 0L)));
            if (lastEpoch.containsKey(type)) {
                headers.put("epoch", lastEpoch.get(type));
            }
            ws.writeTextMessage(new JsonObject().put("type", "register").put("address", type).put("headers", headers).encode());
        }
        // an err for this unknown address comes after the registers were handled
        ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "sync:" + name).encode());
    }

    private synchronized void onClosed(ClientWebSocket ws) {
        if (ws != socket) {
            return;
        }
        socket = null;
        registered = false;
        moveOn("closed by node " + node + ": " + ws.closeStatusCode() + " " + ws.closeReason());
    }

    private synchronized void moveOn(String why) {
        if (stopped) {
            return;
        }
        history.note(name + " " + why);
        int next = random.nextInt(ports.size() - 1);
        node = next >= node ? next + 1 : next;
        vertx.setTimer(RETRY_MS, id -> connect());
    }

    private synchronized void onFrame(String text, int from) {
        if (stopped) {
            return;
        }
        JsonObject frame = new JsonObject(text);
        String address = frame.getString("address");
        if ("err".equals(frame.getString("type"))) {
            if (address != null && address.startsWith("sync:")) {
                registered = true;
                if (!followed) {
                    followed = true;
                    types.forEach(type -> history.follow(name, type));
                }
            } else if (address != null) {
                history.err(name, address, frame.getString("failureType", frame.getString("body")), from);
            }
            return; // an err without address announces a close
        }
        if (!"rec".equals(frame.getString("type")) || !types.contains(address)) {
            history.note(name + " unexpected frame " + text);
            return;
        }
        JsonObject event = frame.getJsonObject("body");
        JsonObject data = event.getJsonObject("data");
        long seq = event.getLong("seq");
        String epoch = event.getString("epoch");
        history.delivery(name, address, data == null ? null : data.getString("pid"), epoch, seq, from);
        lastSeq.put(address, seq);
        lastEpoch.put(address, epoch);
    }

    synchronized boolean registered() {
        return registered;
    }

    synchronized int connects() {
        return connects;
    }

    String name() {
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
