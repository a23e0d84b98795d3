package io.herald.soak;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.herald.HeraldException;
import io.herald.event.HeraldClient;
import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM service clustered with Herald (a plain clustered Vert.x, its own process) publishing with {@link HeraldClient},
 * one event after the other. The child ({@link #main}) prints {@code send <pid> <type> <wall ms>} before each publish and
 * {@code ack <pid> <epoch> <seq>} or {@code fail <pid> <status> <message>} after it; the parent ({@link #start})
 * turns those lines into the {@link SoakHistory}, timed by its own clock. Closing the child's standard input stops it.
 * <pre>java -cp … io.herald.soak.SoakBusPublisher CLUSTER_XML NAME TYPES(a,b) PAUSE_MS SEED</pre>
 */
public final class SoakBusPublisher {
    private SoakBusPublisher() {
    }

    public static void main(String[] args) throws Exception {
        Config config = new FileSystemXmlConfig(args[0]);
        String name = args[1];
        List<String> types = Arrays.asList(args[2].split(","));
        long pauseMs = Long.parseLong(args[3]);
        Random random = new Random(Long.parseLong(args[4]));
        Vertx vertx = Vertx.builder().withClusterManager(new HazelcastClusterManager(config)).buildClustered().await(120, TimeUnit.SECONDS);
        HeraldClient herald = HeraldClient.create(vertx);
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("ready");
        boolean[] stopped = {false};
        CompletableFuture<Void> idle = new CompletableFuture<>();
        long[] n = {0};
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (stopped[0]) {
                idle.complete(null);
                return;
            }
            String pid = name + "-" + (++n[0]);
            String type = types.get(random.nextInt(types.size()));
            synchronized (out) {
                out.println("send " + pid + " " + type + " " + System.nanoTime());
            }
            herald.publish(type, new JsonObject().put("pid", pid).put("orderId", pid).put("customerId", "c-" + name)
                    .put("productId", SoakChecker.keyOf(pid))).onComplete(ar -> {
                synchronized (out) {
                    if (ar.succeeded()) {
                        out.println("ack " + pid + " " + ar.result().epoch() + " " + ar.result().seq());
                    } else {
                        HeraldException e = HeraldException.from(ar.cause());
                        out.println("fail " + pid + " " + e.code().status() + " " + e.code().id() + ": " + String.valueOf(ar.cause().getMessage()).replace('\n', ' '));
                    }
                }
                vertx.setTimer(pauseMs, id -> next[0].run());
            });
        };
        vertx.runOnContext(v -> next[0].run());
        while (System.in.read() >= 0) {
            // until the parent closes our input
        }
        vertx.runOnContext(v -> stopped[0] = true);
        idle.get(60, TimeUnit.SECONDS);
        out.println("done");
        vertx.close().await(60, TimeUnit.SECONDS);
        System.exit(0);
    }

    /** Runs the child on the nodes' cluster and feeds its lines into {@code history}; close() stops it and waits for its last answer. */
    static AutoCloseable start(SoakHistory history, String name, SoakNodes nodes, List<String> types, long pauseMs, Path dir) throws Exception {
        int port = TestNodes.freePort();
        Path xml = dir.resolve("cluster-bus.xml");
        String text = Files.readString(nodes.clusterXml()).replaceAll("<port auto-increment=\"false\">[^<]*</port>", "<port auto-increment=\"false\">" + port + "</port>");
        // a JVM service joins as a lite member, as docs/cluster.md says: a data member that is not a voter can tip
        // which side of a healed partition Hazelcast keeps (seed 42: the majority's history was discarded)
        text = text.replaceFirst("(<hazelcast[^>]*>)", "$1\n    <lite-member enabled=\"true\"/>");
        Files.writeString(xml, text);
        Process child = new ProcessBuilder(SoakNodes.JAVA, "-cp", System.getProperty("java.class.path"),
                "-Djava.util.logging.config.file=" + Path.of("src/test/resources/logging.properties").toAbsolutePath(),
                SoakBusPublisher.class.getName(), xml.toString(), name, String.join(",", types), String.valueOf(pauseMs), String.valueOf(name.hashCode()))
                .redirectErrorStream(true).start();
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve("bus-" + name + ".log")), true);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Map<String, long[]> sent = new HashMap<>(); // pid -> {sent ms}
        Map<String, String> typeOf = new HashMap<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    long now = history.now();
                    String[] f = line.split(" ", 4);
                    switch (f[0]) {
                        case "ready" -> ready.complete(null);
                        case "done" -> done.complete(null);
                        case "send" -> {
                            // the child's clock when it sent: this line may be read later than the publish was made
                            sent.put(f[1], new long[] {f.length > 3 ? Math.min(now, history.fromNanos(Long.parseLong(f[3]))) : now});
                            typeOf.put(f[1], f[2]);
                        }
                        case "ack" -> history.publish(new Publish(f[1], typeOf.get(f[1]), name, "bus", -1, sent.remove(f[1])[0], now, Outcome.ACKED,
                                f[2], Long.parseLong(f[3]), "ack"));
                        case "fail" -> history.publish(new Publish(f[1], typeOf.get(f[1]), name, "bus", -1, sent.remove(f[1])[0], now,
                                Integer.parseInt(f[2]) >= 500 ? Outcome.INDETERMINATE : Outcome.REFUSED, null, 0, f[2] + " " + (f.length > 3 ? f[3] : "")));
                        default -> log.println(line);
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
            // whatever was sent and never answered: indeterminate
            long now = history.now();
            sent.forEach((pid, at) -> history.publish(new Publish(pid, typeOf.get(pid), name, "bus", -1, at[0], now, Outcome.INDETERMINATE,
                    null, 0, "no answer before the publisher stopped")));
            ready.complete(null);
            done.complete(null);
            log.close();
        }, "soak-bus-" + name);
        reader.setDaemon(true);
        reader.start();
        ready.get(120, TimeUnit.SECONDS);
        nodes.extraMembers(1);
        history.note("bus publisher " + name + " clustered");
        boolean[] closed = {false};
        return () -> {
            if (closed[0]) {
                return;
            }
            closed[0] = true;
            try {
                child.getOutputStream().close();
                done.get(90, TimeUnit.SECONDS);
            } catch (Exception e) {
                history.note("bus publisher " + name + " did not stop cleanly: " + e);
            } finally {
                child.destroyForcibly();
                nodes.extraMembers(0);
                child.waitFor(30, TimeUnit.SECONDS);
                reader.join(30_000);
            }
        };
    }
}
