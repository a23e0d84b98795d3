package io.herald.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.herald.node.HeraldNode;
import io.herald.auth.TokenMinter;
import io.herald.config.HeraldConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Starts real nodes for the ITs, on ports the OS hands out, from the shipped conf/ and cluster.xml. */
public final class TestNodes {
    public static final Path CONF = Path.of("conf/herald.json");
    public static final Path CLUSTER_XML = Path.of("cluster.xml");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestNodes() {
    }

    /** The shipped configuration on a free port, demo off, no cluster; {@code edit} changes the JSON. */
    public static HeraldConfig config(Consumer<JsonObject> edit) {
        JsonObject json = HeraldConfig.readJson(CONF, "test");
        json.getJsonObject("demo").put("enabled", false);
        json.getJsonObject("http").put("port", freePort());
        json.getJsonObject("http").put("instances", 2); // as on this 2-core machine's default, whatever the test JVM sees
        json.getJsonObject("cluster").put("enabled", false);
        edit.accept(json);
        return HeraldConfig.fromJson(json, CONF.toAbsolutePath().getParent(), Map.of());
    }

    public static HeraldNode start(HeraldConfig config) {
        return HeraldNode.start(config).await();
    }

    /** A clustered node whose Hazelcast listens on {@code port} and looks for the other members' ports. */
    public static HeraldNode startClustered(String clusterName, int port, List<Integer> memberPorts) {
        return startClustered(clusterName, port, memberPorts, json -> { });
    }

    /** A clustered node whose configuration {@code edit} changes first. */
    public static HeraldNode startClustered(String clusterName, int port, List<Integer> memberPorts, Consumer<JsonObject> edit) {
        HeraldConfig config = config(json -> {
            json.getJsonObject("cluster").put("enabled", true);
            edit.accept(json);
        });
        return HeraldNode.start(config, hazelcast(clusterName, port, memberPorts)).await();
    }

    public static Config hazelcast(String clusterName, int port, List<Integer> memberPorts) {
        try {
            Config config = new FileSystemXmlConfig(CLUSTER_XML.toFile());
            config.setClusterName(clusterName);
            config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
            var tcp = config.getNetworkConfig().getJoin().getTcpIpConfig();
            tcp.getMembers().clear();
            memberPorts.forEach(p -> tcp.addMember("127.0.0.1:" + p));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String uniqueClusterName() {
        return "herald-test-" + UUID.randomUUID();
    }

    /** Where {@link #freePort()} looks: below the kernel's ephemeral range (32768 and up by default). */
    static final int FIRST_PORT = 20_000;
    static final int LAST_PORT = 32_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on, for a node to bind later. Not one the OS picks for {@code new ServerSocket(0)}:
     * that comes from the ephemeral range, which the kernel also hands to outgoing connections, and one of the
     * many a test suite opens took such a port between the probe and the node's bind ("Address already in use").
     * Below that range only listeners compete, and this JVM never hands out the same port twice.
     */
    public static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(FIRST_PORT, LAST_PORT);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // someone listens there: try another
            }
        }
        throw new IllegalStateException("no free port in " + FIRST_PORT + ".." + LAST_PORT);
    }

    public static String token(HeraldNode node, String userId, String role) {
        return token(node, userId, role, null, List.of(), 3600);
    }

    public static String token(HeraldNode node, String userId, String role, String storeId, List<String> rooms, long ttl) {
        return new TokenMinter(node.vertx(), node.config().auth()).mint(userId, role, storeId, rooms, ttl);
    }

    /** An HTTP response: status and body. */
    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    public static Response http(String method, int port, String path, String authorization, String body) {
        return http(method, port, path, authorization, body, Map.of());
    }

    /** The same, with more request headers. */
    public static Response http(String method, int port, String path, String authorization, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** POST /api/events with the node's API key; answers the 202 body. */
    public static JsonObject publish(HeraldNode node, String type, JsonObject data) {
        return publish(node, new JsonObject().put("type", type).put("data", data));
    }

    public static JsonObject publish(HeraldNode node, JsonObject event) {
        Response response = http("POST", node.port(), "/api/events", "Bearer " + node.config().apiKey(), event.encode());
        if (response.status() != 202) {
            throw new AssertionError("publish answered " + response.status() + " " + response.body());
        }
        return response.json();
    }

    /**
     * POST /api/events with the node's API key and an {@code Idempotency-Key}, repeated while the node answers 503, as a
     * backend does while a member leaves (the publish is in doubt; the key makes a repeat publish it once); answers the
     * 202 body.
     */
    public static JsonObject publishUntilAccepted(HeraldNode node, String type, JsonObject data, String key) {
        String event = new JsonObject().put("type", type).put("data", data).encode();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Response response = http("POST", node.port(), "/api/events", "Bearer " + node.config().apiKey(), event, Map.of("Idempotency-Key", key));
            if (response.status() == 202) {
                return response.json();
            }
            if (response.status() != 503 || System.nanoTime() > deadline) {
                throw new AssertionError("publish answered " + response.status() + " " + response.body());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** GET /api/history/{type} with the node's API key and the given query (e.g. "since=4&limit=10"). */
    public static JsonObject history(HeraldNode node, String type, String query) {
        Response response = http("GET", node.port(), "/api/history/" + type + (query.isEmpty() ? "" : "?" + query),
                "Bearer " + node.config().apiKey(), null);
        if (response.status() != 200) {
            throw new AssertionError("history answered " + response.status() + " " + response.body());
        }
        return response.json();
    }

    public static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }
}
