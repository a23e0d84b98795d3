package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.log.LogLimiter;
import io.herald.log.LogText;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * When the event frames written to the sockets of one event loop are flushed. A socket may hold what it is
 * given ({@link ClientSocket#deliver}) until {@link ClientSocket#flush()}; this class remembers the sockets
 * that hold something and flushes them all at once: right after the events already queued on the loop
 * (window 0, the default), or {@code bridge.writeDelayMs} after the first held write (one timer per event
 * loop, never one per socket), so that what reaches one socket within the window leaves in one write. What a
 * socket holds counts against its outbound bound: a socket over it is flushed, and closed as a slow consumer
 * when it is still over. Touched only on its event loop.
 */
public final class WriteCoalescer {
    private static final Logger LOG = Logger.getLogger(WriteCoalescer.class.getName());
    /** Write and flush failures come by the thousand when they come: one line per kind every few seconds. */
    private static final LogLimiter NOTABLE = new LogLimiter(LOG);

    /** The event loop, as the coalescer needs it (a fake one in unit tests). */
    public interface Loop {
        /** Runs the task after what is queued on the loop already. */
        void runSoon(Runnable task);

        /** Runs the task once, {@code delayMs} from now, on the loop. */
        void runAfter(long delayMs, Runnable task);

        /** The loop's clock, in nanoseconds. */
        default long nanoTime() {
            return System.nanoTime();
        }
    }

    /**
     * Events released on one event loop closer together than this (500 a second and more) tend to reach a socket
     * several per flush, so their frames wait for it and share one write; one that comes after a longer pause may go at
     * once ({@link ClientSocket#deliver(SharedFrame, boolean)}). At 200 sockets × 1,000 events/s, frames written at
     * once cost 5.7 µs per delivery against 3.0 µs shared (the bench's {@code coalesce} scenario, window 0).
     */
    public static final long ALONE_AFTER_NANOS = 2_000_000;

    private final Loop loop;
    private final long delayMs;
    /** When the last event was released here, and whether the one being written came alone. */
    private long lastEventNanos;
    private boolean alone;
    /** Sockets written to since the last flush. */
    private final List<ClientSocket> unflushed = new ArrayList<>();

    public WriteCoalescer(Loop loop, long delayMs) {
        this.loop = loop;
        this.delayMs = delayMs;
        this.lastEventNanos = loop.nanoTime() - ALONE_AFTER_NANOS;
    }

    /** The window, in ms (0: flush after the events already queued). */
    public long delayMs() {
        return delayMs;
    }

    /** An event is about to be written to its sockets: whether it came alone is judged once, for all of them. */
    public void startEvent() {
        long now = loop.nanoTime();
        alone = delayMs <= 0 && now - lastEventNanos >= ALONE_AFTER_NANOS;
        lastEventNanos = now;
    }

    /**
     * Writes the frame unless the socket is a slow consumer (closed instead: nothing more piles up for
     * it). A socket that fails is closed; the others are not disturbed. Answers whether it was written.
     */
    public boolean write(Connection connection, SharedFrame frame) {
        ClientSocket socket = connection.socket;
        if (connection.closedFor() != null) {
            return false;
        }
        try {
            if (socket.overloaded()) {
                // what it holds counts against the bound until it is flushed: flush before judging
                socket.flush();
            }
            if (socket.overloaded()) {
                LOG.info("closing a slow consumer (" + LogText.escape(connection.principal().userId()) + " at " + connection.remoteAddress() + ")");
                connection.close(CloseReason.SLOW_CONSUMER, "more than the outbound bound waited for this connection");
                return false;
            }
            if (socket.deliver(frame, alone)) {
                if (unflushed.isEmpty()) {
                    if (delayMs <= 0) {
                        // flush after whatever events are queued on this event loop already, so they share the writes
                        loop.runSoon(this::flushAll);
                    } else {
                        // the one timer of this event loop: every socket written to within the window is flushed by it
                        loop.runAfter(delayMs, this::flushAll);
                    }
                }
                unflushed.add(socket);
            }
            return true;
        } catch (RuntimeException e) {
            NOTABLE.warning("write-failed", "writing to a socket failed; closing it", e);
            connection.close(CloseReason.INTERNAL_ERROR, "the hub could not write to this connection");
            return false;
        }
    }

    /**
     * Writes one frame that is the same for every connection (a room signal) to each of {@code to} but {@code except},
     * encoded once ({@link SharedFrame}) as an event is; answers how many were written.
     */
    public int writeOnce(String frameText, Connection[] to, Connection except) {
        SharedFrame frame = new SharedFrame(frameText);
        startEvent();
        int written = 0;
        try {
            for (Connection connection : to) {
                if (connection != except && write(connection, frame)) {
                    written++;
                }
            }
        } finally {
            frame.release();
        }
        return written;
    }

    /** Sockets holding writes not yet flushed (for tests and stats). */
    public int holding() {
        return unflushed.size();
    }

    /** Flushes every socket written to since the last flush (the timer's task; also at shutdown). */
    public void flushAll() {
        if (unflushed.isEmpty()) {
            return;
        }
        ClientSocket[] sockets = unflushed.toArray(new ClientSocket[0]);
        unflushed.clear();
        for (ClientSocket socket : sockets) {
            try {
                socket.flush();
            } catch (RuntimeException e) {
                NOTABLE.warning("flush-failed", "flushing a socket failed", e);
            }
        }
    }
}
