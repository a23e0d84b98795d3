package io.herald.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The seeded order of faults: kinds drawn from a bag (each kind once per round, shuffled, so a short run sees every
 * kind early), each aimed at a random node, with a random duration and a random quiet gap after the cluster settled.
 * The same seed and kinds give the same steps; only the wall-clock times depend on the machine.
 */
final class FaultSchedule {
    enum Kind {
        /** SIGKILL, down for {@code durationMs}, restart. */
        KILL("kill"),
        /** SIGTERM (graceful leave), down for {@code durationMs}, restart. */
        TERM("term"),
        /** SIGSTOP for 3 s (shorter than the 10 s heartbeat timeout), SIGCONT. */
        STOP("stop"),
        /** SIGSTOP for 15 s (past the heartbeat timeout: the others drop it, it resumes believing it is a member), SIGCONT. */
        STOP_LONG("stop-long"),
        /** The node and the others drop each other's packets for {@code durationMs} (network namespaces: root only), heal. */
        PARTITION("partition"),
        /** SIGKILL and restart of the node, then SIGKILL of {@code other} as soon as the node is up (partitions migrating), restart. */
        MIGRATION_KILL("migration-kill");

        final String id;

        Kind(String id) {
            this.id = id;
        }

        static Kind of(String id) {
            return Arrays.stream(values()).filter(k -> k.id.equals(id.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown fault kind '" + id + "'; kinds: "
                            + Arrays.stream(values()).map(k -> k.id).toList()));
        }
    }

    /** One fault: what, on which node (and which other for MIGRATION_KILL), how long, and the quiet gap before it. */
    record Step(Kind kind, int node, int other, long durationMs, long gapMs) {
        @Override
        public String toString() {
            return kind.id + " node " + node + (kind == Kind.MIGRATION_KILL ? " then node " + other : "") + " for " + durationMs + " ms";
        }
    }

    /** "kill,term,stop" → kinds; "all" or empty → every kind. */
    static List<Kind> parse(String kinds) {
        if (kinds == null || kinds.isBlank() || kinds.trim().equals("all")) {
            return List.of(Kind.values());
        }
        return Arrays.stream(kinds.split(",")).filter(s -> !s.isBlank()).map(Kind::of).distinct().toList();
    }

    private final Random random;
    private final List<Kind> kinds;
    private final int nodes;
    private final List<Kind> bag = new ArrayList<>();

    FaultSchedule(long seed, List<Kind> kinds, int nodes) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no fault kinds");
        }
        this.random = new Random(seed);
        this.kinds = List.copyOf(kinds);
        this.nodes = nodes;
    }

    Step next() {
        if (bag.isEmpty()) {
            bag.addAll(kinds);
            Collections.shuffle(bag, random);
        }
        Kind kind = bag.remove(0);
        int node = random.nextInt(nodes);
        int other = (node + 1 + random.nextInt(nodes - 1)) % nodes;
        long duration = switch (kind) {
            case KILL, TERM, MIGRATION_KILL -> 1000 + random.nextInt(3000);
            case STOP -> 3000;
            case STOP_LONG -> 15_000;
            case PARTITION -> 15_000 + random.nextInt(10_000);
        };
        long gap = 2000 + random.nextInt(4000);
        return new Step(kind, node, other, duration, gap);
    }

    /** The first {@code n} steps, for the report. */
    static List<Step> preview(long seed, List<Kind> kinds, int nodes, int n) {
        FaultSchedule schedule = new FaultSchedule(seed, kinds, nodes);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            steps.add(schedule.next());
        }
        return steps;
    }
}
