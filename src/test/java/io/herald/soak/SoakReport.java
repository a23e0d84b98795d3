package io.herald.soak;

import io.herald.soak.SoakChecker.EpochSpan;
import io.herald.soak.SoakChecker.FaultLag;
import io.herald.soak.SoakChecker.Found;
import io.herald.soak.SoakChecker.Kind;
import io.herald.soak.SoakChecker.Result;
import io.herald.soak.SoakHistory.Fault;
import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.herald.soak.SoakHistory.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The soak's report: {@code report.txt} (verdict, every finding with examples, publishes, epochs, faults with each
 * follower's longest lag) and {@code timeline.svg} (faults as bands; publish availability; each type's epochs over
 * time; each follower's lag, with its lost events as red ticks), written to one directory.
 */
final class SoakReport {
    private SoakReport() {
    }

    static String text(Map<String, String> meta, Snapshot h, Result r) {
        StringBuilder s = new StringBuilder();
        s.append("Herald chaos soak\n");
        meta.forEach((k, v) -> s.append(String.format("  %-12s %s%n", k, v)));
        s.append(String.format("  %-12s %.1f s%n", "observed", h.endMs() / 1000.0));
        s.append('\n').append(r.clean() ? "VERDICT: clean — no finding breaks the contract\n" : "VERDICT: the contract is broken\n");
        s.append(r.summary()).append("\n\n");
        for (Map.Entry<Kind, Found> e : r.found().entrySet()) {
            s.append(String.format("%-20s %7d   %s%n", e.getKey().name().toLowerCase(), e.getValue().count, e.getKey().meaning));
        }
        if (r.lostEvents() > 0) {
            s.append(String.format("%nlost: %d distinct acknowledged events, %d of them at every follower of their type%n", r.lostEvents(), r.lostEverywhere()));
        }
        s.append("\nPublishes (by way)\n");
        Map<String, int[]> byVia = new TreeMap<>();
        for (Publish p : h.publishes()) {
            int[] c = byVia.computeIfAbsent(p.via(), k -> new int[4]);
            c[0]++;
            c[1 + p.outcome().ordinal()]++;
        }
        byVia.forEach((via, c) -> s.append(String.format("  %-6s attempted %7d  acked %7d  refused %6d  indeterminate %6d%n", via, c[0], c[1], c[2], c[3])));
        s.append(String.format("  indeterminate publishes that were delivered: %d of %d (allowed either way)%n", r.indeterminateDelivered(), r.indeterminate()));
        s.append(String.format("  availability: %.1f%% of attempts acknowledged; worst %d s window: %s%n",
                r.attempted() == 0 ? 0 : 100.0 * r.acked() / r.attempted(), r.bucketMs() / 1000, worstBucket(r)));
        Map<String, Integer> refusedWhy = new TreeMap<>();
        for (Publish p : h.publishes()) {
            if (p.outcome() != Outcome.ACKED) {
                String why = p.detail() == null ? "?" : p.detail().replaceAll("\\d{3,}", "N");
                refusedWhy.merge(p.outcome().name().toLowerCase() + ": " + (why.length() > 110 ? why.substring(0, 110) : why), 1, Integer::sum);
            }
        }
        refusedWhy.forEach((why, n) -> s.append(String.format("    %6d  %s%n", n, why)));
        s.append(String.format("%nDeliveries: %d; err frames to followers: %s%n", r.deliveries(), r.errCodes()));
        s.append("\nEpochs (from acknowledgements)\n");
        for (EpochSpan e : r.epochs()) {
            s.append(String.format("  %-20s %-38s acked %7.1f..%7.1f s  %6d acks  seq %d..%d%n", e.type(), e.epoch(), e.firstMs() / 1000.0,
                    e.lastMs() / 1000.0, e.acks(), e.minSeq(), e.maxSeq()));
        }
        s.append("\nFaults, and each follower's longest lag until the next fault\n");
        Map<Fault, List<FaultLag>> lags = new LinkedHashMap<>();
        r.faultLags().forEach(l -> lags.computeIfAbsent(l.fault(), k -> new ArrayList<>()).add(l));
        for (Fault f : h.faults()) {
            s.append(String.format("  %7.1f..%7.1f s  %-15s node %d  %s%n", f.startMs() / 1000.0, f.endMs() / 1000.0, f.kind(), f.node(), f.detail()));
            StringBuilder lag = new StringBuilder();
            for (FaultLag l : lags.getOrDefault(f, List.of())) {
                lag.append(String.format(" %s %.1f s;", l.follower(), l.maxLagMs() / 1000.0));
            }
            s.append("                       longest lag:").append(lag).append('\n');
        }
        for (Map.Entry<Kind, Found> e : r.found().entrySet()) {
            if (e.getValue().count > 0) {
                s.append("\n").append(e.getKey().name().toLowerCase()).append(" (first ").append(e.getValue().examples.size()).append(")\n");
                e.getValue().examples.forEach(x -> s.append("  ").append(x).append('\n'));
            }
        }
        s.append("\nLog\n");
        h.notes().forEach(n -> s.append(String.format("  %8.1f s  %s%n", n.atMs() / 1000.0, n.text())));
        return s.toString();
    }

