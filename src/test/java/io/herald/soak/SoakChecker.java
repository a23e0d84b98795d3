package io.herald.soak;

import io.herald.soak.SoakHistory.Delivery;
import io.herald.soak.SoakHistory.Err;
import io.herald.soak.SoakHistory.Fault;
import io.herald.soak.SoakHistory.Follow;
import io.herald.soak.SoakHistory.Outcome;
import io.herald.soak.SoakHistory.Publish;
import io.herald.soak.SoakHistory.Snapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a soak's history against the contract, over unique publish ids ({@code pid}, carried in each event's data):
 * no acknowledged event lost, none delivered twice or appended twice, each follower's stream in {@code seq} order
 * with no silent gap, nothing delivered that was never published, one event per {@code (type, epoch, seq)}, no epoch
 * change without {@code recovery_incomplete}, one epoch of a type at a time. Indeterminate publishes (no clear answer)
 * may appear or not, and are counted apart. Also measures publish availability and each follower's lag.
 * A plain function of the history: {@link #check(Snapshot)}.
 */
public final class SoakChecker {
    /** What the checker looks for; every kind breaks the contract. */
    public enum Kind {
        LOST("acknowledged, never delivered to a follower that followed its type from before it was sent"),
        DUPLICATED("delivered more than once to the same follower"),
        DOUBLE_APPEND("one publish at two stream positions (epoch, seq)"),
        REORDERED("a follower got a lower seq after a higher one in one epoch, or an event acknowledged before "
                + "another was sent got the higher seq"),
        SKIPPED("a follower's stream jumped over seqs in one epoch without recovery_incomplete"),
        UNKNOWN("delivered but never published (or refused for sure), or carrying no publish id"),
        REUSED_SEQ("two different publishes named by the same (type, epoch, seq)"),
        SILENT_EPOCH_CHANGE("a follower's stream changed epoch without recovery_incomplete"),
        PARALLEL_EPOCHS("two epochs of one type acknowledged in overlapping periods"),
        PHANTOM("delivered, though it was an outbox row whose transaction rolled back"),
        STALLED("a follower lagged longer than the soak allows (60 s; soak.maxLagSeconds) behind acknowledged events: it "
                + "went silent where the node should have closed it (delivery.stallMs) or moved it"),
        STATE("a key's entry in the keyed state at the end is not the last event of that key in the stream");

        public final String meaning;

        Kind(String meaning) {
            this.meaning = meaning;
        }
    }

    /**
     * A follower whose name starts with this receives at least once (a webhook receiver: after a failed request or a
     * takeover by another node, events come again): a repeat is not a duplicate, and its order is judged on the highest
     * seq it got.
     */
    public static final String AT_LEAST_ONCE = "w";

    /**
     * The key of an event's keyed state every publisher of the soak (HTTP, bus, outbox) puts in its data ({@code productId}):
     * a function of its pid, so that the checker knows each delivered event's key.
     */
    public static String keyOf(String pid) {
        return "p-" + Math.floorMod(pid.hashCode(), 8);
    }

    /** How many of a kind, and the first few examples, readable. */
    public static final class Found {
        public int count;
        public final List<String> examples = new ArrayList<>();

        void add(String example) {
            count++;
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(example);
            }
        }
    }

    /** One epoch of a type: when it was acknowledged first and last, how many acks, seq range. */
    public record EpochSpan(String type, String epoch, long firstMs, long lastMs, int acks, long minSeq, long maxSeq) {
    }

    /** Publish availability in one time bucket (by send time). */
    public record Bucket(long startMs, int attempted, int acked, int indeterminate) {
    }

    /** The longest a follower lagged from the start of a fault to the start of the next (or the end). */
    public record FaultLag(Fault fault, String follower, long maxLagMs) {
    }

    /** The longest a follower received nothing of a type while that type was being acknowledged (it went silent). */
    public record Silence(String follower, String type, long fromMs, long toMs, int ackedMeanwhile) {
    }

    public record Result(Map<Kind, Found> found, int attempted, int acked, int refused, int indeterminate,
                         int indeterminateDelivered, int deliveries, int lostEvents, int lostEverywhere,
                         List<EpochSpan> epochs, List<Bucket> availability, long bucketMs,
                         Map<String, long[]> lagSeries, long lagStepMs, List<FaultLag> faultLags,
                         Map<String, Integer> errCodes, Map<String, List<Long>> lostAt, List<Silence> silences) {
        public boolean clean() {
            return found.values().stream().allMatch(f -> f.count == 0);
        }

        public int count(Kind kind) {
            return found.get(kind).count;
        }

        /** One line: the count of every kind. */
        public String summary() {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<Kind, Found> e : found.entrySet()) {
                s.append(e.getKey().name().toLowerCase()).append('=').append(e.getValue().count).append(' ');
            }
            return s.append("(acked ").append(acked).append(" of ").append(attempted).append(", indeterminate ")
                    .append(indeterminate).append(")").toString();
        }
    }

    static final int MAX_EXAMPLES = 12;

    private SoakChecker() {
    }

    /** The longest lag a follower may show: a fault, the settle time and a stall watch's close, with room to spare. */
    static final long MAX_LAG_MS = Long.getLong("soak.maxLagSeconds", 60) * 1000;

    public static Result check(Snapshot h) {
        return check(h, MAX_LAG_MS);
    }

    static Result check(Snapshot h, long maxLagMs) {
        Map<Kind, Found> found = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            found.put(kind, new Found());
        }
        Map<String, Publish> byPid = new HashMap<>();
        int acked = 0;
        int refused = 0;
        int indeterminate = 0;
        for (Publish p : h.publishes()) {
            byPid.put(p.pid(), p);
            switch (p.outcome()) {
                case ACKED -> acked++;
                case REFUSED, ROLLED_BACK -> refused++;
                case INDETERMINATE -> indeterminate++;
            }
        }

        // Per follower and type: its stream, in the order it came, errs interleaved.
        Map<String, List<Object>> streams = new LinkedHashMap<>();
        for (Delivery d : h.deliveries()) {
            streams.computeIfAbsent(d.follower() + "\u0000" + d.type(), k -> new ArrayList<>()).add(d);
        }
        for (Err e : h.errs()) {
            streams.computeIfAbsent(e.follower() + "\u0000" + e.type(), k -> new ArrayList<>()).add(e);
        }
        Map<String, Map<String, Long>> deliveredAt = new HashMap<>(); // follower -> pid -> first delivery time
        Map<String, Set<String>> recoveryIncomplete = new HashMap<>(); // follower -> types
        Map<String, Integer> errCodes = new TreeMap<>();
        Set<String> seenPids = new HashSet<>();
        for (List<Object> stream : streams.values()) {
            stream.sort(Comparator.comparingLong(o -> o instanceof Delivery d ? d.ord() : ((Err) o).ord()));
            String epoch = null;
            long last = 0;
            boolean announced = false;
            Set<String> got = new HashSet<>();
            boolean atLeastOnce = !stream.isEmpty() && (stream.get(0) instanceof Delivery d0 ? d0.follower() : ((Err) stream.get(0)).follower())
                    .startsWith(AT_LEAST_ONCE);
            for (Object o : stream) {
                if (o instanceof Err e) {
                    errCodes.merge(e.code(), 1, Integer::sum);
                    if ("recovery_incomplete".equals(e.code())) {
                        announced = true;
                        recoveryIncomplete.computeIfAbsent(e.follower(), k -> new HashSet<>()).add(e.type());
                    }
                    continue;
                }
                Delivery d = (Delivery) o;
                String where = d.follower() + " " + d.type() + " " + d.epoch() + "/" + d.seq() + " at " + d.atMs() + " ms on node " + d.node();
                boolean duplicate = d.pid() != null && !got.add(d.pid());
                if (d.pid() == null) {
                    found.get(Kind.UNKNOWN).add(where + ": no publish id in data");
                } else {
                    seenPids.add(d.pid());
                    deliveredAt.computeIfAbsent(d.follower(), k -> new HashMap<>()).putIfAbsent(d.pid(), d.atMs());
                    Publish p = byPid.get(d.pid());
                    if (p == null) {
                        found.get(Kind.UNKNOWN).add(where + ": " + d.pid() + " was never published");
                    } else if (p.outcome() == Outcome.REFUSED) {
                        found.get(Kind.UNKNOWN).add(where + ": " + d.pid() + " was refused for sure (" + p.detail() + ")");
                    } else if (p.outcome() == Outcome.ROLLED_BACK) {
                        found.get(Kind.PHANTOM).add(where + ": " + d.pid() + " was an outbox row rolled back at " + p.doneMs() + " ms");
                    }
                }
                if (duplicate && !atLeastOnce) {
                    found.get(Kind.DUPLICATED).add(where + ": " + d.pid() + " again");
                }
                if (epoch != null && !epoch.equals(d.epoch())) {
                    if (!announced) {
                        found.get(Kind.SILENT_EPOCH_CHANGE).add(where + ": epoch " + epoch + "/" + last + " -> " + d.epoch() + "/" + d.seq()
                                + " without recovery_incomplete");
                    }
                } else if (epoch != null) {
                    if (d.seq() <= last && !duplicate) {
                        found.get(Kind.REORDERED).add(where + ": seq " + d.seq() + " after " + last + " (" + d.pid() + ")");
                    } else if (d.seq() > last + 1 && !announced) {
                        found.get(Kind.SKIPPED).add(where + ": seq " + d.seq() + " after " + last + " (" + (d.seq() - last - 1) + " skipped)");
                    }
                }
                epoch = d.epoch();
                last = atLeastOnce && duplicate ? Math.max(last, d.seq()) : d.seq();
                announced = false;
            }
        }

        // One publish, one position; one position, one publish (acks and deliveries both name positions).
        Map<String, String> positionToPid = new HashMap<>();
        Map<String, Set<String>> pidToPositions = new HashMap<>();
        Set<String> reused = new HashSet<>();
        List<String[]> named = new ArrayList<>();
        for (Publish p : h.publishes()) {
            if (p.outcome() == Outcome.ACKED && p.epoch() != null) {
                named.add(new String[] {p.type(), p.epoch(), String.valueOf(p.seq()), p.pid(), "ack from node " + p.node() + " at " + p.doneMs() + " ms"});
            }
        }
        for (Delivery d : h.deliveries()) {
            if (d.pid() != null) {
                named.add(new String[] {d.type(), d.epoch(), String.valueOf(d.seq()), d.pid(), "delivery to " + d.follower() + " at " + d.atMs() + " ms"});
            }
        }
        for (String[] n : named) {
            String position = n[0] + " " + n[1] + "/" + n[2];
            String before = positionToPid.putIfAbsent(position, n[3]);
            if (before != null && !before.equals(n[3]) && reused.add(position)) {
                found.get(Kind.REUSED_SEQ).add(position + ": " + before + " and " + n[3] + " (" + n[4] + ")");
            }
            Set<String> positions = pidToPositions.computeIfAbsent(n[3], k -> new HashSet<>());
            if (positions.add(position) && positions.size() == 2) {
                found.get(Kind.DOUBLE_APPEND).add(n[3] + " at " + positions + " (" + n[4] + ")");
            }
        }

        checkState(h, found);

        // Lost: acked, and missing at a follower that followed the type from before the publish was sent.
        Map<String, Integer> lostCount = new HashMap<>();
        Map<String, Integer> followersOfType = new HashMap<>();
        Map<String, List<Long>> lostAt = new TreeMap<>();
        for (Follow f : h.follows()) {
            followersOfType.merge(f.type(), 1, Integer::sum);
        }
        for (Follow f : h.follows()) {
            Map<String, Long> got = deliveredAt.getOrDefault(f.follower(), Map.of());
            boolean toldIncomplete = recoveryIncomplete.getOrDefault(f.follower(), Set.of()).contains(f.type());
            for (Publish p : h.publishes()) {
                if (p.outcome() == Outcome.ACKED && p.type().equals(f.type()) && p.sentMs() >= f.sinceMs() && !got.containsKey(p.pid())) {
                    found.get(Kind.LOST).add(f.follower() + " never got " + p.pid() + " (" + p.type() + " " + p.epoch() + "/" + p.seq()
                            + ", acked by node " + p.node() + " via " + p.via() + " at " + p.doneMs() + " ms"
                            + (toldIncomplete ? "; the follower was told recovery_incomplete on this type" : "") + ")");
                    lostCount.merge(p.pid(), 1, Integer::sum);
                    lostAt.computeIfAbsent(f.follower(), k -> new ArrayList<>()).add(p.doneMs());
                }
            }
        }
        int lostEverywhere = (int) lostCount.entrySet().stream()
                .filter(e -> e.getValue() >= followersOfType.getOrDefault(byPid.get(e.getKey()).type(), 0)).count();
        int indeterminateDelivered = (int) h.publishes().stream()
                .filter(p -> p.outcome() == Outcome.INDETERMINATE && seenPids.contains(p.pid())).count();

        List<EpochSpan> epochs = epochSpans(h.publishes());
        for (int i = 0; i < epochs.size(); i++) {
            for (int j = i + 1; j < epochs.size(); j++) {
                EpochSpan a = epochs.get(i);
                EpochSpan b = epochs.get(j);
                if (a.type().equals(b.type()) && a.firstMs() <= b.lastMs() && b.firstMs() <= a.lastMs()) {
                    found.get(Kind.PARALLEL_EPOCHS).add(a.type() + ": epoch " + a.epoch() + " acked " + a.firstMs() + ".." + a.lastMs()
                            + " ms (" + a.acks() + ") and " + b.epoch() + " acked " + b.firstMs() + ".." + b.lastMs() + " ms (" + b.acks() + ")");
                }
            }
        }
        // an event is sent no later than it is first delivered: a publisher in another process stamps its sends with its own
        // reading of the clock, which a delivery recorded here may precede by a few ms
        Map<String, Long> firstDelivered = new HashMap<>();
        for (Delivery d : h.deliveries()) {
            firstDelivered.merge(d.pid(), d.atMs(), Math::min);
        }
        List<Publish> sentNoLater = new ArrayList<>(h.publishes().size());
        for (Publish p : h.publishes()) {
            Long delivered = firstDelivered.get(p.pid());
            sentNoLater.add(delivered == null || delivered >= p.sentMs() ? p : new Publish(p.pid(), p.type(), p.publisher(), p.via(),
                    p.node(), delivered, p.doneMs(), p.outcome(), p.epoch(), p.seq(), p.detail()));
        }
        realTimeOrder(sentNoLater, found.get(Kind.REORDERED));

        long bucketMs = Math.max(1000, (h.endMs() / 120 + 999) / 1000 * 1000);
        List<Bucket> availability = availability(h.publishes(), h.endMs(), bucketMs);
        long lagStepMs = Math.max(100, h.endMs() / 2000);
        Map<String, long[]> lagSeries = lagSeries(h, deliveredAt, lagStepMs);
        List<FaultLag> faultLags = faultLags(h, lagSeries, lagStepMs);
        for (Map.Entry<String, long[]> e : lagSeries.entrySet()) {
            if (e.getKey().startsWith(AT_LEAST_ONCE)) {
                continue; // a webhook's lag is reported, not judged: its sender backs off on refusals (one in twenty here)
            }
            long[] lag = e.getValue();
            for (int s = 0; s < lag.length; s++) {
                if (lag[s] > maxLagMs) {
                    found.get(Kind.STALLED).add(e.getKey() + " lagged " + lag[s] / 1000 + " s at " + s * lagStepMs / 1000 + " s");
                    break;
                }
            }
        }
        return new Result(found, h.publishes().size(), acked, refused, indeterminate, indeterminateDelivered, h.deliveries().size(),
                lostCount.size(), lostEverywhere, epochs, availability, bucketMs, lagSeries, lagStepMs, faultLags, errCodes, lostAt,
                silences(h));
    }

    /**
     * Per follower and type it follows: the longest stretch between two deliveries (or from the last one to the end)
     * in which events of that type were sent that were then acknowledged, with how many.
     */
    static List<Silence> silences(Snapshot h) {
        Map<String, List<Long>> ackTimes = new HashMap<>();
        for (Publish p : h.publishes()) {
            if (p.outcome() == Outcome.ACKED) {
                // by send time: an event sent after a follower's last delivery, had it come, would come after it
                ackTimes.computeIfAbsent(p.type(), k -> new ArrayList<>()).add(p.sentMs());
            }
        }
        ackTimes.values().forEach(list -> list.sort(null));
        Map<String, List<Long>> deliveries = new HashMap<>();
        for (Delivery d : h.deliveries()) {
            deliveries.computeIfAbsent(d.follower() + "\u0000" + d.type(), k -> new ArrayList<>()).add(d.atMs());
        }
        List<Silence> silences = new ArrayList<>();
        for (Follow f : h.follows()) {
            List<Long> acks = ackTimes.getOrDefault(f.type(), List.of());
            List<Long> times = new ArrayList<>(deliveries.getOrDefault(f.follower() + "\u0000" + f.type(), List.of()));
            times.sort(null);
            times.add(0, f.sinceMs());
            times.add(h.endMs());
            Silence longest = null;
            for (int i = 0; i + 1 < times.size(); i++) {
                long from = times.get(i);
                long to = times.get(i + 1);
                int meanwhile = countBetween(acks, from, to);
                if (meanwhile > 0 && (longest == null || to - from > longest.toMs() - longest.fromMs())) {
                    longest = new Silence(f.follower(), f.type(), from, to, meanwhile);
                }
            }
            if (longest != null) {
                silences.add(longest);
            }
        }
        silences.sort(Comparator.comparingLong((Silence x) -> x.toMs() - x.fromMs()).reversed());
        return silences;
    }

    /** How many of the sorted {@code times} lie in (from, to). */
    private static int countBetween(List<Long> times, long from, long to) {
        int lo = upperBound(times, from);
        int hi = lowerBound(times, to);
        return Math.max(0, hi - lo);
    }

    private static int upperBound(List<Long> times, long t) {
        int lo = 0;
        int hi = times.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times.get(mid) <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int lowerBound(List<Long> times, long t) {
        int lo = 0;
        int hi = times.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times.get(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static List<EpochSpan> epochSpans(List<Publish> publishes) {
        Map<String, EpochSpan> spans = new LinkedHashMap<>();
        for (Publish p : publishes) {
            if (p.outcome() != Outcome.ACKED || p.epoch() == null) {
                continue;
            }
            spans.merge(p.type() + " " + p.epoch(), new EpochSpan(p.type(), p.epoch(), p.doneMs(), p.doneMs(), 1, p.seq(), p.seq()),
                    (a, b) -> new EpochSpan(a.type(), a.epoch(), Math.min(a.firstMs(), b.firstMs()), Math.max(a.lastMs(), b.lastMs()),
                            a.acks() + b.acks(), Math.min(a.minSeq(), b.minSeq()), Math.max(a.maxSeq(), b.maxSeq())));
        }
        List<EpochSpan> list = new ArrayList<>(spans.values());
        list.sort(Comparator.comparing(EpochSpan::type).thenComparingLong(EpochSpan::firstMs));
        return list;
    }

    /** An event acknowledged before another was sent must have the lower seq (same type, same epoch). */
    static void realTimeOrder(List<Publish> publishes, Found reordered) {
        Map<String, List<Publish>> byStream = new HashMap<>();
        for (Publish p : publishes) {
            if (p.outcome() == Outcome.ACKED && p.epoch() != null) {
                byStream.computeIfAbsent(p.type() + " " + p.epoch(), k -> new ArrayList<>()).add(p);
            }
        }
        for (List<Publish> stream : byStream.values()) {
            List<Publish> byDone = new ArrayList<>(stream);
            byDone.sort(Comparator.comparingLong(Publish::doneMs));
            List<Publish> bySent = new ArrayList<>(stream);
            bySent.sort(Comparator.comparingLong(Publish::sentMs));
            int i = 0;
            Publish highest = null;
            for (Publish b : bySent) {
                while (i < byDone.size() && byDone.get(i).doneMs() < b.sentMs()) {
                    Publish a = byDone.get(i++);
                    if (highest == null || a.seq() > highest.seq()) {
                        highest = a;
                    }
                }
                if (highest != null && highest.seq() > b.seq()) {
                    reordered.add(b.type() + " " + b.epoch() + ": " + highest.pid() + " acked at " + highest.doneMs() + " ms with seq "
                            + highest.seq() + ", yet " + b.pid() + " sent at " + b.sentMs() + " ms got seq " + b.seq());
                }
            }
        }
    }

    static List<Bucket> availability(List<Publish> publishes, long endMs, long bucketMs) {
        int n = (int) (endMs / bucketMs) + 1;
        int[] attempted = new int[n];
        int[] acked = new int[n];
        int[] indeterminate = new int[n];
        for (Publish p : publishes) {
            if (p.outcome() == Outcome.ROLLED_BACK) {
                continue; // never meant to be published: not an attempt the hub could fail
            }
            int b = (int) Math.min(n - 1, Math.max(0, p.sentMs() / bucketMs));
            attempted[b]++;
            if (p.outcome() == Outcome.ACKED) {
                acked[b]++;
            } else if (p.outcome() == Outcome.INDETERMINATE) {
                indeterminate[b]++;
            }
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            buckets.add(new Bucket(b * bucketMs, attempted[b], acked[b], indeterminate[b]));
        }
        return buckets;
    }

    /**
     * Each follower's lag, sampled every {@code stepMs}: the age of the oldest event acknowledged and not yet delivered
     * to it (events it never got are the LOST finding, left out here so that one loss does not hide every later lag).
     */
    static Map<String, long[]> lagSeries(Snapshot h, Map<String, Map<String, Long>> deliveredAt, long stepMs) {
        Map<String, List<Follow>> follows = new TreeMap<>();
        for (Follow f : h.follows()) {
            follows.computeIfAbsent(f.follower(), k -> new ArrayList<>()).add(f);
        }
        int samples = (int) (h.endMs() / stepMs) + 1;
        Map<String, long[]> series = new LinkedHashMap<>();
        for (Map.Entry<String, List<Follow>> e : follows.entrySet()) {
            Map<String, Long> got = deliveredAt.getOrDefault(e.getKey(), Map.of());
            List<long[]> pending = new ArrayList<>(); // {acked at, delivered at}
            for (Publish p : h.publishes()) {
                if (p.outcome() != Outcome.ACKED) {
                    continue;
                }
                for (Follow f : e.getValue()) {
                    Long at = got.get(p.pid());
                    if (f.type().equals(p.type()) && p.sentMs() >= f.sinceMs() && at != null && at > p.doneMs()) {
                        pending.add(new long[] {p.doneMs(), at});
                    }
                }
            }
            pending.sort(Comparator.comparingLong(x -> x[0]));
            PriorityQueue<long[]> open = new PriorityQueue<>(Comparator.comparingLong(x -> x[0]));
            long[] lag = new long[samples];
            int next = 0;
            for (int s = 0; s < samples; s++) {
                long t = s * stepMs;
                while (next < pending.size() && pending.get(next)[0] <= t) {
                    open.add(pending.get(next++));
                }
                while (!open.isEmpty() && open.peek()[1] <= t) {
                    open.poll();
                }
                lag[s] = open.isEmpty() ? 0 : t - open.peek()[0];
            }
            series.put(e.getKey(), lag);
        }
        return series;
    }

    static List<FaultLag> faultLags(Snapshot h, Map<String, long[]> lagSeries, long stepMs) {
        List<Fault> faults = new ArrayList<>(h.faults());
        faults.sort(Comparator.comparingLong(Fault::startMs));
        List<FaultLag> lags = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            long from = faults.get(i).startMs();
            long to = i + 1 < faults.size() ? faults.get(i + 1).startMs() : h.endMs();
            for (Map.Entry<String, long[]> e : lagSeries.entrySet()) {
                long max = 0;
                for (int s = (int) (from / stepMs); s <= to / stepMs && s < e.getValue().length; s++) {
                    max = Math.max(max, e.getValue()[s]);
                }
                lags.add(new FaultLag(faults.get(i), e.getKey(), max));
            }
        }
        return lags;
    }

    /**
     * Keyed state at the end: for each type the soak read, every key's entry is the event with the highest seq of that
     * key in the stream's last epoch as the followers received it, and no key the stream has is missing.
     */
    static void checkState(Snapshot h, Map<Kind, Found> found) {
        Map<String, List<SoakHistory.StateEntry>> byType = new TreeMap<>();
        for (SoakHistory.StateEntry e : h.state()) {
            byType.computeIfAbsent(e.type(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<SoakHistory.StateEntry>> t : byType.entrySet()) {
            String type = t.getKey();
            String epoch = t.getValue().get(0).epoch();
            Map<String, Delivery> last = new TreeMap<>();
            for (Delivery d : h.deliveries()) {
                if (d.type().equals(type) && d.pid() != null && d.epoch().equals(epoch)) {
                    last.merge(keyOf(d.pid()), d, (a, b) -> b.seq() > a.seq() ? b : a);
                }
            }
            Map<String, SoakHistory.StateEntry> entries = new TreeMap<>();
            for (SoakHistory.StateEntry e : t.getValue()) {
                if (entries.put(e.key(), e) != null) {
                    found.get(Kind.STATE).add(type + " key " + e.key() + " answered twice");
                }
            }
            for (Map.Entry<String, Delivery> expected : last.entrySet()) {
                SoakHistory.StateEntry entry = entries.get(expected.getKey());
                Delivery d = expected.getValue();
                if (entry == null) {
                    found.get(Kind.STATE).add(type + " key " + expected.getKey() + " missing; its last event is " + d.pid() + " at seq " + d.seq());
                } else if (entry.seq() != d.seq() || !d.pid().equals(entry.pid())) {
                    found.get(Kind.STATE).add(type + " key " + expected.getKey() + " holds " + entry.pid() + " at seq " + entry.seq()
                            + "; its last event is " + d.pid() + " at seq " + d.seq());
                }
            }
            for (String key : entries.keySet()) {
                if (!last.containsKey(key)) {
                    found.get(Kind.STATE).add(type + " key " + key + " holds " + entries.get(key).pid() + ", which no follower got in epoch " + epoch);
                }
            }
        }
    }

}
