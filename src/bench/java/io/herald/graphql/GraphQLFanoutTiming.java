package io.herald.graphql;

import io.herald.config.HeraldConfig;
import io.herald.delivery.ClientSocket;
import io.herald.delivery.SharedFrame;
import io.herald.catalog.EventCatalog;
import io.netty.buffer.ByteBuf;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CPU per GraphQL delivery on one thread, without a network: {@code sockets} GraphQL sockets (one operation each, the same
 * selection) on one endpoint, each event delivered to all of them as the fan-out does, the wire doing what
 * {@link NettyWire} does with the bytes (the frame's buffers made, then released as the channel would once written).
 * Prints the median of {@code runs} measurements of thread CPU nanoseconds per delivery.
 * <pre>java -cp … io.herald.graphql.GraphQLFanoutTiming [sockets=1000] [events=2000] [runs=3]</pre>
 */
public final class GraphQLFanoutTiming {
    public static void main(String[] args) throws Exception {
        int sockets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
        EventSchema schema = new EventSchema(catalog);
        List<ClientSocket> admitted = new ArrayList<>();
        GraphQLEndpoint endpoint = new GraphQLEndpoint(new GraphQLSocketTest.Clock(), Runnable::run, socket -> {
            admitted.add(socket);
            socket.frameHandler(frame -> { });
        }, schema, 1 << 20, 8, 10_000);
        List<GraphQLSocket> all = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            GraphQLSocket socket = new GraphQLSocket(new ByteWire(), endpoint);
            socket.onText("{\"type\":\"connection_init\"}");
            admitted.get(admitted.size() - 1).resume();
            socket.onText(new JsonObject().put("id", "op-" + i).put("type", "subscribe").put("payload", new JsonObject()
                    .put("query", "subscription { events(types: [\"order:created\"]) { id type ts seq epoch data } }")).encode());
            all.add(socket);
        }
        Constructor<SharedFrame> make = SharedFrame.class.getDeclaredConstructor(String.class);
        make.setAccessible(true);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double[] perDelivery = new double[runs + 1];
        for (int run = 0; run <= runs; run++) { // run 0 warms up
            long start = cpu.getCurrentThreadCpuTime();
            for (int e = 0; e < events; e++) {
                JsonObject envelope = new JsonObject().put("id", "e-" + e).put("type", "order:created").put("ts", 1_700_000_000_000L + e)
                        .put("seq", (long) e).put("epoch", "ep-1").put("data", new JsonObject().put("orderId", "o-" + e)
                                .put("customerId", "c-" + (e % 50)).put("storeId", "s-1").put("total", 12.5 * e));
                SharedFrame frame = make.newInstance(new JsonObject().put("type", "rec").put("address", "order:created")
                        .put("body", envelope).encode());
                for (GraphQLSocket socket : all) {
                    if (socket.deliver(frame)) {
                        socket.flush();
                    }
                }
            }
            perDelivery[run] = (cpu.getCurrentThreadCpuTime() - start) / (double) (events * (long) sockets);
            if (run > 0) {
                System.out.printf("run %d: %.0f ns CPU per delivery%n", run, perDelivery[run]);
            }
        }
        double[] measured = Arrays.copyOfRange(perDelivery, 1, runs + 1);
        Arrays.sort(measured);
        System.out.printf("median of %d runs: %.0f ns CPU per delivery (%d sockets, %d events)%n", runs, measured[runs / 2], sockets, events);
    }

    /** NettyWire's work on the bytes: each written buffer made, then released as the channel does once it is written. */
    static final class ByteWire extends GraphQLSocketTest.FakeWire {
        long bytes;

        @Override
        public void write(String text) {
            ByteBuf frame = SharedFrame.webSocketTextFrame(text);
            bytes += frame.readableBytes();
            frame.release();
        }

        @Override
        public void write(byte[] head, ByteBuf shared) {
            ByteBuf frame = io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(10 + head.length);
            SharedFrame.frameHeader(frame, 0x81, head.length + shared.readableBytes()).writeBytes(head);
            ByteBuf rest = shared.retainedDuplicate();
            bytes += frame.readableBytes() + rest.readableBytes();
            frame.release();
            rest.release();
        }
    }
}
