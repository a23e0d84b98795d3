package io.herald;

import io.herald.auth.TokenMinter;
import io.herald.config.HeraldConfig;
import io.herald.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slow-consumer attack on the runnable jar, in its own JVM with a fixed, pre-touched heap (so that
 * what the node buffers shows in its RSS, not as heap growth the JVM would have done anyway): a reader
 * registers for a type and then never reads while 200 MiB of events of that type are published. The
 * node must cut it ({@code slow_consumer}) instead of buffering for it, its RSS must stay within 128 MB of
 * where it started, and a well-behaved reader on the same node must get every event, once, in order.
 * The figures (RSS, heap, the good reader's latency during a warmup and during the attack) are printed,
 * not asserted, on one line starting with {@code SLOW-CONSUMER ATTACK:}.
 *
 * <p>{@code -Dherald.attack.control=true} runs the same traffic without the stalled reader, to tell the
 * RSS growth the traffic itself causes from what the stalled reader would;
 * {@code -Dherald.attack.maxOutboundBytes=1073741824} lifts the bound (the largest value the node accepts),
 * to see the attack succeed without the protection.
 */
class SlowConsumerAttackIT {
    static final Path JAR = Path.of("target/herald.jar");
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static final String JCMD = Path.of(JAVA).resolveSibling("jcmd").toString();
    static final List<String> JVM_ARGS = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");
    static final boolean CONTROL = Boolean.getBoolean("herald.attack.control");
    static final String MAX_OUTBOUND_BYTES = System.getProperty("herald.attack.maxOutboundBytes");

    static final String TYPE = "inventory:updated"; // staff may read it; history keeps 1,000 of them (10 MB of heap)
    static final int FILLER_BYTES = 10 * 1024;
    static final int BATCH = 40; // 40 events of ~10.3 KB: ~410 KB per POST, well under one connection's 1 MiB bound
    /**
     * Events published and not yet received by the good reader, at most: even if the node wrote all of
     * them to its channel before flushing (~840 KB), the good reader stays under the 1 MiB outbound bound.
     */
    static final int WINDOW = 2 * BATCH;
    static final int WARMUP_EVENTS = 2 * 1024; // 20 MiB
    static final int ATTACK_EVENTS = 20 * 1024; // 200 MiB of event data
    static final long RSS_BOUND_KB = 128 * 1024;

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

    @Test
    void aStalledReaderOf200MbIsCutWhileTheNodeStaysSmallAndAGoodReaderGetsEverything() throws Exception {
        int port = TestNodes.freePort();
        Node node = Node.start(port);
        Socket stalled = null;
        GoodReader good = null;
        try {
            node.awaitLine("up on port " + port);
            TokenMinter minter = new TokenMinter(clients, HeraldConfig.load(Map.of()).auth());
            good = GoodReader.connect(port, minter.mint("s-good", "staff", null, List.of(), 600));

            // warmup: the good reader alone, so the JIT, Netty's pools and history have settled before we measure
            Publisher publisher = new Publisher(port, good);
            publisher.publish(WARMUP_EVENTS, null);
            good.awaitAll(WARMUP_EVENTS);
            Sample before = Sample.take(node.pid());

            long slowBefore = closes(port, "slow_consumer");
            if (!CONTROL) {
                stalled = stalledReader(port, minter.mint("s-stalled", "staff", null, List.of(), 600));
            }
            RssSampler sampler = new RssSampler(node.pid());
            sampler.start();
            long attackStarted = System.nanoTime();
            int cutAfter = publisher.publish(ATTACK_EVENTS, CONTROL ? null : () -> closes(port, "slow_consumer") > slowBefore);
            good.awaitAll(WARMUP_EVENTS + ATTACK_EVENTS);
            double attackSeconds = (System.nanoTime() - attackStarted) / 1e9;
            long slowClosed = closes(port, "slow_consumer") - slowBefore;
            Sample after = Sample.take(node.pid());
            sampler.stop();

            String stalledEnd = "none (control run)";
            long stalledBytes = 0;
            if (stalled != null) {
                long[] read = new long[1];
                stalledEnd = readToEnd(stalled, read);
                stalledBytes = read[0];
            }

            Latency warmup = Latency.of(good.latenciesNanos, WARMUP_EVENTS / 2, WARMUP_EVENTS); // its second half: past the JIT's first compilations
            Latency attack = Latency.of(good.latenciesNanos, WARMUP_EVENTS, WARMUP_EVENTS + ATTACK_EVENTS);
            System.out.printf("SLOW-CONSUMER ATTACK%s: rss before %d MB after %d MB (max during attack %d MB, growth %+d MB, peak growth %+d MB; VmHWM %d MB), "
                            + "heap used before %d MB after %d MB (of %d MB), latency p50/p99/max warmup (last %d events) %s attack %s; "
                            + "%d events (%d MiB) in %.1f s, stalled reader cut after %s events published, read %d KB before %s, "
                            + "good reader got %d/%d in order%n",
                    (CONTROL ? " (CONTROL: no stalled reader)" : "") + (MAX_OUTBOUND_BYTES == null ? "" : " (bridge.maxOutboundBytes " + MAX_OUTBOUND_BYTES + ")"),
                    before.rssKb / 1024, after.rssKb / 1024, sampler.maxKb.get() / 1024,
                    (after.rssKb - before.rssKb) / 1024, (sampler.maxKb.get() - before.rssKb) / 1024, after.hwmKb / 1024,
                    before.heapUsedKb / 1024, after.heapUsedKb / 1024, after.heapTotalKb / 1024,
                    WARMUP_EVENTS / 2, warmup, attack,
                    ATTACK_EVENTS, (long) ATTACK_EVENTS * FILLER_BYTES >> 20, attackSeconds,
                    cutAfter < 0 ? "(not seen)" : "<= " + cutAfter, stalledBytes / 1024, stalledEnd,
                    good.received.get(), WARMUP_EVENTS + ATTACK_EVENTS);

            assertNull(good.disorder.get(), "the good reader gets every event once, in seq order");
            assertEquals(WARMUP_EVENTS + ATTACK_EVENTS, good.received.get());
            assertFalse(good.closed.get(), "the good reader stays connected");
            if (!CONTROL) {
                assertEquals(1, slowClosed, "the stalled reader, and only it, was closed as a slow consumer");
                assertTrue(node.sawLine("closing a slow consumer (s-stalled"), "the node says whom it cut");
                assertTrue(stalledEnd.equals("end of stream") || stalledEnd.equals("reset"),
                        "the stalled reader's connection was cut: " + stalledEnd);
            }
            assertTrue(after.rssKb - before.rssKb < RSS_BOUND_KB,
                    "RSS grew by " + (after.rssKb - before.rssKb) / 1024 + " MB (bound 128 MB)");
            assertTrue(sampler.maxKb.get() - before.rssKb < RSS_BOUND_KB,
                    "RSS peaked " + (sampler.maxKb.get() - before.rssKb) / 1024 + " MB above its start (bound 128 MB)");
        } finally {
            if (stalled != null) {
                stalled.close();
            }
            if (good != null) {
                good.close();
            }
            node.stop();
        }
    }

    // ---- the node, in its own JVM ---------------------------------------------------------------------

    /** The jar running as a user runs it, with a fixed and pre-touched heap; its output is read as it comes. */
    static final class Node {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        private Node(Process process) {
            this.process = process;
        }

        static Node start(int port) throws IOException {
            List<String> command = new ArrayList<>(List.of(JAVA));
            command.addAll(JVM_ARGS);
            command.addAll(List.of("-jar", JAR.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
            builder.environment().putAll(Map.of(
                    HeraldConfig.ENV_HTTP_PORT, String.valueOf(port),
                    HeraldConfig.ENV_DEMO, "false",
                    HeraldConfig.ENV_CLUSTER, "false",
                    "HERALD_HTTP_MAX_BODY_BYTES", String.valueOf(2 << 20)));
            if (MAX_OUTBOUND_BYTES != null) {
                builder.environment().put("HERALD_BRIDGE_MAX_OUTBOUND_BYTES", MAX_OUTBOUND_BYTES);
            }
            Node node = new Node(builder.start());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(node.process.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(node.lines::add);
                } catch (IOException | java.io.UncheckedIOException ignored) {
                    // the process ended
                }
            }, "herald-node-output");
            reader.setDaemon(true);
            reader.start();
            return node;
        }

        long pid() {
            return process.pid();
        }

        void awaitLine(String containing) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                if (sawLine(containing)) {
                    return;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line with '" + containing + "'; output so far:\n" + String.join("\n", lines));
        }

        boolean sawLine(String containing) {
            return lines.stream().anyMatch(line -> line.contains(containing));
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The node's RSS and peak RSS (from /proc) and heap use (from jcmd, after a full GC). */
    record Sample(long rssKb, long hwmKb, long heapUsedKb, long heapTotalKb) {
        static final Pattern HEAP = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");

        static Sample take(long pid) throws IOException, InterruptedException {
            jcmd(pid, "GC.run");
            Thread.sleep(500);
            String heap = jcmd(pid, "GC.heap_info");
            Matcher m = HEAP.matcher(heap);
            if (!m.find()) {
                throw new AssertionError("no heap figures in jcmd's answer:\n" + heap);
            }
            return new Sample(procStatusKb(pid, "VmRSS"), procStatusKb(pid, "VmHWM"), Long.parseLong(m.group(2)), Long.parseLong(m.group(1)));
        }

        static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Process jcmd = new ProcessBuilder(JCMD, String.valueOf(pid), command).redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
                throw new AssertionError("jcmd " + command + " failed: " + out);
            }
            return out;
        }
    }

    static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    /** Reads the node's RSS every 100 ms while the attack runs, keeping the largest. */
    static final class RssSampler {
        final long pid;
        final AtomicLong maxKb = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        RssSampler(long pid) {
            this.pid = pid;
            this.thread = new Thread(() -> {
                while (running.get()) {
                    maxKb.accumulateAndGet(procStatusKb(pid, "VmRSS"), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            maxKb.accumulateAndGet(procStatusKb(pid, "VmRSS"), Math::max);
        }
    }

    static long closes(int port, String reason) {
        String prefix = "herald_closes_total{reason=\"" + reason + "\"}";
        return TestNodes.http("GET", port, "/metrics", null, null).body().lines()
                .filter(line -> line.startsWith(prefix))
                .findFirst().map(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .orElse(0L);
    }

    // ---- the publisher --------------------------------------------------------------------------------

    /**
     * Publishes numbered events over {@code POST /api/events/batch}, paced by the good reader: at most
     * {@link #WINDOW} events are out that it has not received. Each event carries the publish time
     * ({@code nanoTime}, same machine and JVM as the reader) for its latency.
     */
    static final class Publisher {
        final int port;
        final GoodReader good;
        final String filler = "x".repeat(FILLER_BYTES);
        int next;

        Publisher(int port, GoodReader good) {
            this.port = port;
            this.good = good;
        }

        /** Publishes {@code count} events; while {@code cut} is given and false, checks it after each batch. Answers the events published when it first held, or -1. */
        int publish(int count, java.util.function.BooleanSupplier cut) throws InterruptedException {
            int cutAfter = -1;
            int end = next + count;
            while (next < end) {
                int size = Math.min(BATCH, end - next);
                if (!good.window.tryAcquire(size, 30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the good reader fell behind: " + good.received.get() + " received of " + next
                            + (good.disorder.get() == null ? "" : "; " + good.disorder.get()));
                }
                long now = System.nanoTime();
                StringBuilder body = new StringBuilder(size * (FILLER_BYTES + 100)).append("{\"events\":[");
                for (int i = 0; i < size; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"type\":\"").append(TYPE).append("\",\"data\":{\"n\":").append(next + i)
                            .append(",\"t\":").append(now).append(",\"filler\":\"").append(filler).append("\"}}");
                }
                body.append("]}");
                TestNodes.Response response = TestNodes.http("POST", port, "/api/events/batch", "Bearer " + HeraldConfig.DEV_API_KEY, body.toString());
                if (response.status() != 202) {
                    throw new AssertionError("batch at " + next + " answered " + response.status() + " " + response.body());
                }
                next += size;
                if (cut != null && cutAfter < 0 && cut.getAsBoolean()) {
                    cutAfter = next - (end - count);
                }
            }
            return cutAfter;
        }
    }

    // ---- the well-behaved reader ----------------------------------------------------------------------

    /** A Vert.x WebSocket reader that checks order and records each event's latency as it arrives, keeping no frames. */
    static final class GoodReader {
        final WebSocketClient client;
        ClientWebSocket ws;
        final long[] latenciesNanos = new long[WARMUP_EVENTS + ATTACK_EVENTS];
        final AtomicInteger received = new AtomicInteger();
        final Semaphore window = new Semaphore(WINDOW);
        final AtomicReference<String> disorder = new AtomicReference<>();
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicReference<String> syncMarker = new AtomicReference<>();
        final java.util.concurrent.CountDownLatch synced = new java.util.concurrent.CountDownLatch(1);
        long lastSeq = -1;

        private GoodReader(WebSocketClient client) {
            this.client = client;
        }

        static GoodReader connect(int port, String token) throws InterruptedException {
            WebSocketClient client = clients.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
            GoodReader reader = new GoodReader(client);
            reader.ws = client.webSocket();
            reader.ws.textMessageHandler(reader::onText);
            reader.ws.closeHandler(v -> reader.closed.set(true));
            reader.ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/eventbus/websocket?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).await();
            reader.ws.writeTextMessage(new JsonObject().put("type", "register").put("address", TYPE).encode()).await();
            // frames are handled in order: the err answering a register of an unknown type says the first is done
            reader.syncMarker.set("sync:good");
            reader.ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "sync:good").encode()).await();
            assertTrue(reader.synced.await(10, TimeUnit.SECONDS), "the good reader's register was handled");
            return reader;
        }

        private void onText(String text) {
            long arrived = System.nanoTime();
            JsonObject frame = new JsonObject(text);
            String address = frame.getString("address");
            if (address != null && address.equals(syncMarker.get()) && "err".equals(frame.getString("type"))) {
                synced.countDown();
                return;
            }
            if (!TYPE.equals(address) || !"rec".equals(frame.getString("type"))) {
                disorder.compareAndSet(null, "unexpected frame " + (text.length() > 300 ? text.substring(0, 300) : text));
                return;
            }
            JsonObject event = frame.getJsonObject("body");
            JsonObject data = event.getJsonObject("data");
            long seq = event.getLong("seq");
            int n = data.getInteger("n");
            int expected = received.get();
            if (n != expected || (lastSeq >= 0 && seq != lastSeq + 1)) {
                disorder.compareAndSet(null, "event n=" + n + " seq=" + seq + " after " + expected + " events (last seq " + lastSeq + ")");
            }
            lastSeq = seq;
            if (n >= 0 && n < latenciesNanos.length) {
                latenciesNanos[n] = arrived - data.getLong("t");
            }
            received.incrementAndGet();
            window.release();
        }

        void awaitAll(int count) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < count && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(count, received.get(), "the good reader got every event published so far");
        }

        void close() {
            if (!closed.get()) {
                ws.close().await();
            }
            client.close();
        }
    }

    /** p50/p99/max of the events [from, to), in ms. */
    record Latency(double p50, double p99, double max) {
        static Latency of(long[] nanos, int from, int to) {
            long[] sorted = Arrays.copyOfRange(nanos, from, to);
            Arrays.sort(sorted);
            return new Latency(sorted[(int) (sorted.length * 0.50)] / 1e6, sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6,
                    sorted[sorted.length - 1] / 1e6);
        }

        @Override
        public String toString() {
            return String.format("%.1f/%.1f/%.1f ms", p50, p99, max);
        }
    }

    // ---- the stalled reader ---------------------------------------------------------------------------

    /**
     * A WebSocket opened by hand on a socket with a small receive buffer (so the kernel absorbs little),
     * which registers for the type, waits until the node has handled that, and then reads nothing more.
     */
    static Socket stalledReader(int port, String token) throws IOException {
        Socket socket = OutboundBoundsAttackIT.stalled(port, token);
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        out.write(maskedText(new JsonObject().put("type", "register").put("address", TYPE).encode()));
        out.write(maskedText(new JsonObject().put("type", "register").put("address", "sync:stalled").encode()));
        out.flush();
        // nothing is published now: the next text message is the err answering the unknown type, after the register
        String answer = readText(in);
        assertTrue(answer.contains("sync:stalled"), "the stalled reader's register was handled: " + answer);
        return socket;
    }

    /** A client text frame: FIN, opcode 1, masked as RFC 6455 requires of clients. */
    static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** The next text message from the server (unmasked, unfragmented frames), skipping control frames. */
    static String readText(DataInputStream in) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if ((b0 & 0x0F) == 0x1) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    /** Reads what the node had sent before it cut the connection; answers how it ended ("end of stream", "reset", "read timeout"). */
    static String readToEnd(Socket socket, long[] bytes) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes[0] += n;
            }
            return "end of stream";
        } catch (SocketTimeoutException e) {
            return "read timeout";
        } catch (EOFException e) {
            return "end of stream";
        } catch (IOException e) {
            return "reset";
        }
    }
}