    private static String worstBucket(Result r) {
        SoakChecker.Bucket worst = null;
        for (SoakChecker.Bucket b : r.availability()) {
            if (b.attempted() > 0 && (worst == null || (double) b.acked() / b.attempted() < (double) worst.acked() / worst.attempted())) {
                worst = b;
            }
        }
        return worst == null ? "none" : String.format("%d of %d acknowledged from %.0f s", worst.acked(), worst.attempted(), worst.startMs() / 1000.0);
    }

    static final Map<String, String> FAULT_COLORS = Map.of("kill", "#e57373", "term", "#ffb74d", "stop", "#90caf9", "stop-long", "#5c6bc0",
            "partition", "#ba68c8", "migration-kill", "#a1887f");
    static final String[] EPOCH_COLORS = {"#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e"};

    static String svg(Map<String, String> meta, Snapshot h, Result r) {
        int left = 190;
        int width = 1400;
        int plot = width - left - 20;
        double end = Math.max(1, h.endMs());
        List<String> rows = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        int y = 50;
        // availability
        int availTop = y;
        int availH = 50;
        body.append(label(y + availH / 2, "publishes acknowledged"));
        for (SoakChecker.Bucket b : r.availability()) {
            if (b.attempted() == 0) {
                continue;
            }
            double x = left + plot * b.startMs() / end;
            double w = Math.max(1, plot * r.bucketMs() / end - 0.5);
            double ok = (double) b.acked() / b.attempted();
            double maybe = (double) b.indeterminate() / b.attempted();
            body.append(rect(x, y + availH * (1 - ok), w, availH * ok, "#66bb6a"));
            body.append(rect(x, y + availH * (1 - ok - maybe), w, availH * maybe, "#ffa726"));
            body.append(rect(x, y, w, availH * (1 - ok - maybe), "#ef5350"));
        }
        y += availH + 20;
        // epochs per type: one lane per epoch, a tick per bucket with acks
        Map<String, Map<String, TreeSet<Long>>> lanes = new TreeMap<>();
        for (Publish p : h.publishes()) {
            if (p.outcome() == Outcome.ACKED && p.epoch() != null) {
                lanes.computeIfAbsent(p.type(), k -> new LinkedHashMap<>()).computeIfAbsent(p.epoch(), k -> new TreeSet<>())
                        .add(p.doneMs() / 250);
            }
        }
        for (Map.Entry<String, Map<String, TreeSet<Long>>> type : lanes.entrySet()) {
            int i = 0;
            for (Map.Entry<String, TreeSet<Long>> epoch : type.getValue().entrySet()) {
                String color = EPOCH_COLORS[i % EPOCH_COLORS.length];
                body.append(label(y + 9, type.getKey() + " epoch " + (i + 1)));
                for (long tick : epoch.getValue()) {
                    body.append(rect(left + plot * tick * 250 / end, y + 2, Math.max(1, plot * 250 / end), 14, color));
                }
                y += 18;
                i++;
            }
            y += 6;
        }
        y += 10;
        // lag per follower
        long maxLag = 1000;
        for (long[] series : r.lagSeries().values()) {
            for (long v : series) {
                maxLag = Math.max(maxLag, v);
            }
        }
        int lagH = 44;
        for (Map.Entry<String, long[]> e : r.lagSeries().entrySet()) {
            long mine = 0;
            for (long v : e.getValue()) {
                mine = Math.max(mine, v);
            }
            body.append(label(y + lagH / 2, e.getKey() + " lag (max " + String.format(Locale.ROOT, "%.1f", mine / 1000.0) + " s)"));
            body.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#ccc'/>", left, y + lagH, left + plot, y + lagH));
            StringBuilder points = new StringBuilder();
            long[] series = e.getValue();
            for (int s = 0; s < series.length; s++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plot * s * r.lagStepMs() / end, y + lagH - lagH * (double) series[s] / maxLag));
            }
            body.append("<polyline fill='none' stroke='#1565c0' stroke-width='1' points='").append(points).append("'/>");
            for (long at : r.lostAt().getOrDefault(e.getKey(), List.of())) {
                double x = left + plot * at / end;
                body.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#d50000' stroke-width='1'/>", x, y, x, y + 8));
            }
            y += lagH + 8;
        }
        int bottom = y;
        // fault bands behind everything
        StringBuilder bands = new StringBuilder();
        for (Fault f : h.faults()) {
            double x = left + plot * f.startMs() / end;
            double w = Math.max(2, plot * (f.endMs() - f.startMs()) / end);
            bands.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' opacity='0.35'/>", x, 30, w,
                    bottom - 30, FAULT_COLORS.getOrDefault(f.kind(), "#bbb")));
            bands.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10' fill='#333'>%s %d</text>", x + 1, 42, f.kind(), f.node()));
        }
        // time axis
        StringBuilder axis = new StringBuilder();
        long step = niceStep(h.endMs());
        for (long t = 0; t <= h.endMs(); t += step) {
            double x = left + plot * t / end;
            axis.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#999'/>", x, bottom, x, bottom + 5));
            axis.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%d s</text>", x, bottom + 16, t / 1000));
        }
        int height = bottom + 60;
        String title = "Herald chaos soak — seed " + meta.getOrDefault("seed", "?") + ", faults " + meta.getOrDefault("faults", "?") + " — "
                + (r.clean() ? "clean" : "BROKEN: " + r.summary());
        StringBuilder legend = new StringBuilder();
        int lx = left;
        for (Map.Entry<String, String> c : new TreeMap<>(FAULT_COLORS).entrySet()) {
            legend.append(rect(lx, bottom + 30, 12, 12, c.getValue())).append(String.format(Locale.ROOT,
                    "<text x='%d' y='%d' font-size='11'>%s</text>", lx + 16, bottom + 40, c.getKey()));
            lx += 110;
        }
        legend.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11'>availability: green acked, orange indeterminate, red refused; "
                + "epochs: one lane each; lag: age of the oldest undelivered acked event; red ticks: events that follower lost</text>", left, bottom + 56));
        rows.add(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>", width, height + 10));
        rows.add("<rect width='100%' height='100%' fill='white'/>");
        rows.add(String.format(Locale.ROOT, "<text x='10' y='20' font-size='13' font-weight='bold'>%s</text>", escape(title)));
        rows.add(bands.toString());
        rows.add(body.toString());
        rows.add(axis.toString());
        rows.add(legend.toString());
        rows.add("</svg>");
        return String.join("\n", rows);
    }

    private static long niceStep(long endMs) {
        long[] steps = {5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000};
        for (long s : steps) {
            if (endMs / s <= 20) {
                return s;
            }
        }
        return 1_200_000;
    }

    private static String rect(double x, double y, double w, double h, String color) {
        return String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>", x, y, w, Math.max(0, h), color);
    }

    private static String label(int y, String text) {
        return String.format(Locale.ROOT, "<text x='6' y='%d' font-size='11'>%s</text>", y + 4, escape(text));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static void write(Path dir, Map<String, String> meta, Snapshot h, Result r) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.txt"), text(meta, h, r));
        Files.writeString(dir.resolve("timeline.svg"), svg(meta, h, r));
    }
}
