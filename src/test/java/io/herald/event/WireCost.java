package io.herald.event;

import io.herald.cluster.ClusterWire;
import io.vertx.core.buffer.Buffer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What the wire version costs on the hot path: bytes and allocation per event batch (encode, decode) and per history
 * record, at version 1 and 2. Not a test (timings on a shared machine are noise; the allocation is exact):
 * {@code mvn -B -o -q -DskipTests package test-compile && java -cp target/herald.jar:target/test-classes io.herald.event.WireCost}.
 */
public final class WireCost {
    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        List<BusEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(new BusEvent(i, 1_732_350_000_000L, "{\"id\":\"e" + i + "\",\"type\":\"order:created\",\"data\":{\"total\":12.5}}", "c-1", null));
        }
        EventBatch batch = new EventBatch("order:created", "0abc12345wxyz", events);
        int n = 200_000;
        for (int version : new int[]{1, 2, 1, 2}) {
            EventBatchCodec codec = new EventBatchCodec(new ClusterWire(version));
            Buffer wire = Buffer.buffer(1024);
            codec.encodeToWire(wire, batch);
            for (int i = 0; i < 20_000; i++) { // warm up
                codec.encodeToWire(Buffer.buffer(1024), batch);
                codec.decodeFromWire(0, wire);
            }
            long a0 = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < n; i++) {
                codec.encodeToWire(Buffer.buffer(1024), batch);
            }
            long a1 = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < n; i++) {
                codec.decodeFromWire(0, wire);
            }
            long a2 = mx.getThreadAllocatedBytes(thread);
            String record = null;
            for (int i = 0; i < n; i++) {
                record = EventRecord.encode(version, "e-1", 5, "{\"total\":12.5}", "u-1", "s-9", null);
            }
            long a3 = mx.getThreadAllocatedBytes(thread);
            System.out.printf("version %d: a batch of 10 events is %d bytes, allocates %d B to encode (with its 1 KiB buffer), %d B to decode;"
                    + " a record is %d chars, allocates %d B%n", version, wire.length(), (a1 - a0) / n, (a2 - a1) / n, record.length(), (a3 - a2) / n);
        }
    }
}
