package io.herald.soak;

import io.herald.config.HeraldConfig;
import io.herald.testing.NetNamespaces;
import io.herald.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Herald jars as the README starts them (default configuration: no {@code cluster.minMembers}), each in its own JVM,
 * on loopback with ports from the OS, or each in its own network namespace on one bridge (when {@link NetNamespaces} is
 * given: needs root), where a node can be cut off from the others. Start, SIGKILL, SIGTERM, SIGSTOP/SIGCONT,
 * cut and heal; each node's output goes to {@code <dir>/node-<i>.log}.
 */
final class SoakNodes implements AutoCloseable {
    static final Path JAR = Path.of("target/herald.jar");
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

    final String clusterName = TestNodes.uniqueClusterName();
    private final int size;
    private final NetNamespaces net;
    private final Path dir;
    private final List<Integer> httpPorts = new ArrayList<>();
    private final List<Integer> hazelcastPorts = new ArrayList<>();
    private final Process[] processes;
    private final boolean[] stopped;
    private final PrintWriter[] logs;
    private final Path clusterXml;
    /** More environment for every node (the soak's webhook). */
    final Map<String, String> env = new java.util.concurrent.ConcurrentHashMap<>();

    /** Adds to the environment of every node, from the next start on (the outbox workload's database). */
    void env(Map<String, String> more) {
        env.putAll(more);
    }

    /** Members that are not Herald nodes (the bus publisher's JVM): /ready counts them. */
    private volatile int extraMembers;

    SoakNodes(int size, NetNamespaces net, Path dir) throws IOException {
        this.size = size;
        this.net = net;
        this.dir = dir;
        this.processes = new Process[size];
        this.stopped = new boolean[size];
        this.logs = new PrintWriter[size];
        for (int i = 0; i < size; i++) {
            httpPorts.add(net == null ? TestNodes.freePort() : 8080);
            hazelcastPorts.add(net == null ? TestNodes.freePort() : 5701);
        }
        this.clusterXml = writeClusterXml();
    }

    int size() {
        return size;
    }

    String host(int i) {
        return net == null ? "127.0.0.1" : net.ip(i);
    }

    int http(int i) {
        return httpPorts.get(i);
    }

