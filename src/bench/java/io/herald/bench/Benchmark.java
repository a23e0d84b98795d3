package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Herald against the stock Vert.x SockJS bridge, same machine, same run, same load: each scenario runs
 * {@code --runs} times against each server (alternating), and the report gives the medians and their
 * ratio. The servers run pinned to {@code --server-cores}; run this generator pinned to the other core
 * (the {@code bench} Maven profile does: see README).
 * <pre>
 * scenarios: fanout    N subscribers of one type, R events/s: deliveries/s, loss, latency, server CPU per delivery
 *            idle      many authenticated idle connections: heap per connection after a full GC
 *                      (19,500 by default: this machine allows 20,000 open files per process, server and generator alike)
 *            churn     connects and disconnects per second: errors, connections left, heap growth
 *            crossnode publish on node A, N subscribers on node B (two clustered servers)
 *            ingest    events/s accepted over HTTP, single and in batches, by Herald unclustered, clustered on one node
 *                      and on two nodes (sharing the server cores); Herald only: compared with unclustered, same run;
 *                      {@code --ingest-keys on} sends a new Idempotency-Key with every event, {@code both} runs each mode
 *                      without and with keys on the same servers and reports the ratio (keys / without)
 *            history   heap per event kept in history on a clustered node, after a full GC; Herald only
 *            shutdown  SIGTERM to a clustered node holding {@code --idle} connections: time until every client has its
 *                      close and until the process exits; Herald only
 *            connect   connects per second on one node (connect, token verified, first answer, close; closed loop of
 *                      {@code --connect-concurrency}), with HS256 tokens and with RS256 tokens (the node configured with a
 *                      public key); Herald only
 * </pre>
 * Neither ingest nor history is in the default scenarios: name them ({@code --scenarios ingest,history}).
 * <p>
 * Targets ({@code --targets herald,stock,socketio,floor}; default herald,stock): Herald, the stock Vert.x SockJS bridge,
 * and two peers that run fanout and idle only: Socket.IO 4.8 (Node, src/bench/socketio) and the floor (C, epoll, one
 * pre-encoded frame and one write() per socket per event, src/bench/floor). Idle reports the RSS growth of the server
 * process per connection (what the operator pays, heap or not) and, for the JVMs, the heap after a full GC apart.
 */
