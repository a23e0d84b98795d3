package io.herald.soak;

import com.hazelcast.config.InMemoryXmlConfig;
import io.herald.auth.TokenMinter;
import io.herald.cluster.ClusterQuorum;
import io.herald.config.ConfigKeys;
import io.herald.soak.FaultSchedule.Kind;
import io.herald.soak.FaultSchedule.Step;
import io.herald.soak.SoakHistory.Fault;
import io.herald.testing.NetNamespaces;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chaos soak (docs/chaos.md): three jar nodes started as the README says (default configuration), a seeded
 * schedule of faults (SIGKILL and SIGTERM with restart, SIGSTOP shorter and longer than the heartbeat timeout,
 * network partitions where root allows, a kill during the migration after a restart; at most one node down at a time;
 * the cluster settles after each), backends publishing over HTTP (single and batch) to random nodes and a clustered
 * JVM publishing with HeraldClient, followers over the bridge that move nodes with since/epoch. The checker then
 * judges every publish by its unique id; the report and timeline go to target/soak/. Fails on any finding.
 * <pre>
 * mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ChaosSoakIT -Dsoak.seconds=1800 -Dsoak.seed=42
 * </pre>
 * Properties: soak.seconds (faults are started during this long; default 80), soak.seed (41: its first faults are a kill during migration, a partition, a 15 s stop), soak.faults (comma
 * list of kill, term, stop, stop-long, partition, migration-kill, or all: the default), soak.settle (seconds after the
 * cluster is safe again, 4), soak.publishers (3), soak.pauseMs (between one publisher's requests, 50), soak.followers
 * (6, Java), soak.officialFollowers (2, npm client in Node), soak.heraldJsFollowers (2, herald.js in Node), soak.bus (a HeraldClient publisher in a second JVM, true), soak.outbox (false; auto: a backend writing to the transactional outbox,
 * some transactions rolled back, when PostgreSQL answers; true; false), soak.netns (auto: network namespaces when root
 * allows and partitions are asked for; false: loopback), soak.webhook (a webhook receiver in this JVM, an at-least-once
 * follower, true), soak.out (target/soak). The keyed state of inventory:updated is read at the end and judged.
 */
class ChaosSoakIT {
    static final List<String> TYPES = List.of("payment:received", "order:created", "inventory:updated");
    static final long SECONDS = Long.getLong("soak.seconds", 80);
    static final long SEED = Long.getLong("soak.seed", 41);
    static final String FAULTS = System.getProperty("soak.faults", "all");
    static final long SETTLE_MS = Long.getLong("soak.settle", 4) * 1000;
    static final int PUBLISHERS = Integer.getInteger("soak.publishers", 3);
    static final long PAUSE_MS = Long.getLong("soak.pauseMs", 50);
    static final int FOLLOWERS = Integer.getInteger("soak.followers", 6);
    static final int JS_OFFICIAL = Integer.getInteger("soak.officialFollowers", 2);
    static final int JS_HERALD = Integer.getInteger("soak.heraldJsFollowers", 2);
    static final boolean BUS = Boolean.parseBoolean(System.getProperty("soak.bus", "true"));
    static final String NETNS = System.getProperty("soak.netns", "auto");
    static final boolean WEBHOOK = Boolean.parseBoolean(System.getProperty("soak.webhook", "true"));
    /** The type whose keyed state (by {@code productId}) is read and judged at the end. */
    static final String STATE_TYPE = "inventory:updated";
    /**
     * auto (default): an outbox backend (docs/outbox.md) when PostgreSQL answers where the nodes can reach it; true:
     * required; false: none. Back on by default since idempotency claims name their events and a claim whose member
     * left is taken over at once (the window that appended rows twice in seed 2031's run).
     */
    static final String OUTBOX = System.getProperty("soak.outbox", "auto");
    static final Path OUT = Path.of(System.getProperty("soak.out", "target/soak"));
    static final int NODES = 3;

    @Test
    void nothingAcknowledgedIsLostOrDoubledUnderASeededScheduleOfFaults() throws Exception {
        Files.createDirectories(OUT);
        List<Kind> kinds = new ArrayList<>(FaultSchedule.parse(FAULTS));
        NetNamespaces net = null;
        if (kinds.contains(Kind.PARTITION) && !NETNS.equals("false")) {
            if (NetNamespaces.possible("s")) {
                net = new NetNamespaces("s", 232, NODES).create();
            } else {
                System.out.println("soak: NOTICE: partitions skipped: network namespaces (ip netns) need root with CAP_NET_ADMIN");
            }
        }
        if (net == null && kinds.remove(Kind.PARTITION)) {
            System.out.println("soak: NOTICE: fault kind 'partition' left out (no network namespaces); the others run on loopback");
        }
        assertTrue(!kinds.isEmpty(), "no fault kind left to run");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("seed", String.valueOf(SEED));
        meta.put("seconds", String.valueOf(SECONDS));
        meta.put("faults", String.join(",", kinds.stream().map(k -> k.id).toList()));
        meta.put("network", net == null ? "loopback" : "network namespaces " + net.subnet + ".0/24");
        meta.put("workload", PUBLISHERS + " HTTP publishers (pause " + PAUSE_MS + " ms, 1 in 4 a batch)" + (BUS ? " + 1 HeraldClient JVM" : "")
                + ", " + FOLLOWERS + " followers of " + TYPES);
        meta.put("command", "mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ChaosSoakIT -Dsoak.seconds="
                + SECONDS + " -Dsoak.seed=" + SEED + " -Dsoak.faults=" + meta.get("faults"));
        meta.put("commit", gitHead());

        SoakHistory history = new SoakHistory();
        Vertx vertx = Vertx.vertx();
        List<SoakFollower> followers = new ArrayList<>();
        List<AutoCloseable> publishers = new ArrayList<>();
        SoakScriptFollowers scripts = null;
        boolean js = JS_OFFICIAL + JS_HERALD > 0 && SoakScriptFollowers.installed();
        if (JS_OFFICIAL + JS_HERALD > 0 && !js) {
            System.out.println("soak: NOTICE: Node followers skipped: run `npm ci --prefix src/test/js --no-audit --no-fund` first");
        }
        meta.put("workload", meta.get("workload") + (js ? ", " + JS_OFFICIAL + " official npm client and " + JS_HERALD + " herald.js followers" : ""));
        SoakWebhook webhook = null;
        io.herald.testing.OutboxDatabase outbox = outboxDatabase(net);
        if (outbox != null) {
            meta.put("workload", meta.get("workload") + ", 1 outbox backend (1 to 3 rows a transaction, 1 in 4 rolled back)");
        }
        try (NetNamespaces closeNet = net; SoakNodes nodes = new SoakNodes(NODES, net, OUT)) {
            if (WEBHOOK) {
                webhook = SoakWebhook.start(vertx, history, net == null ? "127.0.0.1" : net.outsideIp(), TYPES, SEED * 3000);
                nodes.env.put("HERALD_WEBHOOKS", webhook.config(TYPES));
                meta.put("workload", meta.get("workload") + ", a webhook receiver (1 in " + SoakWebhook.REFUSE_ONE_IN + " requests refused)");
            }
            if (outbox != null) {
                // the nodes reach the database on loopback, or from their namespaces on the bridge's outside address
                String host = net == null ? "127.0.0.1" : net.outsideIp();
                nodes.env(java.util.Map.of("HERALD_SOURCES_OUTBOX_JDBC_URL", "jdbc:postgresql://" + host + ":5432/" + outbox.name,
                        "HERALD_SOURCES_OUTBOX_USER", io.herald.testing.OutboxDatabase.USER,
                        "HERALD_SOURCES_OUTBOX_PASSWORD", io.herald.testing.OutboxDatabase.PASSWORD,
                        "HERALD_SOURCES_OUTBOX_POLL_MS", "500"));
            }
            nodes.startAll();
            awaitUpTo(180, "three nodes ready and safe", nodes::allReadyAndSafe);
            history.note("cluster of " + NODES + " up");
            String token = new TokenMinter(vertx, TestNodes.config(json -> { }).auth()).mint("soak", "admin", null, List.of(), SECONDS + 7200);
            for (int i = 0; i < FOLLOWERS; i++) {
                followers.add(new SoakFollower(vertx, history, "f" + i, nodes.hosts(), nodes.httpPorts(), i % NODES, token, TYPES, SEED * 1000 + i).start());
            }
            int expectedFollows = FOLLOWERS * TYPES.size();
            if (js) {
                List<String> urls = new ArrayList<>();
                for (int i = 0; i < NODES; i++) {
                    urls.add("http://" + nodes.host(i) + ":" + nodes.http(i));
                }
                scripts = new SoakScriptFollowers(history, urls, token, TYPES, JS_OFFICIAL, JS_HERALD, OUT.resolve("node-followers.log"));
                expectedFollows += (JS_OFFICIAL + JS_HERALD) * TYPES.size();
            }
            int follows = expectedFollows;
            awaitUpTo(90, "every follower registered", () -> followers.stream().allMatch(SoakFollower::registered)
                    && history.followCount() >= follows);
            for (int i = 0; i < PUBLISHERS; i++) {
                publishers.add(new SoakHttpPublisher(history, "h" + i, nodes.hosts(), nodes.httpPorts(), TYPES, PAUSE_MS, SEED * 2000 + i).start());
            }
            if (BUS) {
                publishers.add(SoakBusPublisher.start(history, "b0", nodes, TYPES, PAUSE_MS, OUT));
            }
            if (outbox != null) {
                publishers.add(new SoakOutboxPublisher(history, outbox, "o0", TYPES, PAUSE_MS, SEED * 3000).start());
            }

            runFaults(nodes, history, kinds);

            for (AutoCloseable publisher : publishers) {
                publisher.close();
            }
            history.note("publishers stopped");
            awaitQuiet(history);
            readState(nodes, history, STATE_TYPE);
        } finally {
            followers.forEach(SoakFollower::close);
            if (webhook != null) {
                webhook.close();
            }
            if (scripts != null) {
                scripts.close();
            }
            for (AutoCloseable publisher : publishers) {
                publisher.close(); // idempotent
            }
            vertx.close().await();
            if (outbox != null) {
                outbox.close();
            }
        }

        SoakHistory.Snapshot snapshot = history.snapshot();
        SoakChecker.Result result = SoakChecker.check(snapshot);
        SoakHistory.write(snapshot, OUT.resolve("history.jsonl"));
        Files.writeString(OUT.resolve("meta.json"), new io.vertx.core.json.JsonObject(new LinkedHashMap<>(meta)).encodePrettily());
        SoakReport.write(OUT, meta, snapshot, result);
        System.out.println("soak: " + (result.clean() ? "clean" : "BROKEN") + " — " + result.summary() + "; report: " + OUT.resolve("report.txt")
                + ", timeline: " + OUT.resolve("timeline.svg"));
        assertTrue(result.clean(), "the chaos soak (seed " + SEED + ", faults " + meta.get("faults") + ") found: " + result.summary()
                + "; see " + OUT.toAbsolutePath().resolve("report.txt"));
    }

    /**
     * The outbox workload's database, or null without one: with {@code soak.outbox=auto}, when PostgreSQL answers on
     * loopback and, with network namespaces, on the bridge's outside address too (where the nodes connect; .ci/run
     * lets it listen there).
     */
    static io.herald.testing.OutboxDatabase outboxDatabase(NetNamespaces net) {
        if (OUTBOX.equals("false")) {
            return null;
        }
        boolean reachable = io.herald.testing.OutboxDatabase.reachable()
                && (net == null || io.herald.testing.OutboxDatabase.reachable("jdbc:postgresql://" + net.outsideIp() + ":5432/"));
        if (!reachable) {
            if (OUTBOX.equals("true")) {
                throw new AssertionError("soak.outbox=true, but PostgreSQL does not answer where the nodes would connect");
            }
            System.out.println("soak: NOTICE: no outbox workload: PostgreSQL does not answer" + (net == null ? "" : " on " + net.outsideIp()));
            return null;
        }
        return new io.herald.testing.OutboxDatabase();
    }

    /** Faults from the seeded schedule until {@link #SECONDS} have passed; at most one node down at a time, settled after each. */
    static void runFaults(SoakNodes nodes, SoakHistory history, List<Kind> kinds) throws Exception {
        FaultSchedule schedule = new FaultSchedule(SEED, kinds, nodes.size());
        Random random = new Random(SEED);
        long end = history.now() + SECONDS * 1000;
        Thread.sleep(3000);
        while (history.now() < end) {
            Step step = schedule.next();
            Thread.sleep(step.gapMs());
            history.note("fault: " + step);
            long start = history.now();
            int i = step.node();
            String detail = "";
            switch (step.kind()) {
                case KILL -> {
                    nodes.kill(i);
                    Thread.sleep(step.durationMs());
                    restart(nodes, history, i);
                }
                case TERM -> {
                    nodes.terminate(i);
                    Thread.sleep(step.durationMs());
                    restart(nodes, history, i);
                }
                case STOP, STOP_LONG -> {
                    nodes.stop(i);
                    Thread.sleep(step.durationMs());
                    nodes.cont(i);
                }
                case PARTITION -> {
                    nodes.cut(i);
                    Thread.sleep(step.durationMs());
                    nodes.heal(i);
                }
                case MIGRATION_KILL -> {
                    nodes.kill(i);
                    Thread.sleep(step.durationMs());
                    restart(nodes, history, i);
                    nodes.kill(step.other());
                    detail = "node " + step.other() + " killed as node " + i + " came back (" + (history.now() - start) + " ms)";
                    history.note(detail);
                    Thread.sleep(1000 + random.nextInt(2000));
                    restart(nodes, history, step.other());
                }
            }
            history.fault(new Fault(step.kind().id, i, start, history.now(), detail));
            long settling = System.nanoTime();
            boolean settled = waitUpTo(180, nodes::allReadyAndSafe);
            history.note(settled ? "settled after " + (System.nanoTime() - settling) / 1_000_000 + " ms"
                    : "NOT settled within 180 s (every node ready, with every member, cluster safe)");
            Thread.sleep(SETTLE_MS);
        }
    }

    static void restart(SoakNodes nodes, SoakHistory history, int i) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                nodes.start(i);
                history.note("node " + i + " up again");
                return;
            } catch (Exception | AssertionError e) {
                history.note("node " + i + " did not start (attempt " + attempt + "): " + e);
                if (nodes.alive(i)) {
                    nodes.kill(i);
                }
                if (attempt == 3) {
                    throw e;
                }
                Thread.sleep(2000);
            }
        }
    }

    /** Reads a type's whole keyed state from a node that is up (every page) into the history. */
    static void readState(SoakNodes nodes, SoakHistory history, String type) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String next = null;
        int entries = 0;
        do {
            String url = "http://" + nodes.host(0) + ":" + nodes.http(0) + "/api/state/" + type + "?limit=500"
                    + (next == null ? "" : "&next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
            java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                            .header("Authorization", "Bearer " + io.herald.config.HeraldConfig.DEV_API_KEY)
                            .timeout(java.time.Duration.ofSeconds(30)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + url + ": " + response.statusCode() + " " + response.body());
            }
            io.vertx.core.json.JsonObject page = new io.vertx.core.json.JsonObject(response.body());
            for (Object o : page.getJsonArray("entries")) {
                io.vertx.core.json.JsonObject envelope = (io.vertx.core.json.JsonObject) o;
                io.vertx.core.json.JsonObject data = envelope.getJsonObject("data");
                history.state(new SoakHistory.StateEntry(type, data.getString("productId"), data.getString("pid"),
                        page.getString("epoch"), envelope.getLong("seq")));
                entries++;
            }
            next = page.getBoolean("more", false) ? page.getString("next") : null;
        } while (next != null);
        history.note("keyed state of " + type + ": " + entries + " entries");
    }

    /**
     * How long followers must have received nothing before the soak ends: longer than a gap at the tail of a stream takes
     * to be filled from history, so that an event late within {@code soak.maxLagSeconds} is not counted lost. A node reads
     * history's tail every {@code delivery.tailCheckMs} and trusts what it read once it held for the settle time
     * ({@link ClusterQuorum#settleMs()} with the heartbeat timeout of the nodes' cluster.xml). With 10 s of quiet, the run on
     * {@code 644cfb1} ended 11.8 s after the last event of order:created, whose bus message had not reached one node
     * (published by a node that had just merged back), before that node's tail check could serve it.
     */
    static long quietMs() throws IOException {
        long heartbeatMs = ClusterQuorum.heartbeatTimeoutMs(new InMemoryXmlConfig(Files.readString(TestNodes.CLUSTER_XML)));
        return new ClusterQuorum(0, heartbeatMs).settleMs() + ConfigKeys.DELIVERY_TAIL_CHECK_MS.defaultInt() + 4000;
    }

    /** Waits until followers received nothing new for {@link #quietMs()} (at most 90 s): what is still to come has come. */
    static void awaitQuiet(SoakHistory history) throws InterruptedException, IOException {
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMs());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = history.deliveryCount();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > quietNanos) {
                break;
            }
            Thread.sleep(500);
        }
        history.note("followers quiet");
    }

    static boolean waitUpTo(long seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    static void awaitUpTo(long seconds, String what, BooleanSupplier condition) throws InterruptedException {
        if (!waitUpTo(seconds, condition)) {
            throw new AssertionError("not within " + seconds + " s: " + what);
        }
    }

    static String gitHead() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            git.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "?";
        }
    }
}
