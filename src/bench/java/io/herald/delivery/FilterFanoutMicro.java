package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.delivery.filter.EventFilter;
import io.herald.event.BusEvent;
import io.herald.history.LocalEventLog;
import io.herald.stats.NodeStats;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Set;

/**
 * Issue 20, in process: the fan-out loop alone (no network, no ingest, no JSON of frames), thread CPU per event for
 * {@code N} subscribers unfiltered, and for {@code N} each filtering on one of {@code S} storeIds, on sockets that
 * only count what they are given. What the process-level {@code filters} scenario cannot show at a low event rate:
 * the filter's own cost per event. Run from the bench classpath:
 * {@code java -cp target/test-classes:target/classes:<deps> io.herald.delivery.FilterFanoutMicro [subscribers] [stores] [events]}.
 */
public final class FilterFanoutMicro {
    static final String TYPE = "order:created";

    /** A socket that counts the frames handed to it, and nothing else. */
    static final class CountingSocket implements ClientSocket {
        long frames;

        public String uri() { return "/eventbus/websocket"; }
        public String transport() { return "counting"; }
        public String remoteAddress() { return "127.0.0.1"; }
        public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
        public void pause() { }
        public void resume() { }
        public void frameHandler(Handler<String> handler) { }
        public void closeHandler(Handler<Void> handler) { }
        public void send(String frameJson) { }
        public boolean deliver(SharedFrame frame) { frames++; return false; }
        public boolean overloaded() { return false; }
        public void close(int code, String reason) { }
        public void abort() { }
    }

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int stores = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int events = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        Vertx vertx = Vertx.vertx();
        try {
            EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
            Context context = vertx.getOrCreateContext();
            for (int round = 1; round <= 3; round++) {
                for (boolean filtered : new boolean[] {false, true}) {
                    Fanout fanout = new Fanout(context, catalog, new LocalEventLog(type -> new HeraldConfig.HistoryBounds(100, 0)),
                            new NodeStats("micro"), new TypeStream.DeliveryOptions(500, 200, 1000, 1000));
                    Subscription[] members = new Subscription[subscribers];
                    java.util.Map<String, FilterGroup> groups = new java.util.HashMap<>();
                    for (int i = 0; i < subscribers; i++) {
                        EventFilter filter = filtered ? EventFilter.parse("{\"field\":\"storeId\",\"op\":\"eq\",\"value\":\"s-" + i % stores + "\"}") : null;
                        members[i] = new Subscription(new Connection(new CountingSocket(), new Principal("u-" + i, "staff", null, Set.of())),
                                Access.ALL, filter);
                        if (filter != null) { // as TypeStream groups them
                            FilterGroup group = groups.computeIfAbsent(filter.normalized(), f -> new FilterGroup(filter));
                            group.subscribers++;
                            members[i].group = group;
                        }
                    }
                    BusEvent[] prepared = new BusEvent[events];
                    for (int n = 0; n < events; n++) {
                        String envelope = "{\"id\":\"e-" + n + "\",\"type\":\"" + TYPE + "\",\"ts\":1,\"seq\":" + (n + 1)
                                + ",\"epoch\":\"ep\",\"data\":{\"n\":" + n + ",\"orderId\":\"o-" + n
                                + "\",\"customerId\":\"c-1\",\"total\":42.5,\"sentAt\":123456789},\"storeId\":\"s-" + n % stores + "\"}";
                        prepared[n] = new BusEvent(n + 1, System.currentTimeMillis(), envelope, "c-1", null);
                    }
                    long[] cpu = {0};
                    long[] delivered = {0};
                    int batch = 100;
                    for (int from = 0; from < events; from += batch) {
                        int first = from;
                        Promise<Void> done = Promise.promise();
                        context.runOnContext(v -> {
                            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                            long before = threads.getCurrentThreadCpuTime();
                            for (int n = first; n < first + batch; n++) {
                                fanout.deliver(TYPE, members, prepared[n]);
                            }
                            cpu[0] += threads.getCurrentThreadCpuTime() - before;
                            context.runOnContext(w -> done.complete()); // after the flush the loop queued
                        });
                        done.future().await();
                    }
                    for (Subscription member : members) {
                        delivered[0] += ((CountingSocket) member.connection.socket).frames;
                    }
                    System.out.printf("round %d %-10s subscribers %d stores %d events %d: deliveries %d, %.0f ns/event, %.1f ns/delivery%n",
                            round, filtered ? "filtered" : "unfiltered", subscribers, stores, events, delivered[0],
                            cpu[0] / (double) events, cpu[0] / (double) delivered[0]);
                }
            }
        } finally {
            vertx.close().await();
        }
    }
}
