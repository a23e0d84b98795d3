package io.herald.event;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way events enter the hub, whoever publishes them: checks the type against the catalog,
 * numbers the event in the {@link EventLog}, encodes the envelope once and publishes it on the bus at
 * the address of its type, where every node's bridge picks it up.
 */
public final class EventPublisher {
    private final EventBus bus;
    private final EventCatalog catalog;
    private final EventLog log;
    private final NodeStats stats;

    public EventPublisher(EventBus bus, EventCatalog catalog, EventLog log, NodeStats stats) {
        this.bus = bus;
        this.catalog = catalog;
        this.log = log;
        this.stats = stats;
    }

    /** Refuses what cannot be published; called before anything is logged, so a bad batch costs nothing. */
    public void validate(PublishRequest request) {
        if (!catalog.contains(request.type())) {
            throw new HeraldException(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type '" + request.type() + "'");
        }
    }

    public Future<Published> publish(PublishRequest request) {
        try {
            validate(request);
        } catch (HeraldException e) {
            return Future.failedFuture(e);
        }
        String id = newId();
        long ts = System.currentTimeMillis();
        JsonObject record = Envelope.of(id, request.type(), ts, null, request.data(), request.userId(), request.storeId());
        if (request.target() != null) {
            record.put("target", request.target().toJson());
        }
        String ownerField = catalog.namespaceOf(request.type()).ownerField();
        Object owner = ownerField == null ? null : request.data().getValue(ownerField);
        return log.append(request.type(), record).map(seq -> {
            String envelope = Envelope.of(id, request.type(), ts, seq, request.data(), request.userId(), request.storeId()).encode();
            bus.publish(request.type(), new BusEvent(request.type(), envelope, owner == null ? null : owner.toString(), request.target()));
            stats.published();
            return new Published(id, seq);
        });
    }

    /** A random (version 4) UUID without SecureRandom's lock: ids must be unique, not unguessable. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
