package io.herald.delivery;

import io.herald.Addresses;
import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.delivery.TypeStreamTest.RecordingSocket;
import io.herald.delivery.filter.EventFilter;
import io.herald.event.BusEvent;
import io.herald.event.EventBatch;
import io.herald.event.EventRecord;
import io.herald.history.LocalEventLog;
import io.herald.stats.NodeStats;
import io.herald.testing.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Filters in delivery, on a real (local) event bus and in-memory history: subscribers with the same filter share one
 * evaluation per event, live and replayed events are filtered alike, a filter narrows what ownership allows and never
 * widens it, and a second register's filter applies from the next event without losing the subscription's place.
 */
class FilteredDeliveryTest {
    static final String TYPE = "order:created";
    static final EventCatalog CATALOG = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));

    Vertx vertx;
    Context context;
    LocalEventLog log;
    Fanout fanout;

    @BeforeEach
    void setUp() {
        vertx = DeliveryFakes.busVertx();
        context = vertx.getOrCreateContext();
        log = new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0));
        fanout = new Fanout(context, CATALOG, log, new NodeStats("test"), new TypeStream.DeliveryOptions(500, 200, 1000, 1000));
    }

    @AfterEach
    void tearDown() {
        vertx.close().await();
    }

    <T> T onContext(Supplier<Future<T>> action) {
        return DeliveryFakes.onContext(context, action);
    }

    static EventFilter store(String storeId) {
        return EventFilter.parse("{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"" + storeId + "\"}");
    }

    Subscription subscribe(RecordingSocket socket, String user, String role, Access access, EventFilter filter, RegisterFrame.Resume resume) {
        Subscription subscription = new Subscription(new Connection(socket, new Principal(user, role, null, Set.of())), access, filter);
        onContext(() -> fanout.subscribe(TYPE, subscription, resume));
        return subscription;
    }

    /** Appends events of these stores (customer c-&lt;i&gt;, store as given) to history, as a publisher would. */
    List<BusEvent> appended(String... stores) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < stores.length; i++) {
            records.add(EventRecord.encode("id-" + i, 1L, new JsonObject().put("customerId", "c-" + i).put("total", 10 * i).encode(),
                    null, stores[i], null));
        }
        return DeliveryFakes.appended(log, TYPE, records, "customerId");
    }

    void busBrings(List<BusEvent> events) {
        String epoch = log.position(TYPE).await().epoch();
        vertx.eventBus().publish(Addresses.delivery(TYPE), new EventBatch(TYPE, epoch, events));
    }

    /** Waits until the marker event (unfiltered subscriber) arrived: everything before it was released. */
    static void awaitSeqs(RecordingSocket socket, int count) {
        Eventually.assertEventually(count + " events", () -> socket.seqs().size() >= count);
    }

    @Test
    void identicalFiltersShareOneEvaluationPerEvent() {
        RecordingSocket all = new RecordingSocket();
        List<RecordingSocket> s1 = List.of(new RecordingSocket(), new RecordingSocket(), new RecordingSocket());
        List<RecordingSocket> s2 = List.of(new RecordingSocket(), new RecordingSocket());
        List<Subscription> s1Subscriptions = new ArrayList<>();
        for (int i = 0; i < s1.size(); i++) {
            s1Subscriptions.add(subscribe(s1.get(i), "u-1" + i, "staff", Access.ALL, store("s-1"), null));
        }
        // the same filter as written differently: one group
        EventFilter s2Other = EventFilter.parse("{\"value\":\"s-2\",\"op\":\"eq\",\"field\":\"storeId\"}");
        Subscription firstS2 = subscribe(s2.get(0), "u-20", "staff", Access.ALL, store("s-2"), null);
        subscribe(s2.get(1), "u-21", "staff", Access.ALL, s2Other, null);
        subscribe(all, "u-all", "staff", Access.ALL, null, null);
        assertEquals(2, fanout.stream(TYPE).filterGroupCount());

        busBrings(appended("s-1", "s-2", "s-3", "s-1"));
        awaitSeqs(all, 4);
        assertEquals(List.of(1L, 2L, 3L, 4L), all.seqs(), "unfiltered: every event");
        s1.forEach(socket -> assertEquals(List.of(1L, 4L), socket.seqs()));
        s2.forEach(socket -> assertEquals(List.of(2L), socket.seqs()));
        FilterGroup group = s1Subscriptions.get(0).group;
        s1Subscriptions.forEach(subscription -> assertSame(group, subscription.group));
        assertEquals(4, group.evaluations, "once per event for its three subscribers");
        assertEquals(4, firstS2.group.evaluations, "once per event for its two subscribers");
    }

    @Test
    void replaysAreFilteredAsLiveEventsAre() {
        RecordingSocket marker = new RecordingSocket();
        subscribe(marker, "u-marker", "staff", Access.ALL, null, null);
        busBrings(appended("s-1", "s-2", "s-1", "s-3"));
        awaitSeqs(marker, 4);
        String epoch = log.position(TYPE).await().epoch();

        RecordingSocket replayed = new RecordingSocket();
        subscribe(replayed, "u-r", "staff", Access.ALL, store("s-1"), new RegisterFrame.Resume(0, epoch));
        busBrings(appended("s-2", "s-1"));
        awaitSeqs(marker, 6);
        Eventually.assertEventually("replay, then live", () -> replayed.seqs().size() >= 3);
        assertEquals(List.of(1L, 3L, 6L), replayed.seqs());
    }

    @Test
    void aFilterOnlyNarrowsWhatOwnershipAllows() {
        RecordingSocket marker = new RecordingSocket();
        subscribe(marker, "u-marker", "staff", Access.ALL, null, null);
        // customer c-1 filters on the events of customer c-2: ownership still decides first
        RecordingSocket nosy = new RecordingSocket();
        subscribe(nosy, "c-1", "customer", Access.OWN,
                EventFilter.parse("{\"field\":\"data.customerId\",\"op\":\"eq\",\"value\":\"c-2\"}"), null);
        RecordingSocket own = new RecordingSocket();
        subscribe(own, "c-1", "customer", Access.OWN,
                EventFilter.parse("{\"field\":\"data.total\",\"op\":\"gte\",\"value\":0}"), null);
        busBrings(appended("s-1", "s-1", "s-1")); // customers c-0, c-1, c-2
        awaitSeqs(marker, 3);
        Eventually.assertEventually("the own event", () -> own.seqs().size() >= 1);
        assertEquals(List.of(2L), own.seqs(), "only its own order, which the filter lets through");
        assertEquals(List.of(), nosy.seqs(), "the other customer's order, though the filter asks for it");
    }

    @Test
    void aNewFilterAppliesFromTheNextEventAndTheGroupsFollow() {
        RecordingSocket marker = new RecordingSocket();
        subscribe(marker, "u-marker", "staff", Access.ALL, null, null);
        RecordingSocket socket = new RecordingSocket();
        Subscription subscription = subscribe(socket, "u-1", "staff", Access.ALL, store("s-1"), null);
        busBrings(appended("s-1", "s-2"));
        awaitSeqs(marker, 2);
        onContext(() -> {
            fanout.refilter(TYPE, subscription, store("s-2"));
            return Future.succeededFuture();
        });
        assertEquals(1, fanout.stream(TYPE).filterGroupCount(), "the s-1 group went with its last subscriber");
        busBrings(appended("s-1", "s-2"));
        awaitSeqs(marker, 4);
        Eventually.assertEventually("the s-2 event", () -> socket.seqs().size() >= 2);
        assertEquals(List.of(1L, 4L), socket.seqs());
        onContext(() -> {
            fanout.refilter(TYPE, subscription, null);
            return Future.succeededFuture();
        });
        assertEquals(0, fanout.stream(TYPE).filterGroupCount());
        busBrings(appended("s-3"));
        Eventually.assertEventually("unfiltered now", () -> socket.seqs().size() >= 3);
        assertEquals(List.of(1L, 4L, 5L), socket.seqs());
        onContext(() -> {
            fanout.unsubscribe(TYPE, subscription);
            return Future.succeededFuture();
        });
        assertEquals(0, fanout.stream(TYPE).filterGroupCount());
    }
}
