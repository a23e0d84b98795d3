package io.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in its own process, pinned to the server core with taskset: a Herald node (the jar),
 * the stock bridge (a JVM), the Socket.IO 4.8 peer (Node, src/bench/socketio, installed with {@code npm ci} when
 * its node_modules is missing) or the floor (C, src/bench/floor/floor.c, compiled into target/bench when missing or
 * older than its source). Reads its CPU time and RSS from /proc and, for the JVMs, its heap after a full GC with jcmd.
 */
final class ServerProcess implements AutoCloseable {
    enum Kind {
        HERALD, STOCK, SOCKETIO, FLOOR;

        boolean isJvm() {
            return this == HERALD || this == STOCK;
        }
    }

    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static final List<String> JVM_FLAGS = List.of("-Xms512m", "-Xmx2g", "-XX:+UseG1GC");
    /** More server JVM flags for a run (a JFR recording, say). */
    static List<String> extraJvmArgs = List.of();
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    /** HTTP/1.1: no h2c upgrade header, which the Socket.IO peer takes for a WebSocket upgrade. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Kind kind;
    final int port;
    private final Process process;
    private final Path log;

    private ServerProcess(Kind kind, int port, Process process, Path log) {
        this.kind = kind;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** A cluster config private to one benchmark run: its own name, its members' ports. */
    static Path clusterXml(String name, int hazelcastPort, List<Integer> members) throws IOException {
        StringBuilder list = new StringBuilder();
        members.forEach(p -> list.append("<member>127.0.0.1:").append(p).append("</member>"));
        String xml = Files.readString(Path.of("cluster.xml"))
                .replace("<cluster-name>herald</cluster-name>", "<cluster-name>" + name + "</cluster-name>")
                .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>", "<port auto-increment=\"false\">" + hazelcastPort + "</port>")
                .replace("<member>127.0.0.1</member>", list.toString());
        Path file = Files.createTempFile("bench-cluster", ".xml");
        Files.writeString(file, xml);
        file.toFile().deleteOnExit();
        return file;
    }

    static String newClusterName() {
        return "herald-bench-" + UUID.randomUUID();
    }

    static ServerProcess start(Kind kind, String serverCores, int port, Path clusterXml, String classpath) throws IOException, InterruptedException {
        return start(kind, serverCores, port, clusterXml, classpath, Map.of());
    }

    /** {@code env}: more environment for the server ({@code HERALD_CLUSTER=false}, say), over the defaults. */
    static ServerProcess start(Kind kind, String serverCores, int port, Path clusterXml, String classpath, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", serverCores));
        if (kind == Kind.SOCKETIO) {
            command.addAll(List.of("node", "--expose-gc", socketIoServer().toString(), String.valueOf(port)));
        } else if (kind == Kind.FLOOR) {
            command.addAll(List.of(floorBinary().toString(), String.valueOf(port)));
        } else {
            command.add(JAVA);
            command.addAll(JVM_FLAGS);
            command.addAll(extraJvmArgs);
        }
        if (kind == Kind.HERALD) {
            command.addAll(List.of("-jar", "target/herald.jar"));
        } else if (kind == Kind.STOCK) {
            command.addAll(List.of("-cp", classpath, StockBridgeServer.class.getName(), String.valueOf(port), clusterXml.toString()));
        }
        Path log = Files.createTempFile("bench-" + kind.name().toLowerCase(), ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("HERALD_HTTP_PORT", String.valueOf(port), "HERALD_DEMO", "false",
                "HERALD_CLUSTER_CONFIG", clusterXml.toString()));
        builder.environment().putAll(env);
        ServerProcess server = new ServerProcess(kind, port, builder.start(), log);
        try {
            server.awaitHealthy();
        } catch (RuntimeException | IOException | InterruptedException e) {
            server.process.destroyForcibly(); // a server that never answered /health is not left running
            throw e;
        }
        return server;
    }

    /** The Socket.IO peer's script, its dependencies installed from its package-lock.json the first time. */
    private static synchronized Path socketIoServer() throws IOException, InterruptedException {
        Path dir = Path.of("src/bench/socketio");
        if (!Files.isDirectory(dir.resolve("node_modules/socket.io"))) {
            run(List.of("npm", "ci", "--prefix", dir.toString(), "--no-audit", "--no-fund"));
        }
        return dir.resolve("server.js");
    }

    /** The floor's binary, compiled from its source when missing or older. */
    private static synchronized Path floorBinary() throws IOException, InterruptedException {
        Path source = Path.of("src/bench/floor/floor.c");
        Path binary = Path.of("target/bench/floor");
        if (!Files.exists(binary) || Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) < 0) {
            Files.createDirectories(binary.getParent());
            run(List.of("gcc", "-O2", "-Wall", "-Wno-deprecated-declarations", "-o", binary.toString(), source.toString(), "-lcrypto"));
        }
        return binary;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    private void awaitHealthy() throws InterruptedException, IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " server died:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(kind + " server did not become healthy:\n" + Files.readString(log));
    }

    /** SIGTERM, as an orchestrator stops a node. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process dies at once, its sockets reset by the kernel (taskset execs the JVM: this pid is the JVM's). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time the server has used so far, in nanoseconds (10 ms resolution). */
    /** Bytes the server process handed to write calls (sockets included): /proc/PID/io {@code wchar}. */
    long writtenBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IOException("no wchar in /proc/" + process.pid() + "/io");
    }

    long cpuNanos() throws IOException {
        return cpuNanosOf(process.pid());
    }

    /**
     * CPU time the hypervisor gave to other guests while this machine's CPUs wanted to run (steal, the first line of
     * /proc/stat), summed over the CPUs; 0 where the kernel does not say. A window in which the host took a tenth of a
     * core is slower for every server, and the bench says so beside its figures.
     */
    static long machineStealNanos() {
        try {
            String[] total = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return total.length > 8 ? Long.parseLong(total[8]) * (1_000_000_000L / CLOCK_TICKS_PER_SECOND) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** User + system CPU time of any process of this machine (the generator measures itself too). */
    static long cpuNanosOf(long pid) throws IOException {
        String[] fields = procStat(pid);
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * The part of {@link #cpuNanos()} the JIT compiler threads used (C1 and C2, the threads HotSpot names
     * "C1 CompilerThreadN" / "C2 CompilerThreadN"): warming up, not delivering. 0 for a server that is not a JVM.
     */
    long compilerNanos() throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException threadEnded) {
                    // a compiler thread that ended between the listing and the read (HotSpot adds and removes them)
                }
            }
        }
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** The kernel's part of {@link #cpuNanos()}. */
    long sysNanos() throws IOException {
        return Long.parseLong(procStat(process.pid())[12]) * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** /proc/PID/stat fields after the command name: index 11 is utime, 12 stime (clock ticks). */
    private static String[] procStat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Resident set size (VmRSS of /proc/PID/status), in bytes: what the operator pays, heap or not. */
    long rssBytes() throws IOException {
        return rssBytesOf(process.pid());
    }

    static long rssBytesOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** The Socket.IO peer's full collection ({@code global.gc()}, POST /gc), for its RSS after a full GC. */
    void nodeFullGc() throws IOException, InterruptedException {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/gc")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Heap in use right after a full GC, in bytes. */
    long heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher used = Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K \\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("unexpected GC.heap_info output:\n" + info);
        }
        heapRange = new long[] {Long.parseUnsignedLong(used.group(2), 16), Long.parseUnsignedLong(used.group(3), 16)};
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** The Java heap's reserved address range, known after the first {@link #heapAfterGc()}. */
    private long[] heapRange;

    /** The resident size of each mapping of the process now ({@code /proc/PID/smaps}): start, end, RSS bytes. */
    List<long[]> residentMappings() throws IOException {
        List<long[]> mappings = new ArrayList<>();
        long[] current = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                current = new long[] {Long.parseUnsignedLong(line.substring(0, dash), 16), Long.parseUnsignedLong(line.substring(dash + 1, space), 16), 0};
                mappings.add(current);
            } else if (line.startsWith("Rss:") && current != null) {
                current[2] = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return mappings;
    }

    /** Of a {@link #residentMappings()} snapshot, the bytes resident inside the Java heap (after {@link #heapAfterGc()}). */
    long heapResident(List<long[]> mappings) {
        return mappings.stream().filter(m -> heapRange != null && m[0] >= heapRange[0] && m[1] <= heapRange[1]).mapToLong(m -> m[2]).sum();
    }

    /** The top of the server's class histogram (live objects), for finding what a connection costs. */
    String classHistogram(int lines) throws IOException, InterruptedException {
        return String.join("\n", jcmd("GC.class_histogram").lines().limit(lines + 3).toList());
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(JAVA).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
