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
            int[] c = byVia.computeIfAbsent(p.via(), k -> new int[1 + Outcome.values().length]);
            c[0]++;
            c[1 + p.outcome().ordinal()]++;
        }
        byVia.forEach((via, c) -> s.append(String.format("  %-6s attempted %7d  acked %7d  refused %6d  indeterminate %6d%s%n", via, c[0], c[1], c[2], c[3],
                c[4] == 0 ? "" : String.format("  rolled back %6d", c[4]))));
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
        s.append("\nLongest silences: a follower received nothing of a type while events of it were sent and acknowledged\n");
        r.silences().stream().limit(30).forEach(x -> s.append(String.format("  %-4s %-20s %7.1f..%7.1f s (%.1f s, %d sent meanwhile and acknowledged)%n",
                x.follower(), x.type(), x.fromMs() / 1000.0, x.toMs() / 1000.0, (x.toMs() - x.fromMs()) / 1000.0, x.ackedMeanwhile())));
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

    /** What the timeline is drawn on: SVG text or a java.awt image. */
    interface Canvas {
        void rect(double x, double y, double w, double h, String color, double opacity);

        void line(double x1, double y1, double x2, double y2, String color);

        void polyline(double[] xs, double[] ys, String color);

        void text(double x, double y, String text, int size, boolean bold, boolean centred);
    }

    /** Draws the timeline; answers {width, height}. Call once with a measuring canvas to learn the height. */
    static int[] draw(Canvas c, Map<String, String> meta, Snapshot h, Result r) {
        int left = 190;
        int width = 1400;
        int plot = width - left - 20;
        double end = Math.max(1, h.endMs());
        int y = 80;
        // availability per bucket: green acked, orange indeterminate, red refused
        int availH = 50;
        c.text(6, y + availH / 2.0 + 4, "publishes acknowledged", 11, false, false);
        List<Runnable> front = new ArrayList<>();
        int availY = y;
        front.add(() -> {
            for (SoakChecker.Bucket b : r.availability()) {
                if (b.attempted() == 0) {
                    c.rect(left + plot * b.startMs() / end, availY, Math.max(1, plot * r.bucketMs() / end - 0.5), availH, "#e0e0e0", 1);
                    continue;
                }
                double x = left + plot * b.startMs() / end;
                double w = Math.max(1, plot * r.bucketMs() / end - 0.5);
                double ok = (double) b.acked() / b.attempted();
                double maybe = (double) b.indeterminate() / b.attempted();
                c.rect(x, availY + availH * (1 - ok), w, availH * ok, "#66bb6a", 1);
                c.rect(x, availY + availH * (1 - ok - maybe), w, availH * maybe, "#ffa726", 1);
                c.rect(x, availY, w, availH * (1 - ok - maybe), "#ef5350", 1);
            }
        });
        y += availH + 20;
        // epochs per type: one lane per epoch, a tick per 250 ms with acks in it
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
                c.text(6, y + 13, type.getKey() + " epoch " + (i + 1), 11, false, false);
                int laneY = y;
                front.add(() -> {
                    for (long tick : epoch.getValue()) {
                        c.rect(left + plot * tick * 250 / end, laneY + 2, Math.max(1, plot * 250 / end), 14, color, 1);
                    }
                });
                y += 18;
                i++;
            }
            y += 6;
        }
        y += 10;
        // lag per follower, one scale for all; red ticks: events that follower lost (acked at that time)
        long maxLag = 1000;
        for (long[] series : r.lagSeries().values()) {
            for (long v : series) {
                maxLag = Math.max(maxLag, v);
            }
        }
        int lagH = 44;
        long scale = maxLag;
        for (Map.Entry<String, long[]> e : r.lagSeries().entrySet()) {
            long mine = 0;
            for (long v : e.getValue()) {
                mine = Math.max(mine, v);
            }
            int lost = r.lostAt().getOrDefault(e.getKey(), List.of()).size();
            c.text(6, y + lagH / 2.0 + 4, e.getKey() + " lag max " + String.format(Locale.ROOT, "%.1f", mine / 1000.0) + " s"
                    + (lost > 0 ? ", lost " + lost : ""), 11, false, false);
            int rowY = y;
            front.add(() -> {
                c.line(left, rowY + lagH, left + plot, rowY + lagH, "#cccccc");
                long[] series = e.getValue();
                double[] xs = new double[series.length];
                double[] ys = new double[series.length];
                for (int s = 0; s < series.length; s++) {
                    xs[s] = left + plot * s * r.lagStepMs() / end;
                    ys[s] = rowY + lagH - lagH * (double) series[s] / scale;
                }
                c.polyline(xs, ys, "#1565c0");
                for (long at : r.lostAt().getOrDefault(e.getKey(), List.of())) {
                    double x = left + plot * at / end;
                    c.line(x, rowY, x, rowY + 10, "#d50000");
                }
            });
            y += lagH + 8;
        }
        int bottom = y;
        // fault bands behind everything, then the rows
        int n = 0;
        for (Fault f : h.faults()) {
            double x = left + plot * f.startMs() / end;
            double w = Math.max(2, plot * (f.endMs() - f.startMs()) / end);
            c.rect(x, 46, w, bottom - 46, FAULT_COLORS.getOrDefault(f.kind(), "#bbbbbb"), 0.35);
            c.text(x + 1, n++ % 2 == 0 ? 58 : 72, f.kind() + " " + f.node(), 10, false, false); // two rows: short faults' labels overlap less
        }
        front.forEach(Runnable::run);
        long step = niceStep(h.endMs());
        for (long t = 0; t <= h.endMs(); t += step) {
            double x = left + plot * t / end;
            c.line(x, bottom, x, bottom + 5, "#999999");
            c.text(x, bottom + 16, t / 1000 + " s", 10, false, true);
        }
        c.text(10, 18, "Herald chaos soak, seed " + meta.getOrDefault("seed", "?") + ", faults " + meta.getOrDefault("faults", "?")
                + ", " + meta.getOrDefault("network", "") + ", commit " + meta.getOrDefault("commit", "?") + ": "
                + (r.clean() ? "CLEAN" : "CONTRACT BROKEN"), 13, true, false);
        c.text(10, 36, r.summary(), 11, false, false);
        int lx = left;
        for (Map.Entry<String, String> color : new TreeMap<>(FAULT_COLORS).entrySet()) {
            c.rect(lx, bottom + 30, 12, 12, color.getValue(), 0.6);
            c.text(lx + 16, bottom + 40, color.getKey(), 11, false, false);
            lx += 110;
        }
        c.text(left, bottom + 58, "publishes by send time: green acknowledged, orange indeterminate, red refused, grey none sent; "
                + "epochs: one lane each, a tick where acknowledgements came;", 11, false, false);
        c.text(left, bottom + 73, "lag: age of the oldest acknowledged event the follower has not yet received (events it never got left out); "
                + "red ticks: when the events it never got were acknowledged", 11, false, false);
        return new int[] {width, bottom + 84};
    }

    static String svg(Map<String, String> meta, Snapshot h, Result r) {
        StringBuilder body = new StringBuilder();
        int[] size = draw(new Canvas() {
            @Override
            public void rect(double x, double y, double w, double h, String color, double opacity) {
                body.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' opacity='%.2f'/>%n",
                        x, y, w, Math.max(0, h), color, opacity));
            }

            @Override
            public void line(double x1, double y1, double x2, double y2, String color) {
                body.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s'/>%n", x1, y1, x2, y2, color));
            }

            @Override
            public void polyline(double[] xs, double[] ys, String color) {
                body.append("<polyline fill='none' stroke='").append(color).append("' points='");
                for (int i = 0; i < xs.length; i++) {
                    body.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
                }
                body.append("'/>\n");
            }

            @Override
            public void text(double x, double y, String text, int size, boolean bold, boolean centred) {
                body.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='%d'%s%s>%s</text>%n", x, y, size,
                        bold ? " font-weight='bold'" : "", centred ? " text-anchor='middle'" : "", escape(text)));
            }
        }, meta, h, r);
        return String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>%n"
                + "<rect width='100%%' height='100%%' fill='white'/>%n", size[0], size[1]) + body + "</svg>\n";
    }

    static void png(Path file, Map<String, String> meta, Snapshot h, Result r) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int[] size = draw(new Canvas() {
            public void rect(double x, double y, double w, double hh, String color, double opacity) { }

            public void line(double x1, double y1, double x2, double y2, String color) { }

            public void polyline(double[] xs, double[] ys, String color) { }

            public void text(double x, double y, String text, int s, boolean bold, boolean centred) { }
        }, meta, h, r);
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(size[0], size[1], java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, size[0], size[1]);
        draw(new Canvas() {
            private java.awt.Color color(String hex, double opacity) {
                java.awt.Color c = java.awt.Color.decode(hex);
                return new java.awt.Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(255 * opacity));
            }

            public void rect(double x, double y, double w, double hh, String color, double opacity) {
                g.setColor(color(color, opacity));
                g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, Math.max(0, hh)));
            }

            public void line(double x1, double y1, double x2, double y2, String color) {
                g.setColor(color(color, 1));
                g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
            }

            public void polyline(double[] xs, double[] ys, String color) {
                g.setColor(color(color, 1));
                java.awt.geom.Path2D.Double path = new java.awt.geom.Path2D.Double();
                for (int i = 0; i < xs.length; i++) {
                    if (i == 0) {
                        path.moveTo(xs[i], ys[i]);
                    } else {
                        path.lineTo(xs[i], ys[i]);
                    }
                }
                g.draw(path);
            }

            public void text(double x, double y, String text, int s, boolean bold, boolean centred) {
                g.setColor(java.awt.Color.BLACK);
                g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, bold ? java.awt.Font.BOLD : java.awt.Font.PLAIN, s));
                double at = centred ? x - g.getFontMetrics().stringWidth(text) / 2.0 : x;
                g.drawString(text, (float) at, (float) y);
            }
        }, meta, h, r);
        g.dispose();
        javax.imageio.ImageIO.write(image, "png", file.toFile());
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

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static void write(Path dir, Map<String, String> meta, Snapshot h, Result r) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.txt"), text(meta, h, r));
        Files.writeString(dir.resolve("timeline.svg"), svg(meta, h, r));
        try {
            png(dir.resolve("timeline.png"), meta, h, r);
        } catch (Throwable e) { // a JDK without its desktop module: the SVG is still there
            Files.writeString(dir.resolve("timeline.png.txt"), "no PNG: " + e);
        }
    }
}
