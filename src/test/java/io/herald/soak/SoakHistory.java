package io.herald.soak;

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
        INDETERMINATE
    }

    /** One event sent by a publisher ({@code via}: "http", "batch", "bus"); {@code epoch}/{@code seq} from the ack. */
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

    /** An immutable copy for the checker. */
    public record Snapshot(List<Publish> publishes, List<Delivery> deliveries, List<Err> errs, List<Follow> follows,
                           List<Fault> faults, List<Note> notes, long endMs) {
    }

    private final long startNanos = System.nanoTime();
    private final AtomicLong ord = new AtomicLong();
    private final List<Publish> publishes = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Err> errs = new ArrayList<>();
    private final List<Follow> follows = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();

    public long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
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

    public synchronized int deliveryCount() {
        return deliveries.size();
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(publishes), List.copyOf(deliveries), List.copyOf(errs), List.copyOf(follows),
                List.copyOf(faults), List.copyOf(notes), now());
    }
}
