package io.herald;

import io.herald.config.HeraldConfig;
import io.herald.testing.BridgeClient;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.herald.testing.BridgeClient.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runnable jar as a user runs it: start, dev banner, a real client, SIGTERM; refusals of bad config; the token command. */
class NodeProcessIT {
    static final Path JAR = Path.of("target/herald.jar");
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static Vertx clients;

    @BeforeAll
    static void setUp() {
        assertTrue(Files.exists(JAR), "mvn package builds target/herald.jar before the ITs run");
        clients = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        clients.close().await();
    }

    /** A running jar with its output lines, read as they come. */
    record Running(Process process, LinkedBlockingQueue<String> lines, List<String> seen) {
        /** Reads the process's output (stdout and stderr merged) line by line as it comes. */
        static Running follow(Process process) {
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                } catch (IOException | java.io.UncheckedIOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            return new Running(process, lines, new ArrayList<>());
        }

        String awaitLine(String containing) throws InterruptedException {
            while (true) {
                String line = lines.poll(90, TimeUnit.SECONDS);
                if (line == null) {
                    throw new AssertionError("no line with '" + containing + "'; output so far:\n" + String.join("\n", seen));
                }
                seen.add(line);
                if (line.contains(containing)) {
                    return line;
                }
            }
        }
    }

    /** In the environment given to {@link #runIn}: run this jar instead of the build's (another release: WireVersionIT); not passed on. */
    static final String OTHER_JAR = "herald.test.jar";

    static Running run(Map<String, String> env, String... args) throws IOException {
        return runIn(Path.of("."), env, args);
    }

    /** The jar started in {@code directory}. */
    static Running runIn(Path directory, Map<String, String> env, String... args) throws IOException {
        Path jar = env.containsKey(OTHER_JAR) ? Path.of(env.get(OTHER_JAR)) : JAR;
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", jar.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(directory.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        builder.environment().putAll(env);
        builder.environment().remove(OTHER_JAR);
        return Running.follow(builder.start());
    }

