package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

/**
 * Where a latency tail comes from: the slowest delivery of each 100 ms window of publish times, and the server's
 * threads' CPU in each window (/proc/PID/task/N/stat, sampled every window by a thread of the generator). A p99 over
 * 10 s is the worst 0.1 s of the run; this says whether that is a few stalls or a broad shift, and who had the core.
 */
final class Stalls implements AutoCloseable {
    static final long WINDOW_NANOS = 100_000_000L;
    private static final long TICK_MS = 10;
    private final long start = System.nanoTime();
    /** The wall clock at {@link #start}, so windows can be lined up with a server's own logs (-Xlog:safepoint:…:time). */
    private final Instant startedAt = Instant.now();
    private final AtomicLongArray slowest;
    /** Per event (the publisher's n of the measured run): its fastest and slowest delivery, µs. */
    private final AtomicLongArray eventFirst;
    private final AtomicLongArray eventLast;
    private final long[] eventSentAt;
    private final long pid;
    private final List<Map<String, Long>> cpuByWindow = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    Stalls(long serverPid, int seconds, int perSecond) {
        this.pid = serverPid;
        this.slowest = new AtomicLongArray((seconds + 30) * 10);
        int events = seconds * perSecond + 1;
        this.eventFirst = new AtomicLongArray(events);
        this.eventLast = new AtomicLongArray(events);
        this.eventSentAt = new long[events];
        this.sampler = new Thread(this::sample, "bench-stalls");
        sampler.setDaemon(true);
        sampler.start();
    }

    void record(long event, long sentAtNanos, long latencyMicros) {
        if (event >= 0 && event < eventLast.length()) {
            int e = (int) event;
            eventSentAt[e] = sentAtNanos;
            eventLast.accumulateAndGet(e, latencyMicros, Math::max);
            eventFirst.accumulateAndGet(e, latencyMicros, (seen, now) -> seen == 0 ? now : Math.min(seen, now));
        }
        long window = (sentAtNanos - start) / WINDOW_NANOS;
        if (window >= 0 && window < slowest.length()) {
            slowest.accumulateAndGet((int) window, latencyMicros, Math::max);
        }
    }

    private void sample() {
        Map<String, Long> before = threadTicks();
        long next = start + WINDOW_NANOS;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            Map<String, Long> now = threadTicks();
            Map<String, Long> delta = new HashMap<>();
            now.forEach((thread, ticks) -> {
                long used = ticks - before.getOrDefault(thread, 0L);
                if (used > 0) {
                    delta.put(thread, used * TICK_MS);
                }
            });
            synchronized (cpuByWindow) {
                cpuByWindow.add(delta);
            }
            before.clear();
            before.putAll(now);
            next += WINDOW_NANOS;
        }
    }

    /** Ticks (user + system) of each thread of the server, by "name#tid". */
    private Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(name + "#" + task.getFileName(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException | RuntimeException threadEnded) {
                    // a thread that ended between the listing and the read
                }
            }
        } catch (IOException serverEnded) {
            running = false;
        }
        return ticks;
    }

    /** Every event's sent time (s from the start), first and last delivery (ms), one line each: for a closer look. */
    void writeEvents(Path file) throws IOException {
        StringBuilder out = new StringBuilder("n\tat_s\tfirst_ms\tlast_ms\n");
        for (int e = 0; e < eventLast.length(); e++) {
            if (eventLast.get(e) > 0) {
                out.append(String.format("%d\t%.4f\t%.3f\t%.3f%n", e, (eventSentAt[e] - start) / 1e9, eventFirst.get(e) / 1000.0, eventLast.get(e) / 1000.0));
            }
        }
        Files.writeString(file, out);
    }

    /** The {@code count} threads that used the most CPU, as "name#tid ms", busiest first. */
    private static String busiest(Map<String, Long> msByThread, int count) {
        return msByThread.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The {@code count} slowest windows, each with its slowest delivery and the threads that used the core over it. */
    String report(int count) {
        List<Map<String, Long>> cpu;
        synchronized (cpuByWindow) {
            cpu = new ArrayList<>(cpuByWindow);
        }
        int windows = Math.min(slowest.length(), cpu.size());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            if (slowest.get(i) > 0) {
                order.add(i);
            }
        }
        if (order.isEmpty()) {
            return "no deliveries";
        }
        List<Long> sorted = order.stream().map(slowest::get).sorted().toList();
        StringBuilder out = new StringBuilder("slowest delivery per 100 ms window: median " + sorted.get(sorted.size() / 2) / 1000.0
                + " ms over " + sorted.size() + " windows from " + startedAt + "; the worst " + count + ":");
        order.sort(Comparator.comparingLong(slowest::get).reversed());
        for (int w : order.subList(0, Math.min(count, order.size()))) {
            long slowMicros = slowest.get(w);
            int last = Math.min(cpu.size() - 1, w + (int) (slowMicros * 1000 / WINDOW_NANOS));
            Map<String, Long> used = new HashMap<>();
            for (int i = w; i <= last; i++) {
                cpu.get(i).forEach((thread, ms) -> used.merge(thread, ms, Long::sum));
            }
            out.append(String.format("%n  at %.1f s: %.1f ms; CPU ms over %d window(s): %s", w / 10.0, slowMicros / 1000.0, last - w + 1,
                    busiest(used, 5)));
        }
        Map<String, Long> total = new HashMap<>();
        cpu.subList(0, windows).forEach(window -> window.forEach((thread, ms) -> total.merge(thread, ms, Long::sum)));
        out.append(String.format("%n  CPU ms by thread over the %d windows: %s", windows, busiest(total, 10)));
        List<Integer> events = new ArrayList<>();
        for (int e = 0; e < eventLast.length(); e++) {
            if (eventLast.get(e) > 0) {
                events.add(e);
            }
        }
        if (!events.isEmpty()) {
            List<Long> firsts = events.stream().map(eventFirst::get).sorted().toList();
            List<Long> lasts = events.stream().map(eventLast::get).sorted().toList();
            out.append(String.format("%nper event, median first / last delivery %.2f / %.2f ms over %d events; the slowest %d (n, at, first, last ms):",
                    firsts.get(firsts.size() / 2) / 1000.0, lasts.get(lasts.size() / 2) / 1000.0, events.size(), count));
            events.sort(Comparator.comparingLong(eventLast::get).reversed());
            for (int e : events.subList(0, Math.min(count, events.size()))) {
                out.append(String.format("%n  %d at %.3f s: %.2f, %.2f", e, (eventSentAt[e] - start) / 1e9, eventFirst.get(e) / 1000.0,
                        eventLast.get(e) / 1000.0));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
