package io.herald.bridge;

import io.herald.catalog.EventCatalog;
import io.herald.event.BusEvent;
import io.herald.history.EventLog;
import io.herald.stats.NodeStats;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One bridge's subscriptions by event type. Each type with at least one local subscriber has a
 * {@link TypeStream} (one clustered bus consumer, ordering and recovery); an event it releases is
 * framed and encoded once ({@link SharedFrame}) and written to every subscriber whose rules accept it.
 * Writes are flushed by a task queued behind the events already waiting on the event loop, so a socket
 * that is behind gets several events in one system call.
 */
final class Fanout {
    private final Context context;
    private final EventCatalog catalog;
    private final EventLog log;
    private final NodeStats stats;
    private final TypeStream.DeliveryOptions options;
    private final Map<String, TypeStream> streams = new HashMap<>();
    /** Sockets written to since the last flush. */
    private final List<ClientSocket> unflushed = new ArrayList<>();

    Fanout(Context context, EventCatalog catalog, EventLog log, NodeStats stats, TypeStream.DeliveryOptions options) {
        this.context = context;
        this.catalog = catalog;
        this.log = log;
        this.stats = stats;
        this.options = options;
    }

    /** Completes when the subscriber is sure to get every event published from now on. */
    Future<Void> subscribe(String type, Subscription subscription, RegisterFrame.Resume resume) {
        stats.subscriptionsChanged(1);
        TypeStream stream = streams.computeIfAbsent(type, t -> new TypeStream(t, catalog.namespaceOf(t).ownerField(), context.owner(), log, this, stats, options));
        if (stream.lingerTimer >= 0) {
            context.owner().cancelTimer(stream.lingerTimer);
            stream.lingerTimer = -1;
        }
        return stream.subscribe(subscription, resume);
    }

    void unsubscribe(String type, Subscription subscription) {
        TypeStream stream = streams.get(type);
        if (stream == null) {
            return;
        }
        stream.unsubscribe(subscription);
        stats.subscriptionsChanged(-1);
        if (stream.isEmpty() && stream.lingerTimer < 0) {
            stream.lingerTimer = context.owner().setTimer(options.lingerMs(), id -> {
                stream.lingerTimer = -1;
                if (stream.isEmpty()) {
                    stream.close();
                    streams.remove(type);
                }
            });
        }
    }

    /** Writes one event to the members that accept it: encoded once, whatever their number. */
    void deliver(String type, Subscription[] members, BusEvent event) {
        if (members.length == 0) {
            return;
        }
        SharedFrame frame = new SharedFrame(BridgeFrames.rec(type, event.envelope()));
        int delivered = 0;
        try {
            for (Subscription subscription : members) {
                if (subscription.accepts(event)) {
                    write(subscription.connection.socket, frame);
                    delivered++;
                }
            }
        } finally {
            frame.release();
        }
        stats.delivered(delivered);
    }

    /** Writes one event to one subscriber (recovery), if its rules accept it. */
    void deliverTo(String type, Subscription subscription, BusEvent event) {
        deliver(type, new Subscription[] {subscription}, event);
    }

    private void write(ClientSocket socket, SharedFrame frame) {
        if (socket.deliver(frame)) {
            if (unflushed.isEmpty()) {
                // flush after whatever events are queued on this event loop already, so they share the writes
                context.runOnContext(v -> flushAll());
            }
            unflushed.add(socket);
        }
    }

    private void flushAll() {
        for (ClientSocket socket : unflushed) {
            socket.flush();
        }
        unflushed.clear();
    }
}