public final class Benchmark {
    /** Scenarios the stock bridge cannot run: it has no batch publish API and no history. */
    private static final Set<String> HERALD_ONLY = Set.of("ingest", "history", "presence", "shutdown", "connect");
    /** What the Socket.IO peer and the floor run: the fan-out and, for memory, idle connections. */
    private static final Set<String> PEER_SCENARIOS = Set.of("fanout", "idle");
    private static final List<String> INGEST_VARIANTS = List.of("unclustered", "clustered, 1 node", "clustered, 2 nodes");
    /** Targets we track: clustered at least this share of unclustered (single, batch). */
    private static final Map<String, String> INGEST_TARGETS = Map.of("single", "≥ 0.75", "batch", "≥ 0.25");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> options = new LinkedHashMap<>(Map.of(
            "runs", "3", "scenarios", "fanout,idle,churn,crossnode", "subscribers", "1000", "rate", "100",
            "seconds", "20", "warmup", "5", "idle", "19500", "churn-rate", "500", "churn-seconds", "60", "server-cores", "0"));
    {
        options.put("targets", "herald,stock");
        options.put("server-jvm-args", "");
        options.put("histogram", "0");
        options.put("ingest-seconds", "10");
        options.put("ingest-warmup", "20");
        options.put("batch", "100");
        options.put("ingest-keys", "off");
        // one request at a time per connection: Vert.x handles pipelined requests of a connection one after the other,
        // so pipelining would bound a batch of history appends by the number of connections
        options.put("connections", "128");
        options.put("in-flight", "128");
        options.put("history-events", "20000");
        options.put("history-types", "20");
        // below what one server core takes (about 2,500 cycles/s), so that no connect times out: CPU per cycle is the figure
        options.put("presence-churn-rate", "2000");
        options.put("presence-churn-seconds", "10");
        options.put("presence-hold", "5000");
        options.put("presence-hold-rate", "2000");
        options.put("connect-concurrency", "64");
        options.put("connect-seconds", "10");
        options.put("connect-warmup", "10");
        // the coalesce scenario: fan-out with Herald at each of these bridge.writeDelayMs windows, beside the stock bridge
        options.put("write-delays", "0,5");
    }
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
    private final String classpath = System.getProperty("java.class.path");
    /** scenario → metric → kind → one value per run. */
    private final Map<String, Map<String, Map<ServerProcess.Kind, List<Double>>>> results = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        Benchmark benchmark = new Benchmark();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!benchmark.options.containsKey(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + benchmark.options.keySet());
            }
            benchmark.options.put(name, args[i + 1]);
        }
        try {
            benchmark.runAll();
        } finally {
            benchmark.vertx.close().await();
        }
        System.exit(0);
    }

    private int option(String name) {
        return Integer.parseInt(options.get(name));
    }

    private List<ServerProcess.Kind> targets() {
        return Arrays.stream(options.get("targets").split(",")).map(t -> ServerProcess.Kind.valueOf(t.trim().toUpperCase())).toList();
    }

    private void runAll() throws Exception {
        ServerProcess.extraJvmArgs = options.get("server-jvm-args").isBlank() ? List.of() : List.of(options.get("server-jvm-args").split(" "));
        System.out.println("# Herald benchmark " + options);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores visible to the generator, "
                + cpuModel() + ", servers on cores " + options.get("server-cores") + "; server JVM flags (Herald and the stock bridge alike): "
                + String.join(" ", ServerProcess.JVM_FLAGS) + (ServerProcess.extraJvmArgs.isEmpty() ? "" : " " + String.join(" ", ServerProcess.extraJvmArgs))
                + "; open files allowed per process: " + openFilesLimit() + "; load average " + loadAverage());
        for (String scenario : options.get("scenarios").split(",")) {
            for (int run = 1; run <= option("runs"); run++) {
                for (ServerProcess.Kind kind : targets()) {
                    if (HERALD_ONLY.contains(scenario) && kind != ServerProcess.Kind.HERALD
                            || !kind.isJvm() && !PEER_SCENARIOS.contains(scenario)) {
                        continue;
                    }
                    if (scenario.equals("coalesce")) {
                        coalesce(kind, run);
                        continue;
                    }
                    Map<String, Double> metrics = switch (scenario) {
                        case "fanout" -> fanout(kind, false);
                        case "crossnode" -> fanout(kind, true);
                        case "idle" -> idle(kind);
                        case "churn" -> churn(kind);
                        case "ingest" -> ingest();
                        case "history" -> history();
                        case "presence" -> presence();
                        case "shutdown" -> shutdown();
                        case "connect" -> connect();
                        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                    };
                    System.out.println(scenario + " run " + run + " " + kind + ": " + metrics + " (load average " + loadAverage() + ")");
                    if (!kind.isJvm() || targets().stream().anyMatch(k -> !k.isJvm())) {
                        // with the peers, the machine's load goes into the table: the runs of this kind are read against it
                        metrics = new LinkedHashMap<>(metrics);
                        metrics.put("load average (1 min)", Double.parseDouble(loadAverage()));
                    }
                    metrics.forEach((metric, value) -> results.computeIfAbsent(scenario, s -> new LinkedHashMap<>())
                            .computeIfAbsent(metric, m -> new LinkedHashMap<>())
                            .computeIfAbsent(kind, k -> new ArrayList<>()).add(value));
                }
            }
        }
        String report = report();
        System.out.println(report);
        Files.createDirectories(Path.of("target/bench"));
        Files.writeString(Path.of("target/bench/results.md"), report);
    }

    /**
     * The fan-out with Herald at each write window of {@code --write-delays} (HERALD_BRIDGE_WRITE_DELAY_MS), each beside
     * the same run's stock bridge: rows "coalesce, window N ms". Meant for {@code --subscribers 200 --rate 1000}.
     */
    private void coalesce(ServerProcess.Kind kind, int run) throws Exception {
        List<String> delays = Arrays.stream(options.get("write-delays").split(",")).map(String::trim).toList();
        if (kind == ServerProcess.Kind.STOCK) {
            Map<String, Double> metrics = fanout(kind, false, Map.of());
            System.out.println("coalesce run " + run + " " + kind + ": " + metrics + " (load average " + loadAverage() + ")");
            for (String delay : delays) {
                record("coalesce, window " + delay + " ms", kind, metrics);
            }
            return;
        }
        for (String delay : delays) {
            Map<String, Double> metrics = fanout(kind, false, Map.of("HERALD_BRIDGE_WRITE_DELAY_MS", delay));
            System.out.println("coalesce run " + run + " " + kind + " window " + delay + " ms: " + metrics + " (load average " + loadAverage() + ")");
            record("coalesce, window " + delay + " ms", kind, metrics);
        }
    }

    private void record(String scenario, ServerProcess.Kind kind, Map<String, Double> metrics) {
        metrics.forEach((metric, value) -> results.computeIfAbsent(scenario, s -> new LinkedHashMap<>())
                .computeIfAbsent(metric, m -> new LinkedHashMap<>())
                .computeIfAbsent(kind, k -> new ArrayList<>()).add(value));
    }

    private Map<String, Double> fanout(ServerProcess.Kind kind, boolean crossNode) throws Exception {
        return fanout(kind, crossNode, Map.of());
    }

    /** N subscribers on one server (or on node B, with the publisher on node A), R events/s; {@code env}: more server environment. */
    private Map<String, Double> fanout(ServerProcess.Kind kind, boolean crossNode, Map<String, String> env) throws Exception {
        int subscribers = option("subscribers");
        int rate = option("rate");
        int seconds = option("seconds");
        String cluster = ServerProcess.newClusterName();
        int hzA = freePort();
        int hzB = freePort();
        List<Integer> members = crossNode ? List.of(hzA, hzB) : List.of(hzA);
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (ServerProcess a = ServerProcess.start(kind, options.get("server-cores"), freePort(), ServerProcess.clusterXml(cluster, hzA, members), classpath, env);
             ServerProcess b = crossNode ? ServerProcess.start(kind, options.get("server-cores"), freePort(), ServerProcess.clusterXml(cluster, hzB, members), classpath, env) : a) {
            LoadClient clients = new LoadClient(vertx, kind, b.port);
            Publisher publisher = new Publisher(vertx, a.port);
            try {
                clients.openMany(subscribers, 1000).await();
                publisher.run(rate, option("warmup")).await();
                Thread.sleep(1000);

                // the generator's young generation (-Xmn4g) then outlasts the window: no generator pause in the figures
                System.gc();
                clients.startMeasuring();
                long cpuBefore = a.cpuNanos() + (crossNode ? b.cpuNanos() : 0);
                long sysBefore = a.sysNanos() + (crossNode ? b.sysNanos() : 0);
                long generatorBefore = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());
                long wallBefore = System.nanoTime();
                long acceptedBefore = publisher.accepted.sum();
                publisher.run(rate, seconds).await();
                long expected = (publisher.accepted.sum() - acceptedBefore) * subscribers;
                long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (clients.received.sum() < expected && System.nanoTime() < drainEnd) {
                    Thread.sleep(50);
                }
                // a server that fell behind keeps delivering after the publisher stops: count that time too
                double elapsedSeconds = (System.nanoTime() - wallBefore) / 1e9;
                long cpu = a.cpuNanos() + (crossNode ? b.cpuNanos() : 0) - cpuBefore;
                long sys = a.sysNanos() + (crossNode ? b.sysNanos() : 0) - sysBefore;
                double generatorLoad = (ServerProcess.cpuNanosOf(ProcessHandle.current().pid()) - generatorBefore)
                        / (double) (System.nanoTime() - wallBefore);
                clients.stopMeasuring();

                long received = clients.received.sum();
                Latency latency = clients.latency();
                metrics.put("deliveries/s", received / elapsedSeconds);
                metrics.put("loss %", expected == 0 ? 100.0 : 100.0 * (expected - Math.min(received, expected)) / expected);
                metrics.put("p50 ms", latency.percentile(0.50) / 1000.0);
                metrics.put("p99 ms", latency.percentile(0.99) / 1000.0);
                metrics.put("max ms", latency.max() / 1000.0);
                metrics.put("server CPU µs/delivery", received == 0 ? Double.NaN : cpu / 1000.0 / received);
                metrics.put("  of which kernel µs", received == 0 ? Double.NaN : sys / 1000.0 / received);
                metrics.put("errors", (double) (clients.errors.sum() + publisher.failed.sum()));
                metrics.put("generator CPU %", 100 * generatorLoad);
            } finally {
                clients.close();
                publisher.close();
            }
        }
        return metrics;
    }

    /** Many idle authenticated connections, each registered on one type: heap per connection after GC. */
    private Map<String, Double> idle(ServerProcess.Kind kind) throws Exception {
        int count = option("idle");
        int hz = freePort();
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (ServerProcess server = ServerProcess.start(kind, options.get("server-cores"), freePort(),
                ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath)) {
            // RSS read before each jcmd: the attach adds a thread and some native memory to the process
            Thread.sleep(1000);
            long rssBefore = server.rssBytes();
            long heapBefore = kind.isJvm() ? server.heapAfterGc() : 0;
            LoadClient clients = new LoadClient(vertx, kind, server.port);
            try {
                long start = System.nanoTime();
                clients.openMany(count, 2000).await();
                double connectSeconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep(2000);
                long rssAfter = server.rssBytes();
                long heapAfter = kind.isJvm() ? server.heapAfterGc() : 0;
                // after the full GC (G1 gives back what the connects' garbage made it commit): what the connections keep
                long rssAfterGc = server.rssBytes();
                if (option("histogram") > 0) {
                    System.out.println(kind + " live objects with " + count + " connections:\n" + server.classHistogram(option("histogram")));
                }
                metrics.put("connections", (double) clients.openSockets());
                metrics.put("RSS KB/connection", (rssAfter - rssBefore) / 1024.0 / Math.max(1, clients.openSockets()));
                metrics.put("RSS KB/connection after full GC", kind.isJvm()
                        ? (rssAfterGc - rssBefore) / 1024.0 / Math.max(1, clients.openSockets()) : Double.NaN);
                metrics.put("RSS MB before", rssBefore / 1024.0 / 1024.0);
                metrics.put("heap KB/connection", kind.isJvm() ? (heapAfter - heapBefore) / 1024.0 / Math.max(1, clients.openSockets()) : Double.NaN);
                metrics.put("connect s", connectSeconds);
                metrics.put("errors", (double) clients.errors.sum());
            } finally {
                clients.close();
            }
        }
        return metrics;
    }

    /**
     * A clustered node holding {@code --idle} connections, each registered on one type, gets SIGTERM: the time
     * until every client has been closed (and how many with 1001 shutdown), and until the process has exited.
     */
    private Map<String, Double> shutdown() throws Exception {
        int count = option("idle");
        int hz = freePort();
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (ServerProcess server = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath)) {
            LoadClient clients = new LoadClient(vertx, ServerProcess.Kind.HERALD, server.port);
            try {
                clients.openMany(count, 2000).await();
                Thread.sleep(2000);
                int open = clients.openSockets();
                long start = System.nanoTime();
                server.terminate();
                double allClosed = Double.NaN;
                double exited = Double.NaN;
                long end = start + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end && (Double.isNaN(allClosed) || Double.isNaN(exited))) {
                    double now = (System.nanoTime() - start) / 1e9;
                    if (Double.isNaN(allClosed) && clients.openSockets() == 0) {
                        allClosed = now;
                    }
                    if (Double.isNaN(exited) && !server.isAlive()) {
                        exited = now;
                    }
                    Thread.sleep(5);
                }
                metrics.put("connections", (double) open);
                metrics.put("all clients closed s", allClosed);
                metrics.put("process exited s", exited);
                metrics.put("closed with 1001 shutdown", (double) clients.shutdownCloses.sum());
                metrics.put("errors", (double) clients.errors.sum());
            } finally {
                clients.close();
            }
        }
        return metrics;
    }

    /** Connect, register, disconnect, at a steady rate: errors, leftovers, heap growth. */
    private Map<String, Double> churn(ServerProcess.Kind kind) throws Exception {
        int rate = option("churn-rate");
        int seconds = option("churn-seconds");
        int hz = freePort();
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (ServerProcess server = ServerProcess.start(kind, options.get("server-cores"), freePort(),
                ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath)) {
            LoadClient clients = new LoadClient(vertx, kind, server.port);
            try {
                long heapBefore = server.heapAfterGc();
                if (option("histogram") > 0) {
                    System.out.println(kind + " live objects before the churn:\n" + server.classHistogram(option("histogram")));
                }
                double cyclesPerSecond = churnCycles(clients, rate, seconds);
                Thread.sleep(3000);
                long heapAfter = server.heapAfterGc();
                if (option("histogram") > 0) {
                    System.out.println(kind + " live objects after the churn:\n" + server.classHistogram(option("histogram")));
                }
                metrics.put("cycles/s", cyclesPerSecond);
                metrics.put("errors", (double) clients.errors.sum());
                metrics.put("heap growth KB", (heapAfter - heapBefore) / 1024.0);
                if (kind == ServerProcess.Kind.HERALD) {
                    JsonObject totals = stats(server.port).getJsonObject("totals");
                    metrics.put("connections left", totals.getDouble("connections"));
                    metrics.put("subscriptions left", totals.getDouble("subscriptions"));
                }
            } finally {
                clients.close();
            }
        }
        return metrics;
    }

    /** Connect, register and disconnect {@code rate} times a second for {@code seconds}: the cycles/s the server completed. */
    private static double churnCycles(LoadClient clients, int rate, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        List<io.vertx.core.Future<Void>> all = new ArrayList<>();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long due = start + i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            all.add(clients.open((int) i, false));
        }
        io.vertx.core.Future.join(all).otherwiseEmpty().await();
        return total / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * What presence costs on connect: the same server with presence on and off, each first churning (connect,
     * register, close) at a rate above what it takes, then opening {@code presence-hold} connections of distinct
     * users at {@code presence-hold-rate} a second and keeping them (each user then sent to the other nodes). The
     * server's CPU time per connection, flushes included, is what the noise of a shared machine moves least;
     * capacity on / off is the inverse ratio of those times.
     */
    private Map<String, Double> presence() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String mode : List.of("on", "off")) {
            int hz = freePort();
            try (ServerProcess server = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                    ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath,
                    Map.of("HERALD_PRESENCE_ENABLED", String.valueOf(mode.equals("on"))))) {
                LoadClient clients = new LoadClient(vertx, ServerProcess.Kind.HERALD, server.port);
                try {
                    long cpu = server.cpuNanos();
                    metrics.put(mode + ": churn cycles/s", churnCycles(clients, option("presence-churn-rate"), option("presence-churn-seconds")));
                    Thread.sleep(1000);
                    long cycles = (long) option("presence-churn-rate") * option("presence-churn-seconds");
                    metrics.put(mode + ": churn CPU µs/cycle", (server.cpuNanos() - cpu) / 1000.0 / cycles);
                    cpu = server.cpuNanos();
                    clients.openMany(option("presence-hold"), option("presence-hold-rate")).await();
                    Thread.sleep(1000);
                    metrics.put(mode + ": held CPU µs/connect", (server.cpuNanos() - cpu) / 1000.0 / option("presence-hold"));
                    metrics.put(mode + ": errors", (double) clients.errors.sum());
                } finally {
                    clients.close();
                }
            }
        }
        metrics.put("churn capacity on / off", metrics.get("off: churn CPU µs/cycle") / metrics.get("on: churn CPU µs/cycle"));
        metrics.put("held connects capacity on / off", metrics.get("off: held CPU µs/connect") / metrics.get("on: held CPU µs/connect"));
        return metrics;
    }

    /**
     * Connects per second on one (clustered) node, HS256 then RS256 tokens, each after a warmup: connects completed
     * (token verified, the node's answer to a first frame received, closed) per second, server CPU per connect, errors.
     * The attempt limit is raised so that one generator address is never throttled.
     */
    private Map<String, Double> connect() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        ConnectLoad.RsaKeys rsa = ConnectLoad.RsaKeys.generate();
        for (String algorithm : List.of("HS256", "RS256")) {
            Map<String, String> env = new java.util.HashMap<>(Map.of("HERALD_LIMITS_CONNECT_ATTEMPTS_PER_IP_PER_SECOND", "1000000",
                    "HERALD_PRESENCE_ENABLED", "false"));
            if (algorithm.equals("RS256")) {
                env.put("HERALD_AUTH_JWT_PUBLIC_KEY", rsa.publicKeyFile().toString());
            }
            int hz = freePort();
            try (ServerProcess server = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                    ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath, env)) {
                ConnectLoad load = new ConnectLoad(vertx, server.port, ConnectLoad.tokens(vertx, 1000, algorithm.equals("RS256") ? rsa : null));
                try {
                    load.start(option("connect-concurrency"));
                    Thread.sleep(TimeUnit.SECONDS.toMillis(option("connect-warmup")));
                    long completedBefore = load.completed.sum();
                    long errorsBefore = load.errors.sum();
                    long cpuBefore = server.cpuNanos();
                    long wallBefore = System.nanoTime();
                    Thread.sleep(TimeUnit.SECONDS.toMillis(option("connect-seconds")));
                    long completed = load.completed.sum() - completedBefore;
                    long cpu = server.cpuNanos() - cpuBefore;
                    double seconds = (System.nanoTime() - wallBefore) / 1e9;
                    metrics.put(algorithm + ": connects/s", completed / seconds);
                    metrics.put(algorithm + ": server CPU µs/connect", completed == 0 ? Double.NaN : cpu / 1000.0 / completed);
                    metrics.put(algorithm + ": errors", (double) (load.errors.sum() - errorsBefore));
                } finally {
                    load.close();
                }
            }
        }
        metrics.put("RS256 / HS256 connects/s", metrics.get("RS256: connects/s") / metrics.get("HS256: connects/s"));
        return metrics;
    }

    /**
     * Events/s accepted over HTTP by each variant, one event per request and then batches, each after a warmup;
     * the ratios clustered / unclustered are taken within this run.
     */
    private Map<String, Double> ingest() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String variant : INGEST_VARIANTS) {
            List<ServerProcess> servers = new ArrayList<>();
            try {
                if (variant.equals("unclustered")) {
                    servers.add(ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                            ServerProcess.clusterXml(ServerProcess.newClusterName(), freePort(), List.of()), classpath,
                            Map.of("HERALD_CLUSTER", "false")));
                } else {
                    String cluster = ServerProcess.newClusterName();
                    List<Integer> members = variant.endsWith("2 nodes") ? List.of(freePort(), freePort()) : List.of(freePort());
                    for (int hz : members) {
                        servers.add(ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                                ServerProcess.clusterXml(cluster, hz, members), classpath));
                    }
                }
                for (String mode : ingestModes()) {
                    ingestPhase(variant, mode, servers, mode.startsWith("batch") ? option("batch") : 0, metrics);
                }
            } finally {
                for (ServerProcess server : servers) {
                    server.close();
                }
            }
        }
        // when other work shares the server core, a JVM with more busy threads (clustered) gets more of it: CPU per event is not skewed so
        for (String variant : INGEST_VARIANTS) {
            for (String mode : ingestModes()) {
                if (mode.endsWith(KEYS) && metrics.containsKey(variant + ", " + mode.substring(0, mode.length() - KEYS.length()) + ": events/s")) {
                    String plain = variant + ", " + mode.substring(0, mode.length() - KEYS.length()) + ": ";
                    String keyed = variant + ", " + mode + ": ";
                    metrics.put(keyed + "/ without keys", metrics.get(keyed + "events/s") / metrics.get(plain + "events/s"));
                    metrics.put(keyed + "/ without keys by CPU", metrics.get(plain + "server CPU µs/event") / metrics.get(keyed + "server CPU µs/event"));
                }
            }
        }
        for (String variant : INGEST_VARIANTS.subList(1, INGEST_VARIANTS.size())) {
            for (String mode : ingestModes()) {
                String prefix = variant + ", " + mode + ": ";
                String unclustered = "unclustered, " + mode + ": ";
                metrics.put(prefix + "/ unclustered", metrics.get(prefix + "events/s") / metrics.get(unclustered + "events/s"));
                metrics.put(prefix + "/ unclustered by CPU",
                        metrics.get(unclustered + "server CPU µs/event") / metrics.get(prefix + "server CPU µs/event"));
            }
        }
        return metrics;
    }

    private static final String KEYS = ", keys";

    /** The ingest modes {@code --ingest-keys} asks for: single and batch, without keys, with, or both (each beside the other). */
    private List<String> ingestModes() {
        return switch (options.get("ingest-keys")) {
            case "on" -> List.of("single" + KEYS, "batch" + KEYS);
            case "both" -> List.of("single", "single" + KEYS, "batch", "batch" + KEYS);
            default -> List.of("single", "batch");
        };
    }

    /** One closed-loop load on the servers: warmup, then the window, counting what is accepted in it. */
    private void ingestPhase(String variant, String mode, List<ServerProcess> servers, int batchSize, Map<String, Double> metrics)
            throws Exception {
        IngestLoad load = new IngestLoad(vertx, servers.stream().map(s -> s.port).toList(), option("connections"), option("in-flight"), batchSize,
                mode.endsWith(KEYS));
        try {
            System.gc(); // as in fanout: no generator collection during the window
            load.start().await();
            // the server JVM on one core still compiles (C2) for 15 s or so under this load
            Thread.sleep(TimeUnit.SECONDS.toMillis(option("ingest-warmup")));
            long acceptedBefore = load.accepted.sum();
            long errorsBefore = load.errors.sum();
            long cpuBefore = serverCpuNanos(servers);
            long generatorBefore = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());
            long wallBefore = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(option("ingest-seconds")));
            long accepted = load.accepted.sum() - acceptedBefore;
            long errors = load.errors.sum() - errorsBefore;
            long cpu = serverCpuNanos(servers) - cpuBefore;
            long generatorCpu = ServerProcess.cpuNanosOf(ProcessHandle.current().pid()) - generatorBefore;
            long wall = System.nanoTime() - wallBefore;
            load.stop().await();

            String prefix = variant + ", " + mode + ": ";
            metrics.put(prefix + "events/s", accepted / (wall / 1e9));
            metrics.put(prefix + "server CPU µs/event", accepted == 0 ? Double.NaN : cpu / 1000.0 / accepted);
            metrics.put(prefix + "server core %", 100.0 * cpu / wall);
            metrics.put(prefix + "generator core %", 100.0 * generatorCpu / wall);
            metrics.put(prefix + "errors", (double) errors);
            if (load.firstError.get() != null) {
                System.out.println(prefix + load.errors.sum() + " errors, the first: " + load.firstError.get());
            }
        } finally {
            load.close();
        }
    }

    private static long serverCpuNanos(List<ServerProcess> servers) throws IOException {
        long sum = 0;
        for (ServerProcess server : servers) {
            sum += server.cpuNanos();
        }
        return sum;
    }

    /**
     * Heap per event kept in history on a clustered node: events of about 200 bytes of data, spread over
     * {@code history-types} types so that each type's history can keep all of its share (the ring buffers of
     * cluster.xml hold 1,000 per type), published in batches; heap after a full GC before and after.
     */
    private Map<String, Double> history() throws Exception {
        int events = option("history-events");
        List<String> types = catalogTypes();
        if (option("history-types") >= types.size()) {
            throw new IllegalArgumentException("--history-types must be below " + types.size() + ": one more type warms up");
        }
        List<String> measured = types.subList(0, option("history-types"));
        int perType = events / measured.size();
        int hz = freePort();
        Map<String, Double> metrics = new LinkedHashMap<>();
        // a history limit per type, for nodes that have one (unknown settings are ignored)
        try (ServerProcess server = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath,
                Map.of("HERALD_HISTORY_MAX_EVENTS", String.valueOf(perType)))) {
            // the publish path and a type's history warmed up by a type left out of the count
            publishForHistory(server.port, types.get(types.size() - 1), perType);
            long heapBefore = medianHeapAfterGc(server);
            long start = System.nanoTime();
            long accepted = 0;
            for (String type : measured) {
                accepted += publishForHistory(server.port, type, perType);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(1000);
            long heapAfter = medianHeapAfterGc(server);
            if (option("histogram") > 0) {
                System.out.println("live objects with " + accepted + " events in history:\n" + server.classHistogram(option("histogram")));
            }
            metrics.put("events kept", (double) accepted);
            metrics.put("heap bytes/event kept", accepted == 0 ? Double.NaN : (heapAfter - heapBefore) / (double) accepted);
            metrics.put("publish events/s", accepted / seconds);
            metrics.put("errors", (double) (perType * measured.size() - accepted));
        }
        return metrics;
    }

    /** The heap after a full GC varies by up to a MB from one collection to the next (the server's timers allocate): the median of three. */
    private static long medianHeapAfterGc(ServerProcess server) throws IOException, InterruptedException {
        long[] heap = {server.heapAfterGc(), server.heapAfterGc(), server.heapAfterGc()};
        Arrays.sort(heap);
        return heap[1];
    }

    /** Publishes {@code count} events of one type in batches, one batch at a time; answers how many were accepted. */
    private int publishForHistory(int port, String type, int count) throws IOException, InterruptedException {
        int accepted = 0;
        for (int sent = 0; sent < count; ) {
            int size = Math.min(option("batch"), count - sent);
            JsonArray batch = new JsonArray();
            for (int i = 0; i < size; i++, sent++) {
                batch.add(new JsonObject().put("type", type).put("data", historyData(sent)));
            }
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events/batch"))
                    .header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("events", batch).encode())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                accepted += size;
            } else {
                System.out.println("history: batch of " + type + " refused: " + response.statusCode() + " " + response.body());
            }
        }
        return accepted;
    }

    /** A data object of 200 bytes as JSON, different for every n. */
    private static JsonObject historyData(int n) {
        JsonObject data = new JsonObject().put("orderId", String.format("o-%08d", n)).put("customerId", "c-" + (n % 997))
                .put("sku", "SKU-" + (n * 7919 % 100_000)).put("quantity", 1 + n % 5).put("total", 19.99 + n % 100).put("currency", "EUR");
        int padding = 200 - data.encode().length() - "\"note\":\"\",".length();
        return data.put("note", "x".repeat(Math.max(0, padding)));
    }

    private static List<String> catalogTypes() throws IOException {
        JsonObject namespaces = new JsonObject(Files.readString(Path.of("conf/catalog.json"))).getJsonObject("namespaces");
        List<String> types = new ArrayList<>();
        namespaces.forEach(ns -> ((JsonObject) ns.getValue()).getJsonArray("types").forEach(t -> types.add((String) t)));
        return types;
    }

    private static JsonObject stats(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/stats"))
                        .header("Authorization", "Bearer herald-dev-api-key").build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }

    private String report() {
        List<ServerProcess.Kind> kinds = targets();
        List<ServerProcess.Kind> others = kinds.stream().filter(k -> k != ServerProcess.Kind.HERALD).toList();
        StringBuilder out = new StringBuilder("\n| scenario | metric");
        kinds.forEach(k -> out.append(" | ").append(label(k)));
        others.forEach(k -> out.append(" | Herald / ").append(label(k)));
        out.append(" |\n|---|---").append("|---".repeat(kinds.size() + others.size())).append("|\n");
        results.forEach((scenario, metrics) -> metrics.forEach((metric, byKind) -> {
            if (scenario.equals("ingest")) {
                return;
            }
            out.append("| ").append(scenario).append(" | ").append(metric);
            kinds.forEach(k -> out.append(" | ").append(format(median(byKind.get(k)))));
            for (ServerProcess.Kind k : others) {
                out.append(" | ").append(format(sameRunRatio(byKind.get(ServerProcess.Kind.HERALD), byKind.get(k))));
            }
            out.append(" |\n");
        }));
        if (results.containsKey("ingest")) {
            out.append(ingestTable(results.get("ingest")));
        }
        out.append("\nmedians of ").append(options.get("runs")).append(" runs; Herald / X: the median of each run's ratio; every run: ");
        results.forEach((scenario, metrics) -> metrics.forEach((metric, byKind) ->
                out.append("\n  ").append(scenario).append(' ').append(metric).append(": ").append(byKind)));
        return out.append('\n').toString();
    }

    /** Herald only, one row per variant and mode; the ratio is the median of each run's clustered / unclustered. */
    private String ingestTable(Map<String, Map<ServerProcess.Kind, List<Double>>> metrics) {
        StringBuilder out = new StringBuilder("\n| ingest (Herald) | mode | events/s | / unclustered | target | server CPU µs/event "
                + "| / unclustered by CPU | / without keys | / without keys by CPU | server core % | generator core % | errors |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String variant : INGEST_VARIANTS) {
            for (String mode : ingestModes()) {
                String prefix = variant + ", " + mode + ": ";
                Function<String, String> cell = name -> metrics.containsKey(prefix + name)
                        ? format(median(metrics.get(prefix + name).get(ServerProcess.Kind.HERALD))) : "";
                out.append("| ").append(variant).append(" | ").append(mode.startsWith("single") ? mode : mode.replace("batch", "batch of " + options.get("batch")))
                        .append(" | ").append(cell.apply("events/s")).append(" | ").append(cell.apply("/ unclustered"))
                        .append(" | ").append(variant.equals("unclustered") ? "" : INGEST_TARGETS.get(mode.startsWith("single") ? "single" : "batch"))
                        .append(" | ").append(cell.apply("server CPU µs/event")).append(" | ").append(cell.apply("/ unclustered by CPU"))
                        .append(" | ").append(cell.apply("/ without keys")).append(" | ").append(cell.apply("/ without keys by CPU"))
                        .append(" | ").append(cell.apply("server core %"))
                        .append(" | ").append(cell.apply("generator core %")).append(" | ").append(cell.apply("errors")).append(" |\n");
            }
        }
        return out.toString();
    }

    /** The median over runs of Herald's figure / the other's in the same run (the targets alternate within a run). */
    private static double sameRunRatio(List<Double> herald, List<Double> other) {
        if (herald == null || other == null) {
            return Double.NaN;
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(herald.size(), other.size()); i++) {
            if (other.get(i) != 0 && !Double.isNaN(other.get(i)) && !Double.isNaN(herald.get(i))) {
                ratios.add(herald.get(i) / other.get(i));
            }
        }
        return median(ratios);
    }

    private static double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return Math.abs(value) >= 100 ? String.format("%.0f", value) : String.format("%.3g", value);
    }

    private static String label(ServerProcess.Kind kind) {
        return switch (kind) {
            case HERALD -> "Herald";
            case STOCK -> "stock bridge";
            case SOCKETIO -> "Socket.IO 4.8";
            case FLOOR -> "floor (C, epoll)";
        };
    }

    /** The soft limit on open files of this process (the servers inherit it; the floor raises its own to the hard limit). */
    private static String openFilesLimit() {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
                    .findFirst().map(l -> l.replaceAll("Max open files\\s+(\\S+)\\s+(\\S+).*", "$1 (hard $2)")).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The machine's 1-minute load average, printed with each run to spot runs that shared the machine with other work. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
