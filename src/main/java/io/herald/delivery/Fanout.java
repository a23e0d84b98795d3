package io.herald.delivery;

import io.herald.catalog.EventCatalog;
import io.herald.delivery.filter.EventFilter;
import io.herald.event.BusEvent;
import io.herald.history.EventLog;
import io.herald.Counters;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;

/**
 * One bridge's subscriptions by event type. Each type with at least one local subscriber has a
 * {@link TypeStream} (one clustered bus consumer, ordering and recovery); an event it releases is
 * framed and encoded once ({@link SharedFrame}) and written to every subscriber whose rules accept it.
 * Writes are flushed by a task queued behind the events already waiting on the event loop, so a socket
 * that is behind gets several events in one system call; with {@code bridge.writeDelayMs} set, by the
 * loop's one timer at the end of the window ({@link WriteCoalescer}).
 */
public final class Fanout {
    private final Context context;
    private final EventCatalog catalog;
    private final EventLog log;
    private final Counters stats;
    private final TypeStream.DeliveryOptions options;
    /** Vert.x's timers; a hand-moved clock in unit tests. */
    final Timers timers;
    private final Map<String, TypeStream> streams = new HashMap<>();
    /** Numbers the events that met a filter on this loop, so a filter group knows its verdict is for the event at hand. */
    private long filteredEvents;
    /** When the sockets written to are flushed: after the queued events, or within {@code bridge.writeDelayMs}. */
    private final WriteCoalescer writes;

    public Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options) {
        this(context, catalog, log, stats, options, Timers.of(context.owner()));
    }

    /** {@code writeDelayMs}: the write-coalescing window of this event loop ({@code bridge.writeDelayMs}; 0: off). */
    public Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options, long writeDelayMs) {
        this(context, catalog, log, stats, options, Timers.of(context.owner()), writeDelayMs);
    }

    Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options, Timers timers) {
        this(context, catalog, log, stats, options, timers, 0);
    }

    Fanout(Context context, EventCatalog catalog, EventLog log, Counters stats, TypeStream.DeliveryOptions options, Timers timers,
           long writeDelayMs) {
        this.timers = timers;
        this.writes = new WriteCoalescer(new WriteCoalescer.Loop() {
            @Override
            public void runSoon(Runnable task) {
                context.runOnContext(v -> task.run());
            }

            @Override
            public void runAfter(long delayMs, Runnable task) {
                timers.setTimer(delayMs, task);
            }
        }, writeDelayMs);
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

    /**
     * A second register of the type without {@code since}: the subscription keeps its place in the stream (live, or
     * the rest of its replay) and filters with {@code filter} (null: none) from the next event on.
     */
    public void refilter(String type, Subscription subscription, EventFilter filter) {
        TypeStream stream = streams.get(type);
        if (stream == null) {
            subscription.filter = filter;
            return;
        }
        stream.refilter(subscription, filter);
    }

    /** The stream of a type on this loop, or null (the unit tests read it). */
    TypeStream stream(String type) {
        return streams.get(type);
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

    /** Writes one event to one subscriber (recovery) with a frame shared by the replays ({@link ReplayCache}), which it keeps. */
    long deliverTo(String type, Subscription subscription, BusEvent event, SharedFrame frame) {
        if (subscription.group != null) {
            return deliverTo(type, subscription, event); // its filter decides, as for any delivery
        }
        writes.startEvent();
        boolean delivered = subscription.accepts(event) && write(subscription.connection, frame);
        stats.delivered(delivered ? 1 : 0);
        stats.framesOut(delivered ? 1 : 0, delivered ? frame.bytes() : 0);
        return delivered ? frame.bytes() : 0;
    }

    /**
     * Answers the bytes written to each member. A filtered member's filter is evaluated once per event for all the
     * members with the same filter ({@link FilterGroup}), on the envelope parsed at most once ({@link EventFilter.Input},
     * made when the first filtered member that the rules accept is reached); an unfiltered member costs a null check.
     */
    private long writeToMembers(String type, Subscription[] members, BusEvent event) {
        SharedFrame frame = new SharedFrame(BridgeFrames.rec(type, event.envelope()));
        writes.startEvent();
        long bytes = frame.bytes();
        int delivered = 0;
        EventFilter.Input input = null;
        long number = 0;
        try {
            for (Subscription subscription : members) {
                if (!subscription.accepts(event)) {
                    continue;
                }
                FilterGroup group = subscription.group;
                if (group != null) {
                    if (input == null) {
                        input = new EventFilter.Input(type, event.envelope());
                        number = ++filteredEvents;
                    }
                    if (!group.matches(input, number)) {
                        continue;
                    }
                }
                if (write(subscription.connection, frame)) {
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

    /** Writes the frame now or within the write window ({@link WriteCoalescer}); false when the socket was not written to. */
    private boolean write(Connection connection, SharedFrame frame) {
        return writes.write(connection, frame);
    }

    /** Flushes what the sockets hold at once (node shutdown: their last events go before the close frames). */
    public void flushAll() {
        writes.flushAll();
    }
}
