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
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * Herald against the stock Vert.x SockJS bridge, same machine, same run, same load: each scenario runs
 * {@code --runs} times against each server (alternating), and the report gives the medians and their
 * ratio. The servers run pinned to {@code --server-cores}; run this generator pinned to the other core
 * (the {@code bench} Maven profile does: see README).
 * <pre>
 * scenarios: fanout    N subscribers of one type, R events/s: deliveries/s, loss, latency, server CPU per delivery
 *            interleaved (issue 19 item 1) fanout of every target over the same minutes: all servers up at once, the publisher
 *                      switching between them every {@code --slot-seconds}; for the floor against Herald under this machine's noise
 *            idle      many authenticated idle connections: heap per connection after a full GC
 *                      (19,500 by default: this machine allows 20,000 open files per process, server and generator alike)
 *            churn     connects and disconnects per second: errors, connections left, heap growth
 *            crossnode publish on node A, N subscribers on node B (two clustered servers)
 *            ingest    events/s accepted over HTTP, single and in batches, by Herald unclustered, clustered on one node
 *                      and on two nodes (sharing the server cores); Herald only: compared with unclustered, same run;
 *                      {@code --ingest-keys on} sends a new Idempotency-Key with every event, {@code both} runs each mode
 *                      without and with keys on the same servers and reports the ratio (keys / without); {@code batch} and
 *                      {@code none} run only batches with keys or without (one mode, for a profile)
 *            history   heap per event kept in history on a clustered node, after a full GC; Herald only
 *            outbox    events/s one clustered node publishes from the transactional outbox (PostgreSQL at --outbox-server),
 *                      rows inserted before it starts, each published with its key and deleted; Herald only
 *            shutdown  SIGTERM to a clustered node holding {@code --idle} connections: time until every client has its
 *                      close and until the process exits; Herald only
 *            storm     three clustered nodes; {@code --storm-clients} on one of them, which gets SIGKILL; {@code --storm-behind}
 *                      events (~300 bytes) are published on the survivors, then every client reconnects to one of the two
 *                      survivors within {@code --storm-spread-ms} with since/epoch: the time from the kill until every client
 *                      has every event (once, in order, none cut as slow_consumer), the survivors' CPU and RSS, and the
 *                      survivors' CPU per replayed event against a live delivery's to the same clients; Herald only
 *            compression (issue 20 item 4) fanout of {@code --compression-items}-line order events (18 lines: ~1.5 KB), clients
 *                      without and (Herald) with permessage-deflate; server bytes written per delivery too
 *            filters   (issue 20) fanout with events of {@code --filter-stores} storeIds: N unfiltered subscribers, then N each
 *                      filtering on one storeId (Herald); the stock bridge beside both, unfiltered
 *            connect   connects per second on one node (connect, token verified, first answer, close; closed loop of
 *                      {@code --connect-concurrency}), with HS256 tokens and with RS256 tokens (the node configured with a
 *                      public key); Herald only
 * </pre>
 * Neither ingest nor history is in the default scenarios: name them ({@code --scenarios ingest,history}).
 * <p>
 * {@code --stalls N}: fanout also prints its N slowest 100 ms windows (by publish time) with the server's threads' CPU over
 * each, the CPU of each thread over the whole window, its N slowest events (first and last delivery), and writes every
 * event's to a file: what a p99 is made of. Interleaved prints each target's N slowest windows and its threads' CPU.
 * <p>
 * Targets ({@code --targets herald,stock,socketio,floor}; default herald,stock): Herald, the stock Vert.x SockJS bridge,
 * and two peers that run fanout, interleaved, coalesce (their plain fan-out, beside each window) and idle only: Socket.IO 4.8 (Node, src/bench/socketio) and the floor (C, epoll, one
 * pre-encoded frame and one write() per socket per event, src/bench/floor). Idle reports the RSS growth of the server
 * process per connection (what the operator pays, heap or not) and, for the JVMs, the heap after a full GC apart; for
 * the JVMs and Socket.IO (node --expose-gc, POST /gc) the RSS growth after a full GC; for the JVMs the RSS growth split
 * into Java heap pages and the rest (/proc/PID/smaps against the heap's range).
 */
public final class Benchmark {
    /** Scenarios the stock bridge cannot run: it has no batch publish API and no history. */
    private static final Set<String> HERALD_ONLY = Set.of("ingest", "history", "presence", "shutdown", "connect", "storm", "kafka", "outbox");
    /** What the Socket.IO peer and the floor run: the fan-out (also beside coalesce's windows, and interleaved) and, for memory, idle connections. */
    private static final Set<String> PEER_SCENARIOS = Set.of("fanout", "interleaved", "idle", "coalesce");
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
        options.put("slot-seconds", "2"); // interleaved: seconds each target gets before the publisher moves to the next
        options.put("stalls", "0"); // above 0: fanout and interleaved print that many of their slowest 100 ms windows, with the server's threads' CPU
        options.put("ingest-seconds", "10");
        options.put("ingest-warmup", "20");
        options.put("ingest-variants", "unclustered,1,2"); // which of unclustered, clustered on 1 node, on 2 nodes
        options.put("batch", "100");
        // the type ingest publishes; order:status_changed keeps state by orderId (docs/state.md)
        options.put("ingest-type", "order:created");
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
        // the storm scenario (issue 19 item 4): clients on the node killed, events each is behind when it reconnects
        options.put("storm-clients", "5000");
        options.put("storm-behind", "50");
        options.put("storm-spread-ms", "1000");
        options.put("storm-live-rate", "20");
        options.put("storm-live-seconds", "10");
        // the filters scenario: each subscriber filters on one of this many storeIds (issue 20)
        options.put("filter-stores", "50");
        // the kafka scenario (issue 23): records waiting in a topic of 3 partitions before the node starts, drained
        options.put("kafka-records", "100000");
        options.put("kafka-warmup", "100000");
        // the outbox scenario (issue 23): rows in the table before the node starts, the first ones warming it up; the
        // machine's PostgreSQL as the tests reach it (.ci/run)
        options.put("outbox-rows", "60000");
        options.put("outbox-warmup-rows", "20000");
        options.put("outbox-batch", "500");
        options.put("outbox-server", "jdbc:postgresql://127.0.0.1:5432/");
        options.put("outbox-user", "postgres");
        options.put("outbox-password", "herald");
        // the compression scenario (issue 20 item 4): order lines per event (18: a rec frame of about 1.5 KB)
        options.put("compression-items", "18");
    }
    /** The compression scenario sets these around its fan-outs: order lines per event, and clients offering permessage-deflate. */
    private int orderItems;
    private boolean clientDeflate;
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
        // several flags: separated by spaces or by ";" (-Xms64m;-Xmx1g), as the exec plugin splits bench.args on spaces
        ServerProcess.extraJvmArgs = options.get("server-jvm-args").isBlank() ? List.of() : List.of(options.get("server-jvm-args").split("[ ;]+"));
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
                    if (scenario.equals("interleaved")) {
                        if (kind == targets().get(0)) {
                            interleaved(run);
                        }
                        continue;
                    }
                    if (scenario.equals("coalesce")) {
                        coalesce(kind, run);
                        continue;
                    }
                    if (scenario.equals("filters")) {
                        filters(kind, run);
                        continue;
                    }
                    if (scenario.equals("compression")) {
                        compression(kind, run);
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
                        case "storm" -> storm();
                        case "kafka" -> kafka();
                        case "outbox" -> outbox();
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
     * the same run's other targets' plain fan-out (stock bridge, Socket.IO, floor): rows "coalesce, window N ms". Meant
     * for {@code --subscribers 200 --rate 1000}.
     */
    private void coalesce(ServerProcess.Kind kind, int run) throws Exception {
        List<String> delays = Arrays.stream(options.get("write-delays").split(",")).map(String::trim).toList();
        if (kind != ServerProcess.Kind.HERALD) {
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

    /**
     * Issue 20: the fan-out with every event carrying one of {@code --filter-stores} storeIds, to {@code --subscribers}
     * unfiltered subscribers, then (Herald) to as many each filtering on one storeId (each event then goes to
     * subscribers / stores of them); the stock bridge, which cannot filter, beside both rows unfiltered.
     */
    private void filters(ServerProcess.Kind kind, int run) throws Exception {
        int stores = option("filter-stores");
        String unfiltered = "filters, unfiltered";
        String filtered = "filters, each on 1 of " + stores + " storeIds";
        Map<String, Double> plain = fanout(kind, false, Map.of(), stores, false);
        System.out.println("filters run " + run + " " + kind + " unfiltered: " + plain + " (load average " + loadAverage() + ")");
        record(unfiltered, kind, plain);
        if (kind != ServerProcess.Kind.HERALD) {
            record(filtered, kind, plain);
            return;
        }
        Map<String, Double> narrowed = fanout(kind, false, Map.of(), stores, true);
        System.out.println("filters run " + run + " " + kind + " filtered: " + narrowed + " (load average " + loadAverage() + ")");
        record(filtered, kind, narrowed);
    }

    /**
     * Issue 20 item 4: the fan-out of order events of {@code --compression-items} lines (about 1.5 KB with 18) to clients
     * that do not offer permessage-deflate and (Herald) to clients that do, with server bytes written per delivery;
     * the stock bridge (which Herald's options do not reach) beside both rows, plain.
     */
    private void compression(ServerProcess.Kind kind, int run) throws Exception {
        String plain = "compression, " + option("compression-items") + "-line orders, client without deflate";
        String deflated = "compression, " + option("compression-items") + "-line orders, client offers permessage-deflate";
        orderItems = option("compression-items");
        try {
            clientDeflate = false;
            Map<String, Double> without = fanout(kind, false);
            System.out.println("compression run " + run + " " + kind + " plain: " + without + " (load average " + loadAverage() + ")");
            record(plain, kind, without);
            if (kind != ServerProcess.Kind.HERALD) {
                record(deflated, kind, without);
                return;
            }
            clientDeflate = true;
            Map<String, Double> with = fanout(kind, false);
            System.out.println("compression run " + run + " " + kind + " deflate: " + with + " (load average " + loadAverage() + ")");
            record(deflated, kind, with);
        } finally {
            orderItems = 0;
            clientDeflate = false;
        }
    }

    /**
     * The fan-out of every target at once, over the same minutes: each target's server up with its own
     * {@code --subscribers} (all pinned to {@code --server-cores}), and the publisher switching from one server to the
     * next every {@code --slot-seconds}, the warmup ({@code --warmup} seconds each) and the window ({@code --seconds}
     * each) alike. A burst of the host's steal or a slow minute of this shared machine then falls on every target, where
     * the fanout scenario runs them minutes apart. After each slot the generator waits until the server's deliveries
     * are read, and {@link #SLOT_GAP_MS} more, then collects (no generator pause inside a slot).
     * A server's CPU per delivery counts its own slots only ({@link SlotCpu}); its CPU while the others are measured is
     * shown apart. Latency, loss and CPU per delivery as in fanout, per target.
     */
    private void interleaved(int run) throws Exception {
        List<ServerProcess.Kind> kinds = targets();
        int subscribers = option("subscribers");
        int rate = option("rate");
        int slot = option("slot-seconds");
        List<ServerProcess> servers = new ArrayList<>();
        List<LoadClient> clients = new ArrayList<>();
        List<Publisher> publishers = new ArrayList<>();
        try {
            for (ServerProcess.Kind kind : kinds) {
                int hz = freePort();
                ServerProcess server = ServerProcess.start(kind, options.get("server-cores"), freePort(),
                        ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath);
                servers.add(server);
                LoadClient load = new LoadClient(vertx, kind, server.port);
                clients.add(load);
                publishers.add(new Publisher(vertx, server.port));
                load.openMany(subscribers, 1000).await();
            }
            List<Rehearsals> rehearsals = new ArrayList<>();
            try {
                clients.forEach(c -> rehearsals.add(new Rehearsals(c, () -> null)));
                alternate(publishers, rate, slot, option("warmup"), null, i -> true);
            } finally {
                for (Rehearsals r : rehearsals) {
                    r.close();
                }
            }
            for (Publisher publisher : publishers) {
                publisher.run(rate, 1).await(); // as in fanout: the window opens on a steady flow
            }

            int n = kinds.size();
            long[] jitBefore = new long[n];
            long[] acceptedBefore = new long[n];
            List<LoadClient.Window> windows = new ArrayList<>();
            List<Stalls> stalls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                jitBefore[i] = servers.get(i).compilerNanos();
                acceptedBefore[i] = publishers.get(i).accepted.sum();
                // windows by publish time over the whole interleaved window (each target's slots and the others'); the
                // publisher's event numbers restart every slot, so no per-event figures here; the window lasts n × seconds
                // plus each slot's drain and gap, which twice that covers
                Stalls targetStalls = option("stalls") > 0 ? new Stalls(servers.get(i).pid(), 2 * n * option("seconds"), 0) : null;
                stalls.add(targetStalls);
                windows.add(clients.get(i).startMeasuring(targetStalls));
            }
            SlotCpu cpu = new SlotCpu(servers);
            long generatorBefore = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());
            long stealBefore = ServerProcess.machineStealNanos();
            long wallBefore = System.nanoTime();
            IntToLongFunction expectedOf = i -> (publishers.get(i).accepted.sum() - acceptedBefore[i]) * subscribers;
            alternate(publishers, rate, slot, option("seconds"), cpu, i -> windows.get(i).received.sum() >= expectedOf.applyAsLong(i));
            long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < n; i++) {
                long expected = expectedOf.applyAsLong(i);
                while (windows.get(i).received.sum() < expected && System.nanoTime() < drainEnd) {
                    Thread.sleep(50);
                }
            }
            double windowNanos = System.nanoTime() - wallBefore;
            double generatorLoad = (ServerProcess.cpuNanosOf(ProcessHandle.current().pid()) - generatorBefore) / windowNanos;
            double stolen = (ServerProcess.machineStealNanos() - stealBefore) / windowNanos;
            for (int i = 0; i < n; i++) {
                clients.get(i).stopMeasuring();
                if (stalls.get(i) != null) {
                    stalls.get(i).close();
                    System.out.println("interleaved run " + run + " " + kinds.get(i) + " " + stalls.get(i).report(option("stalls")));
                }
                long expected = expectedOf.applyAsLong(i);
                long received = windows.get(i).received.sum();
                Latency latency = windows.get(i).latency();
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("deliveries/s in its slots", received / (option("seconds") + 0.0));
                metrics.put("loss %", expected == 0 ? 100.0 : 100.0 * (expected - Math.min(received, expected)) / expected);
                metrics.put("p50 ms", latency.percentile(0.50) / 1000.0);
                metrics.put("p99 ms", latency.percentile(0.99) / 1000.0);
                metrics.put("max ms", latency.max() / 1000.0);
                metrics.put("server CPU µs/delivery", received == 0 ? Double.NaN : cpu.own[i] / 1000.0 / received);
                metrics.put("  of which kernel µs", received == 0 ? Double.NaN : cpu.ownKernel[i] / 1000.0 / received);
                metrics.put("  of which JIT compiler µs", received == 0 ? Double.NaN : (servers.get(i).compilerNanos() - jitBefore[i]) / 1000.0 / received);
                metrics.put("idle CPU in the others' slots, % of a core", 100.0 * cpu.idle[i] / Math.max(1, cpu.idleWall[i]));
                metrics.put("errors", (double) (clients.get(i).errors.sum() + publishers.get(i).failed.sum()));
                metrics.put("generator CPU % in its slots", 100.0 * cpu.generator[i] / Math.max(1, cpu.ownWall[i]));
                metrics.put("generator CPU % (all targets)", 100 * generatorLoad);
                metrics.put("CPU stolen by the host, % of a core (all targets)", 100 * stolen);
                System.out.println("interleaved run " + run + " " + kinds.get(i) + ": " + metrics + " (load average " + loadAverage() + ")");
                record("interleaved", kinds.get(i), metrics);
            }
        } finally {
            clients.forEach(LoadClient::close);
            publishers.forEach(Publisher::close);
            for (ServerProcess server : servers) {
                server.close();
            }
        }
    }

    /** Quiet time after each slot of {@link #interleaved}, once its deliveries are read (or after {@link #SLOT_DRAIN_MS}). */
    private static final long SLOT_GAP_MS = 100;
    private static final long SLOT_DRAIN_MS = 2000;

    /**
     * {@code secondsEach} seconds of {@code rate} events/s to each publisher's server, in turns of {@code slot} seconds;
     * after each turn, waits until {@code read} says server i's deliveries are all read; {@code cpu} (or null) is told
     * where each turn ends.
     */
    private static void alternate(List<Publisher> publishers, int rate, int slot, int secondsEach, SlotCpu cpu, IntPredicate read)
            throws InterruptedException, IOException {
        for (int done = 0; done < secondsEach; done += slot) {
            for (int i = 0; i < publishers.size(); i++) {
                publishers.get(i).run(rate, Math.min(slot, secondsEach - done)).await();
                long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SLOT_DRAIN_MS);
                while (!read.test(i) && System.nanoTime() < drainEnd) {
                    Thread.sleep(5);
                }
                Thread.sleep(SLOT_GAP_MS);
                // the slot's garbage, collected once its last deliveries are read (a first run that collected right after
                // the last publish was answered paused the reading of that event's fan-out), and counted in its slot
                System.gc();
                if (cpu != null) {
                    cpu.slotEnded(i);
                }
            }
        }
    }

    /**
     * Each server's CPU in its own slots (the gap after each included, where its last deliveries go out) and in the
     * others' slots, where it is idle: read from /proc at each slot's end, so a server's background work while another
     * one is measured is not charged to its deliveries, and is shown apart.
     */
    private static final class SlotCpu {
        private final List<ServerProcess> servers;
        final long[] own;
        final long[] ownKernel;
        final long[] idle;
        final long[] idleWall;
        /** The generator's CPU in each server's slots, and those slots' length: what reading each server's frames costs. */
        final long[] generator;
        final long[] ownWall;
        private final long[] lastCpu;
        private final long[] lastKernel;
        private long lastWall = System.nanoTime();
        private long lastGenerator = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());

        SlotCpu(List<ServerProcess> servers) throws IOException {
            this.servers = servers;
            int n = servers.size();
            own = new long[n];
            ownKernel = new long[n];
            idle = new long[n];
            idleWall = new long[n];
            generator = new long[n];
            ownWall = new long[n];
            lastCpu = new long[n];
            lastKernel = new long[n];
            for (int i = 0; i < n; i++) {
                lastCpu[i] = servers.get(i).cpuNanos();
                lastKernel[i] = servers.get(i).sysNanos();
            }
        }

        void slotEnded(int target) throws IOException {
            long wall = System.nanoTime();
            long generatorCpu = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());
            generator[target] += generatorCpu - lastGenerator;
            ownWall[target] += wall - lastWall;
            lastGenerator = generatorCpu;
            for (int i = 0; i < servers.size(); i++) {
                long cpu = servers.get(i).cpuNanos();
                long kernel = servers.get(i).sysNanos();
                if (i == target) {
                    own[i] += cpu - lastCpu[i];
                    ownKernel[i] += kernel - lastKernel[i];
                } else {
                    idle[i] += cpu - lastCpu[i];
                    idleWall[i] += wall - lastWall;
                }
                lastCpu[i] = cpu;
                lastKernel[i] = kernel;
            }
            lastWall = wall;
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
        return fanout(kind, crossNode, env, 0, false);
    }

    /**
     * {@code stores} above 0: events carry one of that many storeIds, and (with {@code filtered}) subscriber n filters on
     * store n % stores, so each event goes to subscribers / stores of them; CPU per event is reported too.
     */
    private Map<String, Double> fanout(ServerProcess.Kind kind, boolean crossNode, Map<String, String> env, int stores, boolean filtered)
            throws Exception {
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
            LoadClient clients = new LoadClient(vertx, kind, b.port, filtered ? stores : 0, clientDeflate);
            clients.readEventNumbers = option("stalls") > 0;
            Publisher publisher = new Publisher(vertx, a.port, stores);
            publisher.items = orderItems;
            int perEvent = filtered ? subscribers / stores : subscribers;
            try {
                clients.openMany(subscribers, 1000).await();
                try (Rehearsals rehearsals = new Rehearsals(clients, () -> option("stalls") > 0 ? new Stalls(b.pid(), seconds, rate) : null)) {
                    publisher.run(rate, option("warmup")).await();
                }
                Thread.sleep(1000);

                // the generator's young generation (-Xmn10g, touched at start: ~30 s of Herald's 1,000 x 100/s; 4g lasted ~10 s, and
                // --stalls saw a collection land in the window) then outlasts the window: no generator pause in the figures
                System.gc();
                // and the window opens on a steady flow, not on the first events after the pause and the collection
                publisher.run(rate, 1).await();
                Stalls stalls = option("stalls") > 0 ? new Stalls(b.pid(), seconds, rate) : null;
                LoadClient.Window window = clients.startMeasuring(stalls);
                long cpuBefore = a.cpuNanos() + (crossNode ? b.cpuNanos() : 0);
                long sysBefore = a.sysNanos() + (crossNode ? b.sysNanos() : 0);
                long jitBefore = a.compilerNanos() + (crossNode ? b.compilerNanos() : 0);
                long generatorBefore = ServerProcess.cpuNanosOf(ProcessHandle.current().pid());
                long stealBefore = ServerProcess.machineStealNanos();
                long writtenBefore = orderItems > 0 ? b.writtenBytes() : 0;
                long wallBefore = System.nanoTime();
                long acceptedBefore = publisher.accepted.sum();
                publisher.run(rate, seconds).await();
                long events = publisher.accepted.sum() - acceptedBefore;
                long expected = events * perEvent;
                long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (window.received.sum() < expected && System.nanoTime() < drainEnd) {
                    Thread.sleep(50);
                }
                // a server that fell behind keeps delivering after the publisher stops: count that time too
                double elapsedSeconds = (System.nanoTime() - wallBefore) / 1e9;
                long cpu = a.cpuNanos() + (crossNode ? b.cpuNanos() : 0) - cpuBefore;
                long sys = a.sysNanos() + (crossNode ? b.sysNanos() : 0) - sysBefore;
                long jit = a.compilerNanos() + (crossNode ? b.compilerNanos() : 0) - jitBefore;
                long generatorCpu = ServerProcess.cpuNanosOf(ProcessHandle.current().pid()) - generatorBefore;
                long stealNanos = ServerProcess.machineStealNanos() - stealBefore;
                double windowNanos = System.nanoTime() - wallBefore;
                double generatorLoad = generatorCpu / windowNanos;
                double stolen = stealNanos / windowNanos;
                clients.stopMeasuring();
                if (stalls != null) {
                    stalls.close();
                    System.out.println(kind + " " + stalls.report(option("stalls")));
                    Path eventFile = Files.createTempFile("bench-events-" + kind.name().toLowerCase() + "-", ".tsv");
                    stalls.writeEvents(eventFile);
                    System.out.println(kind + " every event's first and last delivery: " + eventFile);
                }

                long received = window.received.sum();
                Latency latency = window.latency();
                metrics.put("deliveries/s", received / elapsedSeconds);
                metrics.put("loss %", expected == 0 ? 100.0 : 100.0 * (expected - Math.min(received, expected)) / expected);
                metrics.put("p50 ms", latency.percentile(0.50) / 1000.0);
                metrics.put("p99 ms", latency.percentile(0.99) / 1000.0);
                metrics.put("max ms", latency.max() / 1000.0);
                metrics.put("server CPU µs/delivery", received == 0 ? Double.NaN : cpu / 1000.0 / received);
                metrics.put("  of which kernel µs", received == 0 ? Double.NaN : sys / 1000.0 / received);
                if (stores > 0) {
                    metrics.put("server CPU µs/event", events == 0 ? Double.NaN : cpu / 1000.0 / events);
                }
                if (orderItems > 0) {
                    // every write call of the server (the publisher's 202 answers too, ~100 bytes an event against subscribers × frame)
                    metrics.put("server bytes written/delivery", received == 0 ? Double.NaN : (b.writtenBytes() - writtenBefore) / (double) received);
                }
                // a JVM still compiling its per-event code (a few thousand events in) pays for it in the window: said apart
                metrics.put("  of which JIT compiler µs", received == 0 ? Double.NaN : jit / 1000.0 / received);
                metrics.put("errors", (double) (clients.errors.sum() + publisher.failed.sum()));
                metrics.put("generator CPU %", 100 * generatorLoad);
                metrics.put("CPU stolen by the host, % of a core", 100 * stolen);
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
            List<long[]> mappingsBefore = kind.isJvm() ? server.residentMappings() : List.of();
            long heapBefore = kind.isJvm() ? server.heapAfterGc() : 0;
            LoadClient clients = new LoadClient(vertx, kind, server.port);
            try {
                long start = System.nanoTime();
                clients.openMany(count, 2000).await();
                double connectSeconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep(2000);
                long rssAfter = server.rssBytes();
                List<long[]> mappingsAfter = kind.isJvm() ? server.residentMappings() : List.of();
                long heapAfter = kind.isJvm() ? server.heapAfterGc() : 0;
                if (kind == ServerProcess.Kind.SOCKETIO) {
                    server.nodeFullGc();
                    Thread.sleep(1000);
                }
                // after the full GC (G1 gives back what the connects' garbage made it commit): what the connections keep
                long rssAfterGc = server.rssBytes();
                if (option("histogram") > 0) {
                    System.out.println(kind + " live objects with " + count + " connections:\n" + server.classHistogram(option("histogram")));
                }
                metrics.put("connections", (double) clients.openSockets());
                metrics.put("RSS KB/connection", (rssAfter - rssBefore) / 1024.0 / Math.max(1, clients.openSockets()));
                metrics.put("RSS KB/connection after full GC", kind.isJvm() || kind == ServerProcess.Kind.SOCKETIO
                        ? (rssAfterGc - rssBefore) / 1024.0 / Math.max(1, clients.openSockets()) : Double.NaN);
                metrics.put("RSS MB before", rssBefore / 1024.0 / 1024.0);
                // the RSS growth split: pages of the Java heap (live objects, and the garbage the connects made G1 touch)
                // and everything else (Netty's direct buffers, thread stacks, metaspace, malloc)
                long heapResidentGrowth = server.heapResident(mappingsAfter) - server.heapResident(mappingsBefore);
                metrics.put("  of which Java heap pages KB/connection", kind.isJvm() ? heapResidentGrowth / 1024.0 / Math.max(1, clients.openSockets()) : Double.NaN);
                metrics.put("  of which outside the heap KB/connection", kind.isJvm()
                        ? (rssAfter - rssBefore - heapResidentGrowth) / 1024.0 / Math.max(1, clients.openSockets()) : Double.NaN);
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

    /**
     * The reconnect storm (issue 19 item 4). Three clustered nodes; {@code --storm-clients} raw WebSocket clients (staff
     * tokens) registered on one type on node 0 (the oldest member: the worst case, Hazelcast's master goes with it) get
     * every event of a warmup, then node 0 gets SIGKILL; {@code --storm-behind} events of ~300 bytes are published on a
     * survivor, then each client reconnects to one of the two survivors (alternately) within {@code --storm-spread-ms},
     * with since/epoch of its last event. Measured: the time from the kill until every client has every event, the
     * survivors' CPU during the storm (from the first reconnect until every client is whole) and their RSS (before and at
     * the peak), the CPU per replayed event, gross and net of the connects' own cost (node 0's CPU per connect while the
     * clients first connected), against the survivors' CPU per live delivery to the same clients afterwards
     * ({@code --storm-live-rate} events/s for {@code --storm-live-seconds}). Every client's checks: every seq once, in
     * order, one epoch, no err frame, no slow_consumer close.
     */
    private Map<String, Double> storm() throws Exception {
        int count = option("storm-clients");
        int behind = option("storm-behind");
        String type = LoadClient.TYPE;
        String cluster = ServerProcess.newClusterName();
        List<Integer> members = List.of(freePort(), freePort(), freePort());
        List<ServerProcess> nodes = new ArrayList<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        StormClients clients = new StormClients(vertx, type, count);
        try {
            for (int hz : members) {
                nodes.add(ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                        ServerProcess.clusterXml(cluster, hz, members), classpath));
            }
            ServerProcess victim = nodes.get(0);
            List<ServerProcess> survivors = nodes.subList(1, 3);
            Thread.sleep(2000); // the three members settled (partitions assigned and backed up)

            long victimCpu = victim.cpuNanos();
            long connectStart = System.nanoTime();
            clients.connectSpread(0, count, count, i -> victim.port, false).await();
            awaitUpTo(180, "every client open on the victim", () -> clients.open.get() == count);
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            Thread.sleep(1000);
            double victimCpuPerConnect = (victim.cpuNanos() - victimCpu) / 1000.0 / count;

            // a warmup: every client gets live events, and the survivors' publish and history paths are warm
            long warm = publishStorm(survivors.get(0).port, type, 100, 0);
            clients.target(warm);
            awaitUpTo(60, "every client has the warmup's events", () -> clients.whole.get() == count);
            long receivedBeforeKill = clients.received.sum();
            Thread.sleep(1000);

            long rssBefore = survivors.get(0).rssBytes() + survivors.get(1).rssBytes();
            long killAt = System.nanoTime();
            victim.kill();
            awaitUpTo(30, "every client saw its connection end", () -> clients.open.get() == 0);
            long last = publishStorm(survivors.get(0).port, type, behind, warm);
            double publishedAfter = (System.nanoTime() - killAt) / 1e9;
            clients.target(last);
            clients.markReplay(last);
            long cpuBefore = serverCpuNanos(survivors);
            long stormStart = System.nanoTime();
            clients.connectSpread(0, count, option("storm-spread-ms"), i -> survivors.get(i % 2).port, true);
            long rssPeak = rssBefore;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (clients.whole.get() < count && System.nanoTime() < end) {
                rssPeak = Math.max(rssPeak, survivors.get(0).rssBytes() + survivors.get(1).rssBytes());
                Thread.sleep(20);
            }
            long wholeAt = System.nanoTime();
            int wholeAfterStorm = clients.whole.get();
            int openAfterStorm = clients.open.get();
            long stormCpu = serverCpuNanos(survivors) - cpuBefore;
            long replayed = clients.replayed.sum();
            double stormSeconds = (wholeAt - stormStart) / 1e9;
            Thread.sleep(1000);
            long rssAfter = survivors.get(0).rssBytes() + survivors.get(1).rssBytes();

            // live deliveries to the same clients, now on the survivors
            long receivedBeforeLive = clients.received.sum();
            Publisher publisher = new Publisher(vertx, survivors.get(0).port);
            long liveCpuBefore = serverCpuNanos(survivors);
            long liveStart = System.nanoTime();
            publisher.run(option("storm-live-rate"), option("storm-live-seconds")).await();
            long liveLast = last + publisher.accepted.sum();
            clients.target(liveLast);
            awaitUpTo(180, "every client has the live events (" + liveLast + ")", () -> clients.whole.get() == count
                    || clients.open.get() < count); // a client cut is reported, not waited for
            long liveCpu = serverCpuNanos(survivors) - liveCpuBefore;
            double liveSeconds = (System.nanoTime() - liveStart) / 1e9;
            long liveDeliveries = clients.received.sum() - receivedBeforeLive;
            publisher.close();

            // the same storm on warm survivors, twice: every client closes and comes back to the other survivor, first with
            // nothing missed (connect, register, recovery with nothing to replay), then --storm-behind events behind; the
            // difference of the two is what the replay itself costs
            double[] warmNothing = warmStorm(clients, survivors, type, 0, 1, liveLast);
            double[] warmBehind = warmStorm(clients, survivors, type, behind, 0, (long) warmNothing[2]);
            double warmReplayed = warmBehind[3];
            double perReplayedWarm = (warmBehind[0] - warmNothing[0]) * 1e6 / Math.max(1, warmReplayed);

            double perReplayed = stormCpu / 1000.0 / Math.max(1, replayed);
            double perReplayedNet = (stormCpu / 1000.0 - victimCpuPerConnect * count) / Math.max(1, replayed);
            double perLive = liveCpu / 1000.0 / Math.max(1, liveDeliveries);
            metrics.put("clients", (double) count);
            metrics.put("events behind", (double) behind);
            metrics.put("frame bytes (mean)", clients.bytes.sum() / (double) Math.max(1, clients.received.sum()));
            metrics.put("initial connect s", connectSeconds);
            metrics.put("kill → behind events published s", publishedAfter);
            metrics.put("kill → every client whole s", (wholeAt - killAt) / 1e9);
            metrics.put("first reconnect → every client whole s", stormSeconds);
            metrics.put("clients whole at the storm's end (else 60 s passed)", (double) wholeAfterStorm);
            metrics.put("clients open at the storm's end", (double) openAfterStorm);
            metrics.put("replayed events", (double) replayed);
            metrics.put("survivors' CPU during the storm s", stormCpu / 1e9);
            metrics.put("survivors' core % during the storm", 100.0 * stormCpu / (wholeAt - stormStart));
            metrics.put("survivors' RSS before MB", rssBefore / 1048576.0);
            metrics.put("survivors' RSS peak MB", rssPeak / 1048576.0);
            metrics.put("survivors' RSS after MB", rssAfter / 1048576.0);
            metrics.put("connect CPU µs (victim, first connects)", victimCpuPerConnect);
            metrics.put("CPU µs/replayed event (gross)", perReplayed);
            metrics.put("CPU µs/replayed event (net of connects)", perReplayedNet);
            metrics.put("CPU µs/live delivery", perLive);
            metrics.put("replayed / live (net)", perReplayedNet / perLive);
            metrics.put("live deliveries/s", liveDeliveries / liveSeconds);
            metrics.put("warm: reconnect, nothing missed: survivors' CPU s", warmNothing[0]);
            metrics.put("warm: reconnect, behind: survivors' CPU s", warmBehind[0]);
            metrics.put("warm: reconnect, behind: first reconnect → every client whole s", warmBehind[1]);
            metrics.put("warm: CPU µs/replayed event (behind − nothing missed)", perReplayedWarm);
            metrics.put("warm: replayed / live", perReplayedWarm / perLive);
            metrics.put("order problems", (double) clients.orderProblems.sum());
            metrics.put("err frames", (double) clients.errFrames.sum());
            metrics.put("slow_consumer closes", (double) clients.slowConsumerCloses.sum());
            metrics.put("connect errors", (double) clients.connectErrors.sum());
            metrics.put("received before the kill", (double) receivedBeforeKill);
            if (!clients.firstProblems.isEmpty()) {
                System.out.println("storm: first problems: " + clients.firstProblems);
            }
        } finally {
            clients.close();
            for (ServerProcess node : nodes) {
                node.close();
            }
        }
        return metrics;
    }

    /**
     * Every client closes (client side) and reconnects within {@code --storm-spread-ms} to the survivor {@code (i + shift) % 2}
     * with since/epoch, after {@code behind} events were published meanwhile. Answers {survivors' CPU seconds from the
     * first reconnect until every client is whole and connected plus 2 s, less their idle CPU over as long; seconds from
     * the first reconnect until every client is whole; the last seq; events replayed}.
     */
    private double[] warmStorm(StormClients clients, List<ServerProcess> survivors, String type, int behind, int shift, long last)
            throws Exception {
        clients.closeAll();
        awaitUpTo(60, "every client closed", () -> clients.open.get() == 0);
        Thread.sleep(2000); // the survivors have dropped the closed connections
        long idleBefore = serverCpuNanos(survivors);
        long idleStart = System.nanoTime();
        Thread.sleep(2000);
        double idleRate = (serverCpuNanos(survivors) - idleBefore) / (double) (System.nanoTime() - idleStart);
        long target = behind == 0 ? last : publishStorm(survivors.get(0).port, type, behind, last);
        clients.target(target);
        clients.markReplay(target);
        long replayedBefore = clients.replayed.sum();
        long cpuBefore = serverCpuNanos(survivors);
        long errorsBefore = clients.connectErrors.sum();
        long start = System.nanoTime();
        io.vertx.core.Future<Void> connected = clients.connectSpread(0, clients.size(), option("storm-spread-ms"),
                i -> survivors.get((i + shift) % 2).port, true);
        // a client whose connect failed (the generator's core starved) is counted in connect errors, not waited for
        awaitUpTo(180, "every client whole again", () -> clients.whole.get() + clients.connectErrors.sum() - errorsBefore >= clients.size());
        double wholeSeconds = (System.nanoTime() - start) / 1e9;
        connected.await();
        awaitUpTo(180, "every client open again", () -> clients.open.get() + clients.connectErrors.sum() - errorsBefore >= clients.size());
        Thread.sleep(2000);
        long window = System.nanoTime() - start;
        double cpu = (serverCpuNanos(survivors) - cpuBefore - idleRate * window) / 1e9;
        return new double[] {cpu, wholeSeconds, target, clients.replayed.sum() - replayedBefore};
    }

    /** Publishes {@code count} storm events (one batch, data padded so the envelope is about 300 bytes); answers the last seq. */
    private static long publishStorm(int port, String type, int count, long expectedBefore) throws Exception {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < count; i++) {
            JsonObject data = new JsonObject().put("orderId", String.format("o-%08d", expectedBefore + i)).put("customerId", "c-1")
                    .put("total", 42.5).put("note", "x".repeat(100));
            batch.add(new JsonObject().put("type", type).put("data", data));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> response;
            try {
                response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events/batch"))
                        .header("Authorization", "Bearer " + HeraldConfig.DEV_API_KEY).header("Content-Type", "application/json")
                        .timeout(java.time.Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("events", batch).encode())).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                response = null;
            }
            if (response != null && response.statusCode() == 202) {
                JsonArray answered = new JsonObject(response.body()).getJsonArray("results");
                return answered.getJsonObject(answered.size() - 1).getLong("seq");
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("storm: the batch was not accepted: " + (response == null ? "no answer" : response.body()));
            }
            Thread.sleep(50); // right after a kill, the cluster may answer 503 until the member is dropped
        }
    }

    private static void awaitUpTo(long seconds, String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("storm: not within " + seconds + " s: " + what);
            }
            Thread.sleep(10);
        }
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
     * Events/s a node publishes from the transactional outbox (docs/outbox.md): a database of its own with
     * {@code outbox-rows} rows of order:created (inserted before the node starts), one clustered node (the jar's
     * default) reading it with {@code sources.outbox.batch} = {@code outbox-batch}; the window runs from when
     * {@code outbox-warmup-rows} rows are gone to the empty table, timed by polling the row count every 50 ms. Each row
     * is published with its idempotency key and deleted, as always.
     */
    private Map<String, Double> outbox() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        String server = options.get("outbox-server");
        String user = options.get("outbox-user");
        String password = options.get("outbox-password");
        int rows = option("outbox-rows");
        String db = "herald_bench_" + Long.toHexString(System.nanoTime());
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(server + "postgres", user, password);
             java.sql.Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        try {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(server + db, user, password);
                 java.sql.Statement s = c.createStatement()) {
                s.execute(Files.readString(Path.of("conf/outbox.sql")));
                s.execute("INSERT INTO herald_outbox (type, data) SELECT 'order:created', jsonb_build_object('orderId', 'o-' || g, "
                        + "'customerId', 'c-' || (g % 100), 'total', g) FROM generate_series(1, " + rows + ") g");
            }
            int hz = freePort();
            ServerProcess node = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                    ServerProcess.clusterXml(ServerProcess.newClusterName(), hz, List.of(hz)), classpath,
                    Map.of("HERALD_SOURCES_OUTBOX_JDBC_URL", server + db, "HERALD_SOURCES_OUTBOX_USER", user,
                            "HERALD_SOURCES_OUTBOX_PASSWORD", password, "HERALD_SOURCES_OUTBOX_BATCH", options.get("outbox-batch")));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(server + db, user, password)) {
                long startAt = 0;
                long startCount = 0;
                long cpuBefore = 0;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (System.nanoTime() < deadline) {
                    long count;
                    try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM herald_outbox")) {
                        rs.next();
                        count = rs.getLong(1);
                    }
                    if (startAt == 0 && count <= rows - option("outbox-warmup-rows")) {
                        startAt = System.nanoTime();
                        startCount = count;
                        cpuBefore = node.cpuNanos();
                    }
                    if (count == 0) {
                        break;
                    }
                    Thread.sleep(50);
                }
                long wall = System.nanoTime() - startAt;
                long cpu = node.cpuNanos() - cpuBefore;
                metrics.put("clustered, 1 node, batch " + options.get("outbox-batch") + ": events/s", startCount / (wall / 1e9));
                metrics.put("clustered, 1 node, batch " + options.get("outbox-batch") + ": server CPU µs/event", cpu / 1000.0 / startCount);
                metrics.put("clustered, 1 node, batch " + options.get("outbox-batch") + ": server core %", 100.0 * cpu / wall);
            } finally {
                node.close();
            }
        } finally {
            try (java.sql.Connection admin = java.sql.DriverManager.getConnection(server + "postgres", user, password);
                 java.sql.Statement s = admin.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
        return metrics;
    }

    /**
     * Events/s accepted over HTTP by each variant, one event per request and then batches, each after a warmup;
     * the ratios clustered / unclustered are taken within this run.
     */
    private Map<String, Double> ingest() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<String> chosen = List.of(options.get("ingest-variants").split(","));
        for (String variant : INGEST_VARIANTS) {
            if (!chosen.contains(variant.equals("unclustered") ? "unclustered" : variant.endsWith("2 nodes") ? "2" : "1")) {
                continue;
            }
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
                if (!metrics.containsKey(unclustered + "events/s") || !metrics.containsKey(prefix + "events/s")) {
                    continue;
                }
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
            case "batch" -> List.of("batch" + KEYS); // one mode only, for a profile of it
            case "none" -> List.of("batch");
            default -> List.of("single", "batch");
        };
    }

    /** One closed-loop load on the servers: warmup, then the window, counting what is accepted in it. */
    private void ingestPhase(String variant, String mode, List<ServerProcess> servers, int batchSize, Map<String, Double> metrics)
            throws Exception {
        IngestLoad load = new IngestLoad(vertx, servers.stream().map(s -> s.port).toList(), option("connections"), option("in-flight"), batchSize,
                options.get("ingest-type"), mode.endsWith(KEYS));
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

    /**
     * Issue 23: events/s from Kafka on one clustered node. {@code --kafka-records} records (about 200 bytes of JSON, two
     * event types by header, keyed by position) are written at once to a topic of three partitions on Kafka's own broker
     * (KRaft, in this JVM, so on the generator's core) and the node (started with {@code sources.kafka} on it, and warmed
     * up by draining {@code --kafka-warmup} records first) drains them. The rate is taken from 10 % of them appended to all
     * appended, with the node's CPU in that window;
     * then, on the same node in the same run, HTTP batches with an Idempotency-Key on each event (the same work per
     * event: a claimed key, an append, a recorded answer) for the ratio.
     */
    private Map<String, Double> kafka() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int records = option("kafka-records");
        int warmup = option("kafka-warmup");
        String topic = "bench-orders-" + java.util.UUID.randomUUID();
        try (io.herald.testing.KafkaBroker broker = new io.herald.testing.KafkaBroker().start()) {
            broker.createTopics(3, topic);
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
            p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
            p.put("linger.ms", "5");
            String cluster = ServerProcess.newClusterName();
            int hz = freePort();
            ServerProcess server = ServerProcess.start(ServerProcess.Kind.HERALD, options.get("server-cores"), freePort(),
                    ServerProcess.clusterXml(cluster, hz, List.of(hz)), classpath,
                    Map.of("HERALD_SOURCES_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                            "HERALD_SOURCES_KAFKA_GROUP_ID", "bench-" + topic,
                            "HERALD_SOURCES_KAFKA_TOPICS", new JsonObject().put(topic, "header:event-type").encode()));
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
                // the warmup: records drained first, so that the JIT has compiled the path before the window
                produce(producer, topic, 0, warmup);
                awaitAppended(server, topic, warmup, null);
                produce(producer, topic, warmup, records);
                long[] window = new long[2];
                awaitAppended(server, topic, warmup + records, new long[][]{window, {warmup + records / 10}});
                long t1 = System.nanoTime();
                long cpu = server.cpuNanos() - window[1];
                double counted = records - records / 10;
                metrics.put("kafka: events/s", counted / ((t1 - window[0]) / 1e9));
                metrics.put("kafka: server CPU µs/event", cpu / 1000.0 / counted);
                ingestPhase("kafka node", "batch" + KEYS, List.of(server), option("batch"), metrics);
                metrics.put("kafka / HTTP batch with keys", metrics.get("kafka: events/s") / metrics.get("kafka node, batch" + KEYS + ": events/s"));
            } finally {
                server.close();
            }
        }
        return metrics;
    }

    private static void produce(org.apache.kafka.clients.producer.KafkaProducer<String, String> producer, String topic, int from, int count) {
        for (int i = from; i < from + count; i++) {
            var record = new org.apache.kafka.clients.producer.ProducerRecord<String, String>(topic, i % 3, (String) null, historyData(i).encode());
            record.headers().add("event-type", (i % 2 == 0 ? "order:created" : "order:updated").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            producer.send(record);
        }
        producer.flush();
    }

    /** Waits until the node appended {@code total} records; {@code mark} {{t0, cpu0}, {at}}: the time and CPU when it passed {@code at}. */
    private static void awaitAppended(ServerProcess server, String topic, long total, long[][] mark) throws Exception {
        long start = System.nanoTime();
        long appended = 0;
        while (appended < total) {
            Thread.sleep(100);
            JsonObject sourceAppended = stats(server.port).getJsonArray("nodes").getJsonObject(0).getJsonObject("sourceAppended");
            appended = sourceAppended == null ? 0 : sourceAppended.getLong("kafka:" + topic, 0L);
            if (mark != null && mark[0][0] == 0 && appended >= mark[1][0]) {
                mark[0][0] = System.nanoTime();
                mark[0][1] = server.cpuNanos();
            }
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException("the node appended " + appended + " of " + total + " records in 10 minutes");
            }
        }
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
