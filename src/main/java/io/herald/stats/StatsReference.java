package io.herald.stats;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

/** {@code docs/stats.md}, generated from the {@link Stat} table (the page's test keeps the committed copy current). */
public final class StatsReference {
    private static final PrometheusNamingConvention PROMETHEUS = new PrometheusNamingConvention();

    private StatsReference() {
    }

    /** The Prometheus series of a stat as a scraper sees it ({@code herald_frames_in_total}, with its label), or null. */
    public static String series(Stat stat) {
        if (stat.metric() == null) {
            return null;
        }
        String name = PROMETHEUS.name(stat.metric(), switch (stat.kind()) {
            case COUNTER -> Meter.Type.COUNTER;
            case HISTOGRAM -> Meter.Type.TIMER;
            case SUMMARY -> Meter.Type.DISTRIBUTION_SUMMARY;
            default -> Meter.Type.GAUGE;
        }, stat.kind() == Stat.Kind.HISTOGRAM ? "seconds" : stat.baseUnit());
        if (stat.kind() == Stat.Kind.COUNTER && !name.endsWith("_total")) {
            name += "_total"; // what the Prometheus text format adds to a counter's name
        }
        if (stat.label() == null) {
            return name;
        }
        return name + "{" + stat.label() + (stat.labelValue() == null ? "" : "=\"" + stat.labelValue() + "\"") + "}";
    }

    private static String type(Stat stat) {
        return switch (stat.kind()) {
            case COUNTER -> "counter";
            case GAUGE -> "gauge";
            case HISTOGRAM -> "histogram (`_bucket{le}`, `_count`, `_sum`, `_max`); buckets 1 ms … 10 s";
            case SUMMARY -> "summary (`_count`, `_sum`, `_max`)";
            case INFO -> "";
        };
    }

    private static String source(Stat stat) {
        return switch (stat.source()) {
            case PRESENCE -> " (from presence; null, or `{}`, with presence off)";
            case REPLAY -> " (from the replay budget)";
            case IDENTITY -> " (from the identity provider's key set; 0 without `auth.jwksUrl`)";
            default -> "";
        };
    }

    private static String code(String text) {
        return text == null ? "" : "`" + text + "`";
    }

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("<!-- Generated from the stats table, src/main/java/io/herald/stats/Stat.java, by StatsDocsTest: do not edit by hand.\n")
                .append("     After changing the table: mvn -B -o test -Dtest=StatsDocsTest -Dherald.regenerate=true, then commit this page. -->\n")
                .append("# Stats and metrics\n\n")
                .append("Each stat is declared once, in `io.herald.stats.Stat`: its `/api/stats` field, its `/metrics` series (name, HELP, TYPE,\n")
                .append("labels), its unit and how it adds up across nodes. `NodeStats` counts and snapshots from that table, `ClusterTotals`\n")
                .append("adds the nodes up by it, and this page is generated from it.\n\n")
                .append("`GET /api/stats` (the API key or an admin token) answers from any node with every node's numbers (`nodes`) and the\n")
                .append("cluster's (`totals`, plus `nodes`: how many). Each node shares its numbers every `stats.intervalMs` (2 s); a node leaves\n")
                .append("the view when Hazelcast drops its member, or after three silent intervals; a node merged back after a partition is\n")
                .append("counted again. How a stat adds up across nodes:\n\n");
        for (Stat.Rule rule : Stat.Rule.values()) {
            boolean used = java.util.Arrays.stream(Stat.values()).anyMatch(stat -> stat.field() != null && stat.rule() == rule);
            md.append("- **").append(rule.doc()).append("**").append(used ? "" : " (no stat uses it today)");
            md.append(switch (rule) {
                case SUM -> ": over the nodes in the view; a node's part leaves with it (connections, subscriptions).\n";
                case MAX -> ": the largest value of the nodes in the view.\n";
                case PER_NODE -> ": only in each node's numbers (`nodes`), not in `totals`.\n";
                case DISTINCT -> ": presence counts a user with tabs on two nodes once; null (or `{}`) with presence off.\n";
                case KEPT -> ": what a node counted stays in the totals after it leaves, so the totals never go backwards as seen from one node.\n";
            });
        }
        md.append("\nA keyed stat (a JSON object of counts; a labelled series in `/metrics`) adds up key by key; zero counts are left out of\n")
                .append("the JSON. Labels take only values from the config and the catalogues (roles, transports, namespaces, types, error\n")
                .append("codes, close reasons), never a user id or a room name. The names the apps Herald replaces used are kept\n")
                .append("(`totalConnections`, `uniqueUsers`, `connectionsByRole`, `connectionsByNamespace`, `rooms`).\n\n")
                .append("## `/api/stats` fields\n\n")
                .append("| field | per node | unit | totals | `/metrics` series |\n|---|---|---|---|---|\n");
        for (Stat stat : Stat.values()) {
            if (stat.field() != null) {
                md.append("| `").append(stat.field()).append("`").append(stat.keyed() ? " (by " + stat.label() + ")" : "")
                        .append(" | ").append(stat.help()).append(source(stat))
                        .append(" | ").append(stat.unit() == null ? "" : stat.unit())
                        .append(" | ").append(stat.rule().doc())
                        .append(" | ").append(code(series(stat))).append(stat.metric() == null ? "" : " " + stat.kind().name().toLowerCase())
                        .append(" |\n");
            }
        }
        md.append("\n## `/metrics` only\n\n")
                .append("`GET /metrics` is Prometheus text (Micrometer), this node's series; open, so keep it on an internal network.\n")
                .append("Besides the series above:\n\n")
                .append("| series | type | unit | what |\n|---|---|---|---|\n");
        for (Stat stat : Stat.values()) {
            if (stat.field() == null) {
                md.append("| `").append(series(stat)).append("` | ").append(type(stat)).append(" | ").append(stat.unit())
                        .append(" | ").append(stat.help()).append(source(stat)).append(" |\n");
            }
        }
        md.append("| `jvm_memory_*`, `jvm_gc_*`, `jvm_threads_*`, `jvm_classes_*`, `process_cpu_usage`, `system_cpu_*`, ")
                .append("`process_uptime_seconds`, `process_files_open_files` | | | the JVM and the process (Micrometer's binders) |\n\n")
                .append("`StatsIT` checks every `/api/stats` number with five known connections on two nodes (one in another process),\n")
                .append("against what the clients themselves sent and received, and again after the other process is killed with SIGKILL;\n")
                .append("`StatsOutputTest` pins the JSON and the `/metrics` lines for a fixed set of counts; `ClusterTotalsTest` each rule.\n");
        return md.toString();
    }
}
