package io.herald.bridge;

import io.herald.event.BusEvent;
import io.herald.stats.NodeStats;
import io.vertx.core.Context;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One bridge's subscriptions by event type. Each type with at least one local subscriber has one
 * clustered bus consumer; an event arriving on it is framed and encoded once ({@link SharedFrame}) and
 * written to every subscriber whose rules accept it. Subscribers are kept in an array rebuilt on
 * (rare) register and unregister, so the
 * (frequent) delivery loop allocates nothing and is safe against sockets closing while it runs.
 */
final class Fanout {
    private static final Logger LOG = Logger.getLogger(Fanout.class.getName());
    private static final Subscription[] NONE = new Subscription[0];

    private final Context context;
    private final NodeStats stats;
    private final Map<String, Subscribers> byType = new HashMap<>();
    /** Sockets written to since the last flush; flushed by a task queued behind the pending events. */
    private final List<ClientSocket> unflushed = new ArrayList<>();

    private static final class Subscribers {
        MessageConsumer<Object> consumer;
        Subscription[] members = NONE;
    }

    Fanout(Context context, NodeStats stats) {
        this.context = context;
        this.stats = stats;
    }

    void add(String type, Subscription subscription) {
        Subscribers subscribers = byType.computeIfAbsent(type, this::listen);
        Subscription[] grown = Arrays.copyOf(subscribers.members, subscribers.members.length + 1);
        grown[grown.length - 1] = subscription;
        subscribers.members = grown;
        stats.subscriptionsChanged(1);
    }

    void remove(String type, Subscription subscription) {
        Subscribers subscribers = byType.get(type);
        if (subscribers == null) {
            return;
        }
        Subscription[] members = subscribers.members;
        int index = Arrays.asList(members).indexOf(subscription);
        if (index < 0) {
            return;
        }
        Subscription[] shrunk = new Subscription[members.length - 1];
        System.arraycopy(members, 0, shrunk, 0, index);
        System.arraycopy(members, index + 1, shrunk, index, members.length - index - 1);
        subscribers.members = shrunk;
        stats.subscriptionsChanged(-1);
        if (shrunk.length == 0) {
            subscribers.consumer.unregister();
            byType.remove(type);
        }
    }

    private Subscribers listen(String type) {
        Subscribers subscribers = new Subscribers();
        subscribers.consumer = context.owner().eventBus().consumer(type, message -> {
            if (message.body() instanceof BusEvent event) {
                deliver(subscribers.members, event);
            } else {
                LOG.warning("Dropped a message on " + type + " that was not published through Herald (use HeraldClient or POST /api/events)");
            }
        });
        return subscribers;
    }

    private void deliver(Subscription[] members, BusEvent event) {
        SharedFrame frame = new SharedFrame(BridgeFrames.rec(event.type(), event.envelope()));
        boolean flushScheduled = !unflushed.isEmpty();
        int delivered = 0;
        try {
            for (Subscription subscription : members) {
                if (subscription.accepts(event)) {
                    ClientSocket socket = subscription.connection().socket;
                    if (socket.deliver(frame)) {
                        unflushed.add(socket);
                    }
                    delivered++;
                }
            }
        } finally {
            frame.release();
        }
        if (!flushScheduled && !unflushed.isEmpty()) {
            // flush after whatever events are queued on this event loop already, so they share the writes
            context.runOnContext(v -> flushAll());
        }
        stats.delivered(delivered);
    }

    private void flushAll() {
        for (ClientSocket socket : unflushed) {
            socket.flush();
        }
        unflushed.clear();
    }
}
