package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.catalog.EventCatalog;
import io.herald.event.BusEvent;
import io.herald.history.EventLog;
import io.herald.log.LogLimiter;
import io.herald.log.LogText;
import io.herald.Counters;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One bridge's subscriptions by event type. Each type with at least one local subscriber has a
 * {@link TypeStream} (one clustered bus consumer, ordering and recovery); an event it releases is
 * framed and encoded once ({@link SharedFrame}) and written to every subscriber whose rules accept it.
 * Writes are flushed by a task queued behind the events already waiting on the event loop, so a socket
 * that is behind gets several events in one system call.
 */
public final class Fanout {
    private static final Logger LOG = Logger.getLogger(Fanout.class.getName());
    /** Write and flush failures come by the thousand when they come: one line per kind every few seconds. */
    private static final LogLimiter NOTABLE = new LogLimiter(LOG);
    private final Context context;
    private final EventCatalog catalog;
    private final EventLog log;
    private final Counters stats;
    private final TypeStream.DeliveryOptions options;
    /** Vert.x's timers; a hand-moved clock in unit tests. */
    final Timers timers;
    private final Map<String, TypeStream> streams = new HashMap<>();
    /** Sockets written to since the last flush. */
    private final List<ClientSocket> unflushed = new ArrayList<>();

    public Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options) {
        this(context, catalog, log, stats, options, Timers.of(context.owner()));
    }

    Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options, Timers timers) {
        this.timers = timers;
        this.context = context;
        this.catalog = catalog;
        this.log = log;
        this.stats = stats;
        this.options = options;
    }

    /** Completes when the subscriber is sure to get every event published from now on. */
    public Future<Void> subscribe(String type, Subscription subscription, RegisterFrame.Resume resume) {
        stats.subscribed(type, catalog.namespaceOf(type).name(), 1);
        TypeStream stream = streams.computeIfAbsent(type, t -> new TypeStream(t, catalog.namespaceOf(t).ownerField(), context.owner(), log, this, stats, options));
        if (stream.lingerTimer >= 0) {
            timers.cancelTimer(stream.lingerTimer);
            stream.lingerTimer = -1;
        }
        return stream.subscribe(subscription, resume);
    }

    public void unsubscribe(String type, Subscription subscription) {
        TypeStream stream = streams.get(type);
        if (stream == null) {
            return;
        }
        stream.unsubscribe(subscription);
        stats.subscribed(type, catalog.namespaceOf(type).name(), -1);
        if (stream.isEmpty() && stream.lingerTimer < 0) {
            stream.lingerTimer = timers.setTimer(options.lingerMs(), () -> {
                stream.lingerTimer = -1;
                if (stream.isEmpty()) {
                    stream.close();
                    streams.remove(type);
                }
            });
        }
    }

    /** Drops every stream and its subscribers at once (node shutdown): no per-subscriber work. */
    public void closeAll() {
        streams.forEach((type, stream) -> {
            stats.subscribed(type, catalog.namespaceOf(type).name(), -stream.dropAll());
            if (stream.lingerTimer >= 0) {
                timers.cancelTimer(stream.lingerTimer);
            }
            stream.close();
        });
        streams.clear();
    }

    /** Writes one live event to the members that accept it: encoded once, whatever their number. */
    void deliver(String type, Subscription[] members, BusEvent event) {
        if (members.length == 0) {
            return;
        }
        stats.deliveryLatency(System.currentTimeMillis() - event.ts());
        writeToMembers(type, members, event);
    }

    /** Writes one event to one subscriber (recovery), if its rules accept it; answers the bytes written. */
    long deliverTo(String type, Subscription subscription, BusEvent event) {
        return writeToMembers(type, new Subscription[] {subscription}, event);
    }

    /** Answers the bytes written to each member. */
    private long writeToMembers(String type, Subscription[] members, BusEvent event) {
        SharedFrame frame = new SharedFrame(BridgeFrames.rec(type, event.envelope()));
        long bytes = frame.bytes();
        int delivered = 0;
        try {
            for (Subscription subscription : members) {
                if (subscription.accepts(event) && write(subscription.connection, frame)) {
                    delivered++;
                }
            }
        } finally {
            frame.release();
        }
        stats.delivered(delivered);
        stats.framesOut(delivered, delivered * bytes);
        return delivered > 0 ? bytes : 0;
    }

    /**
     * Writes the frame unless the socket is a slow consumer (closed instead: nothing more piles up for
     * it). A socket that fails is closed; the others are not disturbed.
     */
    private boolean write(Connection connection, SharedFrame frame) {
        ClientSocket socket = connection.socket;
        if (connection.closedFor() != null) {
            return false;
        }
        try {
            if (socket.overloaded()) {
                // what this turn wrote counts against the bound until it is flushed: flush before judging
                socket.flush();
            }
            if (socket.overloaded()) {
                LOG.info("closing a slow consumer (" + LogText.escape(connection.principal().userId()) + " at " + connection.remoteAddress() + ")");
                connection.close(CloseReason.SLOW_CONSUMER, "more than the outbound bound waited for this connection");
                return false;
            }
            if (socket.deliver(frame)) {
                if (unflushed.isEmpty()) {
                    // flush after whatever events are queued on this event loop already, so they share the writes
                    context.runOnContext(v -> flushAll());
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

    private void flushAll() {
        for (ClientSocket socket : unflushed) {
            try {
                socket.flush();
            } catch (RuntimeException e) {
                NOTABLE.warning("flush-failed", "flushing a socket failed", e);
            }
        }
        unflushed.clear();
    }
}
