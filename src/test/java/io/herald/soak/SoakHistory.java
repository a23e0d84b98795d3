package io.herald.soak;

import io.vertx.core.json.JsonObject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything a soak observed, as the checker reads it: each publish attempt with its outcome, each event a follower
 * received, each {@code err} a follower got, what each follower follows since when, and the faults. Times are
 * milliseconds since the soak's start (one monotonic clock, this JVM's). Follower-side records also carry a global
 * order number, so that "an err between two deliveries" is exact, not a matter of equal milliseconds.
 * Thread-safe; {@link #snapshot()} copies it for the checker.
 */
public final class SoakHistory {
    /** What a publisher learnt of one event it sent. */
    public enum Outcome {
        /** Acknowledged (202, or the HeraldClient's reply): must reach every follower exactly once. */
        ACKED,
        /** Definitely not published (connection refused before anything was sent, 4xx): must reach no one. */
        REFUSED,
        /** Sent but no clear answer (timeout, reset, 5xx): may or may not appear; counted apart. */
        INDETERMINATE,
        /** An outbox row whose transaction rolled back: must reach no one (the checker's PHANTOM). */
        ROLLED_BACK
    }

    /**
     * One event sent by a publisher ({@code via}: "http", "batch", "bus", "outbox"); {@code epoch}/{@code seq} from the ack
     * (an outbox row committed is acked without them: null, 0).
     */
    public record Publish(String pid, String type, String publisher, String via, int node, long sentMs, long doneMs,
                          Outcome outcome, String epoch, long seq, String detail) {
    }

    /** One event a follower received ({@code pid} from data, null if the event carried none). */
    public record Delivery(String follower, String type, String pid, String epoch, long seq, long atMs, int node, long ord) {
    }

    /** An err frame a follower received on a type ({@code code}: failureType, e.g. recovery_incomplete). */
    public record Err(String follower, String type, String code, long atMs, int node, long ord) {
    }

    /** From {@code sinceMs} on, {@code follower} follows {@code type} (registered, and kept following it across moves). */
    public record Follow(String follower, String type, long sinceMs) {
    }

    /** A fault done to {@code node} (-1: the whole cluster) from {@code startMs} to {@code endMs}. */
    public record Fault(String kind, int node, long startMs, long endMs, String detail) {
    }

    /** A free-text line for the report's log (connects, closes, fault steps). */
    public record Note(long atMs, String text) {
    }

    /** One entry of a type's keyed state as a node answered it at the end ({@code pid} from the entry's data). */
    public record StateEntry(String type, String key, String pid, String epoch, long seq) {
    }

    /** An immutable copy for the checker. */
    public record Snapshot(List<Publish> publishes, List<Delivery> deliveries, List<Err> errs, List<Follow> follows,
                           List<Fault> faults, List<Note> notes, long endMs, List<StateEntry> state) {
        public Snapshot(List<Publish> publishes, List<Delivery> deliveries, List<Err> errs, List<Follow> follows,
                        List<Fault> faults, List<Note> notes, long endMs) {
            this(publishes, deliveries, errs, follows, faults, notes, endMs, List.of());
        }
    }

    /** Writes a snapshot as JSON lines (one record a line, "k" says which), for {@link #read} and SoakReplay. */
    public static void write(Snapshot s, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write(new JsonObject().put("k", "end").put("endMs", s.endMs()).encode() + "\n");
            for (Publish p : s.publishes()) {
                out.write(JsonObject.mapFrom(p).put("k", "publish").encode() + "\n");
            }
            for (Delivery d : s.deliveries()) {
                out.write(JsonObject.mapFrom(d).put("k", "delivery").encode() + "\n");
            }
            for (Err e : s.errs()) {
                out.write(JsonObject.mapFrom(e).put("k", "err").encode() + "\n");
            }
            for (Follow f : s.follows()) {
                out.write(JsonObject.mapFrom(f).put("k", "follow").encode() + "\n");
            }
            for (Fault f : s.faults()) {
                out.write(JsonObject.mapFrom(f).put("k", "fault").encode() + "\n");
            }
            for (Note n : s.notes()) {
                out.write(JsonObject.mapFrom(n).put("k", "note").encode() + "\n");
            }
            for (StateEntry e : s.state()) {
                out.write(JsonObject.mapFrom(e).put("k", "state").encode() + "\n");
            }
        }
    }

    public static Snapshot read(Path file) throws IOException {
        List<Publish> publishes = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();
        List<Err> errs = new ArrayList<>();
        List<Follow> follows = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        List<StateEntry> state = new ArrayList<>();
        long endMs = 0;
        for (String line : Files.readAllLines(file)) {
            JsonObject j = new JsonObject(line);
            String k = (String) j.remove("k");
            switch (k) {
                case "end" -> endMs = j.getLong("endMs");
                case "publish" -> publishes.add(j.mapTo(Publish.class));
                case "delivery" -> deliveries.add(j.mapTo(Delivery.class));
                case "err" -> errs.add(j.mapTo(Err.class));
                case "follow" -> follows.add(j.mapTo(Follow.class));
                case "fault" -> faults.add(j.mapTo(Fault.class));
                case "note" -> notes.add(j.mapTo(Note.class));
                case "state" -> state.add(j.mapTo(StateEntry.class));
                default -> throw new IOException("unknown record " + line);
            }
        }
        return new Snapshot(publishes, deliveries, errs, follows, faults, notes, endMs, state);
    }

    private final long startNanos = System.nanoTime();
    private final AtomicLong ord = new AtomicLong();
    private final List<Publish> publishes = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Err> errs = new ArrayList<>();
    private final List<Follow> follows = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();
    private final List<StateEntry> state = new ArrayList<>();

    public long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * A {@code System.nanoTime()} of another JVM on this machine on this history's clock: Linux JVMs read the system-wide
     * monotonic clock. (It was the wall clock, which drifted 27 ms from the monotonic one over the 30-minute soak of
     * seed 2027: a bus publish delivered at 2,012,173 ms was "sent" at 2,012,200, after an event acknowledged before it,
     * and the checker reported a false reorder.)
     */
    public long fromNanos(long nanos) {
        return (nanos - startNanos) / 1_000_000;
    }

    public synchronized void publish(Publish p) {
        publishes.add(p);
    }

    public synchronized void delivery(String follower, String type, String pid, String epoch, long seq, int node) {
        deliveries.add(new Delivery(follower, type, pid, epoch, seq, now(), node, ord.incrementAndGet()));
    }

    public synchronized void err(String follower, String type, String code, int node) {
        errs.add(new Err(follower, type, code, now(), node, ord.incrementAndGet()));
    }

    public synchronized void follow(String follower, String type) {
        follows.add(new Follow(follower, type, now()));
    }

    public synchronized void fault(Fault f) {
        faults.add(f);
    }

    public synchronized void note(String text) {
        notes.add(new Note(now(), text));
    }

    public synchronized void state(StateEntry entry) {
        state.add(entry);
    }

    public synchronized int followCount() {
        return follows.size();
    }

    public synchronized int deliveryCount() {
        return deliveries.size();
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(publishes), List.copyOf(deliveries), List.copyOf(errs), List.copyOf(follows),
                List.copyOf(faults), List.copyOf(notes), now(), List.copyOf(state));
    }
}