    /**
     * The jar as a member of an existing cluster ({@code clusterName}, whose members listen on {@code memberPorts}),
     * with its own HTTP and Hazelcast ports; returns once it says it is up.
     */
    static Running joinCluster(String clusterName, List<Integer> memberPorts, int httpPort, int hazelcastPort, Map<String, String> env)
            throws Exception {
        List<Integer> members = new ArrayList<>(memberPorts);
        members.add(hazelcastPort);
        Path file = clusterXml(clusterName, hazelcastPort, members);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(httpPort), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, file.toString()));
        Running node = run(all);
        node.awaitLine("up on port " + httpPort + " (cluster of " + (memberPorts.size() + 1) + ")");
        return node;
    }

    /** cluster.xml with its own cluster name and a free port, so this node joins nothing else on the machine. */
    static Path privateClusterXml() throws IOException {
        int port = TestNodes.freePort();
        return clusterXml(TestNodes.uniqueClusterName(), port, List.of(port));
    }

    /** The shipped cluster.xml for a jar node of a test's cluster: its name, this member's port, every member's port. */
    static Path clusterXml(String clusterName, int port, List<Integer> memberPorts) throws IOException {
        StringBuilder members = new StringBuilder();
        memberPorts.forEach(member -> members.append("<member>127.0.0.1:").append(member).append("</member>"));
        String xml = Files.readString(TestNodes.CLUSTER_XML)
                .replace("<cluster-name>herald</cluster-name>", "<cluster-name>" + clusterName + "</cluster-name>")
                .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">" + port + "</port>")
                .replace("<member>127.0.0.1</member>", members.toString());
        Path file = Files.createTempFile("herald-cluster", ".xml");
        Files.writeString(file, xml);
        file.toFile().deleteOnExit();
        return file;
    }

    @Test
    void devNodeStartsServesAndClosesSocketsWithAReasonOnSigterm() throws Exception {
        int port = TestNodes.freePort();
        Running node = run(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(port), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, privateClusterXml().toString()));
        try {
            node.awaitLine("up on port " + port + " (cluster of 1)");
            node.awaitLine("DEV MODE");
            String tokenLine = node.awaitLine("admin token");
            String adminToken = tokenLine.substring(tokenLine.indexOf(": ") + 2).trim();

            BridgeClient admin = BridgeClient.connect(clients, port, adminToken);
            admin.register("system:alert").sync();
            TestNodes.Response published = TestNodes.http("POST", port, "/api/events", "Bearer " + HeraldConfig.DEV_API_KEY,
                    "{\"type\":\"system:alert\",\"data\":{\"level\":\"high\"}}");
            assertEquals(202, published.status(), published.body());
            assertEquals("high", admin.next(rec("system:alert")).getJsonObject("body").getJsonObject("data").getString("level"));

            node.process().toHandle().destroy(); // SIGTERM, leaving our end of the output pipe open
            assertTrue(admin.awaitClose(), "the socket is closed by the node");
            assertEquals(1001, admin.closeCode());
            assertEquals("shutdown", admin.closeReason());
            assertTrue(node.process().waitFor(60, TimeUnit.SECONDS), "the node exits");
            node.awaitLine("shutting down");
            admin.close();
        } finally {
            node.process().destroyForcibly();
        }
    }

    @Test
    void runsFromAnyDirectoryOnTheBuiltInConfiguration(@org.junit.jupiter.api.io.TempDir Path elsewhere) throws Exception {
        int port = TestNodes.freePort();
        Running node = runIn(elsewhere, Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(port), HeraldConfig.ENV_CLUSTER, "false"));
        try {
            node.awaitLine("up on port " + port + " (no cluster)");
            TestNodes.Response catalog = TestNodes.http("GET", port, "/api/catalog", null, null);
            assertEquals(200, catalog.status());
            assertTrue(catalog.json().getJsonObject("namespaces").containsKey("orders"), "the shipped catalog");
            assertTrue(node.awaitLine("admin token").contains("eyJ"), "the shipped dev config");
        } finally {
            node.process().destroy();
            node.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void logsOneJsonObjectPerLineAndNeverTheToken() throws Exception {
        int port = TestNodes.freePort();
        Running node = run(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(port), HeraldConfig.ENV_CLUSTER, "false",
                HeraldConfig.ENV_DEMO, "false", "HERALD_LOG_FORMAT", "json"));
        try {
            JsonObject started = new JsonObject(node.awaitLine("\"Herald node "));
            assertEquals("INFO", started.getString("level"));
            assertTrue(started.getString("message").contains("up on port " + port), started.encode());
            String forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5Iiwicm9sZSI6ImFkbWluIn0.forged-signature";
            BridgeClient refused = BridgeClient.connect(clients, port, forged);
            assertTrue(refused.awaitClose());
            JsonObject refusal = new JsonObject(node.awaitLine("token_invalid"));
            assertTrue(refusal.getString("message").contains("refused"), refusal.encode());
            assertTrue(node.seen().stream().noneMatch(line -> line.contains(forged) || line.contains("forged-signature")), "no token in the log");
            refused.close();
        } finally {
            node.process().destroy();
            node.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void prodModeRefusesTheShippedSecret() throws Exception {
        assertRefusesToStart(Map.of(HeraldConfig.ENV_MODE, "prod", HeraldConfig.ENV_CLUSTER, "false"), "auth.jwtSecret");
    }

    @Test
    void aBadValueStopsTheNodeNamingTheKey() throws Exception {
        assertRefusesToStart(Map.of(HeraldConfig.ENV_HTTP_PORT, "eighty", HeraldConfig.ENV_CLUSTER, "false"), "http.port (HERALD_HTTP_PORT)");
    }

    /** The node exits with status 2 and a configuration error that names the key. */
    static void assertRefusesToStart(Map<String, String> env, String key) throws Exception {
        Running node = run(env);
        assertTrue(node.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, node.process().exitValue());
        assertTrue(node.awaitLine("configuration error").contains(key));
    }

    @Test
    void tokenCommandMintsATokenTheNodeAccepts() throws Exception {
        Running mint = run(Map.of(), "token", "--sub", "c-77", "--role", "customer", "--store", "s-3", "--ttl", "120");
        assertTrue(mint.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, mint.process().exitValue());
        String token = mint.awaitLine("eyJ").trim();

        JWTAuth jwt = JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(
                new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HeraldConfig.DEV_JWT_SECRET)));
        JsonObject claims = jwt.authenticate(new TokenCredentials(token)).await().attributes().getJsonObject("accessToken");
        assertEquals("c-77", claims.getString("sub"));
        assertEquals("customer", claims.getString("role"));
        assertEquals("s-3", claims.getString("storeId"));
        assertNotNull(claims.getLong("exp"));
        assertTrue(claims.getLong("exp") - claims.getLong("iat") == 120);
    }
}
