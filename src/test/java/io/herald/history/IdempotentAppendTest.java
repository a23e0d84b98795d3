package io.herald.history;

import io.herald.testing.OnOneMember;

import com.hazelcast.ringbuffer.Ringbuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The append Hazelcast may run twice (issue 22: one 202, two seqs 2,458 and 2,465, when the partition's owner
 * froze after appending and its promoted backup got the retried operation): run again late, it finds its
 * records and answers their place instead of appending them a second time. On a real (single) member.
 */
class IdempotentAppendTest extends OnOneMember {
    static IdempotentAppend append(String ring, List<String> records, long createdAt) {
        IdempotentAppend append = new IdempotentAppend(ring, records, createdAt);
        append.setHazelcastInstance(member);
        return append;
    }

    @Test
    void aRetriedAppendIsNotAppendedTwice() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-retry");
        ring.add("someone else's event");
        long created = System.currentTimeMillis() - 15_000; // the first attempt, before its owner froze
        List<String> batch = List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}");
        long first = append(ring.getName(), batch, created).call();
        ring.add("an event appended between the attempts");
        long retried = append(ring.getName(), batch, created).call();
        assertEquals(first, retried, "the retry answers where the first attempt put the records");
        assertEquals(4, ring.size(), "the records once");
        assertEquals("{\"id\":\"b\"}", ring.readOne(retried));
    }

    @Test
    void aLateAttemptFindsTheSameEventByIdThoughItsRecordDiffers() throws Exception {
        // a takeover appended the event under the first claim's id (its own ts); the stalled first claimant comes late
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-byid");
        long late = System.currentTimeMillis() - 15_000;
        long taken = append(ring.getName(), List.of("{\"v\":2,\"id\":\"e-1\",\"ts\":2000,\"data\":{}}"), System.currentTimeMillis()).call();
        ring.add("{\"v\":2,\"id\":\"e-2\",\"ts\":2001,\"data\":{}}");
        long stalled = append(ring.getName(), List.of("{\"v\":2,\"id\":\"e-1\",\"ts\":1000,\"data\":{}}"), late).call();
        assertEquals(taken, stalled);
        assertEquals(2, ring.size(), "appended once");
        assertEquals("e-1", IdempotentAppend.eventId("{\"id\":\"e-1\",\"ts\":1}"));
        assertEquals(null, IdempotentAppend.eventId("{\"ts\":1,\"data\":{\"id\":\"x\"}}"));
    }

    @Test
    void distinctEventsAreAppendedEvenWhenLate() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-distinct");
        long late = System.currentTimeMillis() - 15_000;
        append(ring.getName(), List.of("{\"id\":\"1\"}"), late).call();
        long second = append(ring.getName(), List.of("{\"id\":\"2\"}"), late).call();
        assertEquals(1, second);
        assertEquals(2, ring.size());
    }

    static IdempotentAppend copied(IdempotentAppend task) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(task);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            IdempotentAppend copy = (IdempotentAppend) in.readObject();
            copy.setHazelcastInstance(member);
            return copy;
        }
    }

    @Test
    void carriesItsWireVersionVersionOneAsThePreviousReleaseWroteIt() throws Exception {
        // version 1 has no wire field: Java serialization reads its absence as 0, which is what a version-1 task holds
        assertEquals(1, copied(new IdempotentAppend("herald.events.test-v", List.of("{}"), 0, false, 1)).wireVersion());
        assertEquals(2, copied(new IdempotentAppend("herald.events.test-v", List.of("{}"), 0, false, 2)).wireVersion());
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-wire");
        copied(new IdempotentAppend(ring.getName(), List.of("{\"id\":\"one\"}"), System.currentTimeMillis(), false, 1)).call();
        copied(new IdempotentAppend(ring.getName(), List.of("{\"v\":2,\"id\":\"two\"}"), System.currentTimeMillis(), false, 2)).call();
        assertEquals(2, ring.size(), "both versions append");
    }

    @Test
    void aTaskOfAFutureVersionIsRefusedAndAppendsNothing() throws Exception {
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-future");
        IdempotentAppend future = copied(new IdempotentAppend(ring.getName(), List.of("{}"), System.currentTimeMillis(), false, 3));
        org.junit.jupiter.api.Assertions.assertThrows(io.herald.WireVersion.Unsupported.class, future::call);
        assertEquals(0, ring.size());
    }

    /** Version 2's task goes through Hazelcast's serialisation as DataSerializable, and a retry of it looks first. */
    @Test
    void versionTwosTaskIsDataSerializableAndStillAppendsOnce() throws Exception {
        var serialization = ((com.hazelcast.spi.impl.SerializationServiceSupport) member).getSerializationService();
        Ringbuffer<String> ring = member.getRingbuffer("herald.events.test-task");
        long created = System.currentTimeMillis() - 15_000;
        List<String> batch = List.of("{\"v\":2,\"id\":\"x\"}", "{\"v\":2,\"id\":\"y\"}");
        com.hazelcast.internal.serialization.Data data = serialization.toData(
                new AppendTask(ring.getName(), SerializedRecords.of(member, batch), created, false));
        assertEquals(com.hazelcast.internal.serialization.impl.SerializationConstants.CONSTANT_TYPE_DATA_SERIALIZABLE, data.getType(),
                "not Java serialisation");
        AppendTask copy = serialization.toObject(data);
        assertEquals(batch, copy.records().stream().map(record -> SerializedRecords.text(member, record)).toList());
        copy.setHazelcastInstance(member);
        long first = copy.call();
        AppendTask again = serialization.toObject(serialization.toData(
                new AppendTask(ring.getName(), SerializedRecords.of(member, batch), created, true)));
        again.setHazelcastInstance(member);
        assertEquals(first, again.call(), "the retry answers where the first attempt put the records");
        assertEquals(2, ring.size());
        assertEquals(batch, List.of(ring.readOne(0), ring.readOne(1)), "kept as the strings they were");
    }
}