    List<String> hosts() {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            hosts.add(host(i));
        }
        return hosts;
    }

    List<Integer> httpPorts() {
        return List.copyOf(httpPorts);
    }

    /** Where another Hazelcast member (the bus publisher) finds the nodes: "host:port" of each. */
    List<String> hazelcastMembers() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(host(i) + ":" + hazelcastPorts.get(i));
        }
        return members;
    }

    /** The address a member outside the nodes binds: loopback, or the bridge's address in a network namespace set-up. */
    String outsideHost() {
        return net == null ? "127.0.0.1" : net.outsideIp();
    }

    void extraMembers(int n) {
        extraMembers = n;
    }

    Path clusterXml() {
        return clusterXml;
    }

    private Path writeClusterXml() throws IOException {
        StringBuilder members = new StringBuilder();
        for (String member : hazelcastMembers()) {
            members.append("<member>").append(member).append("</member>");
        }
        String xml = Files.readString(TestNodes.CLUSTER_XML)
                .replace("<cluster-name>herald</cluster-name>", "<cluster-name>" + clusterName + "</cluster-name>")
                .replace("<member>127.0.0.1</member>", members.toString());
        if (net == null) {
            // one cluster.xml for every node: each binds its own port (the env var below), so it is written per node
            xml = xml.replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">PORT</port>");
        } else {
            xml = xml.replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">5701</port>")
                    .replace("<interface>127.0.0.1</interface>", "<interface>" + net.subnet + ".*</interface>");
        }
        Path file = dir.resolve("cluster.xml");
        Files.writeString(file, xml);
        return file;
    }

    private Path clusterXmlFor(int i) throws IOException {
        if (net != null) {
            return clusterXml;
        }
        Path file = dir.resolve("cluster-" + i + ".xml");
        Files.writeString(file, Files.readString(clusterXml).replace(">PORT<", ">" + hazelcastPorts.get(i) + "<"));
        return file;
    }

    /** Starts node {@code i} (again) and waits until it says it is up. */
    void start(int i) throws Exception {
        List<String> command = new ArrayList<>();
        if (net != null) {
            command.addAll(List.of("ip", "netns", "exec", net.ns(i)));
        }
        command.addAll(List.of(JAVA, "-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
        builder.environment().putAll(Map.of(HeraldConfig.ENV_HTTP_PORT, String.valueOf(http(i)), HeraldConfig.ENV_DEMO, "false",
                HeraldConfig.ENV_CLUSTER_CONFIG, clusterXmlFor(i).toString()));
        if (net != null) {
            builder.environment().putAll(Map.of("HERALD_HTTP_HOST", net.ip(i), "HERALD_CLUSTER_HOST", net.ip(i)));
        }
        builder.environment().putAll(env);
        if (logs[i] == null) {
            logs[i] = new PrintWriter(Files.newBufferedWriter(dir.resolve("node-" + i + ".log")), true);
        }
        PrintWriter log = logs[i];
        log.println("---- start " + java.time.Instant.now());
        Process process = builder.start();
        processes[i] = process;
        stopped[i] = false;
        String up = "up on port " + http(i);
        CompletableFuture<Void> isUp = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (log) {
                        log.println(line);
                    }
                    if (line.contains(up)) {
                        isUp.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            isUp.completeExceptionally(new AssertionError("node " + i + " ended before it was up; see node-" + i + ".log"));
        }, "soak-node-" + i);
        reader.setDaemon(true);
        reader.start();
        isUp.get(180, TimeUnit.SECONDS);
    }

    void startAll() throws Exception {
        for (int i = 0; i < size; i++) {
            start(i);
        }
    }

    boolean alive(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** SIGKILL: the process dies at once. */
    void kill(int i) throws InterruptedException {
        cont(i);
        processes[i].destroyForcibly();
        processes[i].waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the exit (SIGKILL after 60 s). */
    void terminate(int i) throws InterruptedException {
        processes[i].toHandle().destroy();
        if (!processes[i].waitFor(60, TimeUnit.SECONDS)) {
            processes[i].destroyForcibly();
            processes[i].waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGSTOP: the process freezes (a long GC pause, a VM migration, an overloaded host). */
    void stop(int i) throws Exception {
        signal(i, "STOP");
        stopped[i] = true;
    }

    /** SIGCONT, if it is stopped. */
    void cont(int i) {
        if (stopped[i]) {
            try {
                signal(i, "CONT");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            stopped[i] = false;
        }
    }

    private void signal(int i, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes[i].pid())).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + processes[i].pid() + ": " + out);
        }
    }

    boolean canCut() {
        return net != null;
    }

    void cut(int i) throws Exception {
        net.cut(i, "add");
    }

    void heal(int i) throws Exception {
        net.cut(i, "del");
    }

    /** GET on node {@code i} with the dev API key: the answer, or null if it gave none within the timeout. */
    JsonObject get(int i, String path, long timeoutMs) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host(i) + ":" + http(i) + path))
                    .timeout(Duration.ofMillis(timeoutMs)).header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY).GET().build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            JsonObject body = response.body().startsWith("{") ? new JsonObject(response.body()) : new JsonObject();
            return body.put("httpStatus", response.statusCode());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The cluster part of node {@code i}'s /ready, with its HTTP status, or null. */
    JsonObject ready(int i) {
        JsonObject ready = get(i, "/ready", 3000);
        if (ready == null || !(ready.getValue("checks") instanceof JsonArray checks)) {
            return null;
        }
        for (Object check : checks) {
            if ("cluster".equals(((JsonObject) check).getString("id"))) {
                JsonObject data = ((JsonObject) check).getJsonObject("data", new JsonObject()).copy();
                return data.put("httpStatus", ready.getInteger("httpStatus"));
            }
        }
        return null;
    }

    /** Every node running, ready, with every member, and the cluster safe (backups in sync, no migration). */
    boolean allReadyAndSafe() {
        for (int i = 0; i < size; i++) {
            if (!alive(i) || stopped[i]) {
                return false;
            }
            JsonObject ready = ready(i);
            if (ready == null || ready.getInteger("httpStatus") != 200 || ready.getInteger("members", 0) != size + extraMembers
                    || !ready.getBoolean("safe", false)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            if (processes[i] != null) {
                cont(i);
                processes[i].destroyForcibly();
                try {
                    processes[i].waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (logs[i] != null) {
                logs[i].close();
            }
        }
    }
}
