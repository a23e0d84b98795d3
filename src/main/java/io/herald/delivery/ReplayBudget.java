package io.herald.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The node-wide bound on replay bytes held in memory ({@code delivery.maxReplayBytesInFlight}): a replay takes
 * a page's worth before it reads the page from history and gives it back once the page has left the node for
 * its socket. Replays past the bound wait their turn in arrival order (never refused); a replay that finishes a
 * page and wants the next goes to the back of the line, so the bound is shared fairly. One page is always let
 * through when nothing is in flight, however large. Shared by every event loop of the node (thread-safe): a
 * grant runs on the thread that made room, and the replay moves to its own event loop from there.
 */
public final class ReplayBudget {
    private final long max;
    private long inFlight;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    private record Waiter(long bytes, Runnable granted) {
    }

    public ReplayBudget(long maxBytesInFlight) {
        if (maxBytesInFlight < 1) {
            throw new IllegalArgumentException("maxBytesInFlight must be positive");
        }
        this.max = maxBytesInFlight;
    }

    /** Takes {@code bytes} and runs {@code granted}: at once, on this thread, when nothing waits and they fit; else when their turn comes. */
    public void acquire(long bytes, Runnable granted) {
        synchronized (this) {
            if (!waiting.isEmpty() || !fits(bytes)) {
                waiting.add(new Waiter(bytes, granted));
                return;
            }
            inFlight += bytes;
        }
        granted.run();
    }

    /** A page turned out larger (or smaller) than what was taken for it: counts the difference, which may pass the bound by one page. */
    public void adjust(long delta) {
        if (delta < 0) {
            release(-delta);
        } else {
            synchronized (this) {
                inFlight += delta;
            }
        }
    }

    /** Gives bytes back and lets in the replays waiting at the front that now fit. */
    public void release(long bytes) {
        List<Runnable> granted = new ArrayList<>(2);
        synchronized (this) {
            inFlight = Math.max(0, inFlight - bytes);
            while (!waiting.isEmpty() && fits(waiting.peek().bytes())) {
                Waiter next = waiting.poll();
                inFlight += next.bytes();
                granted.add(next.granted());
            }
        }
        granted.forEach(Runnable::run);
    }

    private boolean fits(long bytes) {
        return inFlight == 0 || inFlight + bytes <= max;
    }

    /** Replay bytes read from history (or held back live) and not yet drained to their sockets. */
    public synchronized long inFlight() {
        return inFlight;
    }

    /** Replays waiting for room. */
    public synchronized int waiting() {
        return waiting.size();
    }

    public long max() {
        return max;
    }
}
