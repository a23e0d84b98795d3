package io.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
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
import java.util.concurrent.TimeUnit;

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
 * </pre>
 */
public final class Benchmark {
    private final Map<String, String> options = new LinkedHashMap<>(Map.of(
            "runs", "3", "scenarios", "fanout,idle,churn,crossnode", "subscribers", "1000", "rate", "100",
            "seconds", "20", "warmup", "5", "idle", "19500", "churn-rate", "500", "churn-seconds", "60", "server-cores", "0"));
    {
        options.put("targets", "herald,stock");
        options.put("server-jvm-args", "");
        options.put("histogram", "0");
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
                + cpuModel() + ", servers on cores " + options.get("server-cores"));
        for (String scenario : options.get("scenarios").split(",")) {
            for (int run = 1; run <= option("runs"); run++) {
                for (ServerProcess.Kind kind : targets()) {
                    Map<String, Double> metrics = switch (scenario) {
                        case "fanout" -> fanout(kind, false);
                        case "crossnode" -> fanout(kind, true);
                        case "idle" -> idle(kind);
                        case "churn" -> churn(kind);
                        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                    };
                    System.out.println(scenario + " run " + run + " " + kind + ": " + metrics);
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

    /** N subscribers on one server (or on node B, with the publisher on node A), R events/s. */
    private Map<String, Double> fanout(ServerProcess.Kind kind, boolean crossNode) throws Exception {
        int subscribers = option("subscribers");
        int rate = option("rate");
        int seconds = option("seconds");
        String cluster = ServerProcess.newClusterName();
        int hzA = freePort();
        int hzB = freePort();
        List<Integer> members = crossNode ? List.of(hzA, hzB) : List.of(hzA);
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (ServerProcess a = ServerProcess.start(kind, options.get("server-cores"), freePort(), ServerProcess.clusterXml(cluster, hzA, members), classpath);
             ServerProcess b = crossNode ? ServerProcess.start(kind, options.get("server-cores"), freePort(), ServerProcess.clusterXml(cluster, hzB, members), classpath) : a) {
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
            long heapBefore = server.heapAfterGc();
            LoadClient clients = new LoadClient(vertx, kind, server.port);
            try {
                long start = System.nanoTime();
                clients.openMany(count, 2000).await();
                double connectSeconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep(2000);
                long heapAfter = server.heapAfterGc();
                if (option("histogram") > 0) {
                    System.out.println(kind + " live objects with " + count + " connections:\n" + server.classHistogram(option("histogram")));
                }
                metrics.put("connections", (double) clients.openSockets());
                metrics.put("heap KB/connection", (heapAfter - heapBefore) / 1024.0 / Math.max(1, clients.openSockets()));
                metrics.put("connect s", connectSeconds);
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
                double elapsed = (System.nanoTime() - start) / 1e9;
                Thread.sleep(3000);
                long heapAfter = server.heapAfterGc();
                metrics.put("cycles/s", total / elapsed);
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

    private static JsonObject stats(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/stats")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }

    private String report() {
        StringBuilder out = new StringBuilder("\n| scenario | metric | Herald | stock bridge | Herald / stock |\n|---|---|---|---|---|\n");
        results.forEach((scenario, metrics) -> metrics.forEach((metric, byKind) -> {
            double herald = median(byKind.get(ServerProcess.Kind.HERALD));
            double stock = median(byKind.get(ServerProcess.Kind.STOCK));
            out.append("| ").append(scenario).append(" | ").append(metric).append(" | ").append(format(herald)).append(" | ")
                    .append(format(stock)).append(" | ").append(stock == 0 || Double.isNaN(stock) || Double.isNaN(herald) ? "–" : format(herald / stock)).append(" |\n");
        }));
        out.append("\nmedians of ").append(options.get("runs")).append(" runs; every run: ");
        results.forEach((scenario, metrics) -> metrics.forEach((metric, byKind) ->
                out.append("\n  ").append(scenario).append(' ').append(metric).append(": ").append(byKind)));
        return out.append('\n').toString();
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
