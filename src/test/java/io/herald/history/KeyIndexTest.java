package io.herald.history;

import io.herald.event.EventRecord;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory index of one stream's idempotency keys: what it appends, answers again and refuses. */
class KeyIndexTest {
    final KeyIndex index = new KeyIndex(10_000, 3);
    /** A stream: what was appended, in order, at seq 1 up. */
    final List<String> stream = new ArrayList<>();
    final List<int[]> appends = new ArrayList<>();

    KeyIndex.Answer decide(long now, Map<String, Long> found, String... idKeyHash) throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < idKeyHash.length; i += 3) {
            ids.add(idKeyHash[i]);
            keys.add(idKeyHash[i + 1]);
            hashes.add(idKeyHash[i + 2]);
        }
        return index.decide(ids, keys, hashes, found, now, picked -> {
            appends.add(picked);
            long first = stream.size() + 1;
            for (int i : picked) {
                stream.add(ids.get(i));
            }
            return first;
        });
    }

    @Test
    void newKeysAreAppendedInOneOperationAndARepeatGetsTheFirstEvent() throws Exception {
        KeyIndex.Answer first = decide(1000, Map.of(), "e1", "k1", "h1", "e2", null, null, "e3", "k3", "h3");
        assertArrayEquals(new long[]{1, 2, 3}, first.seqs());
        assertArrayEquals(new String[]{"e1", "e2", "e3"}, first.ids());
        assertEquals(1, appends.size());

        KeyIndex.Answer again = decide(2000, Map.of(), "e4", "k3", "h3", "e5", "k5", "h5");
        assertArrayEquals(new long[]{3, 4}, again.seqs(), "the repeat gets seq 3, the new key is appended at 4");
        assertArrayEquals(new String[]{"e3", "e5"}, again.ids(), "and the first event's id");
        assertEquals(List.of("e1", "e2", "e3", "e5"), stream);
    }

    @Test
    void aKnownKeyWithAnotherHashIsRefusedAndAppendsNothing() throws Exception {
        decide(1000, Map.of(), "e1", "k1", "h1");
        KeyIndex.Answer conflict = decide(1001, Map.of(), "e2", "k1", "other");
        assertTrue(conflict.conflict(0));
        assertNull(conflict.ids()[0]);
        assertEquals(1, appends.size(), "nothing appended");
    }

    @Test
    void theSameKeyTwiceInOneBatchPublishesOnceAndRefusesAnotherBody() throws Exception {
        KeyIndex.Answer answer = decide(1000, Map.of(), "e1", "k", "h", "e2", "k", "h", "e3", "k", "other");
        assertArrayEquals(new long[]{1, 1, -1}, answer.seqs());
        assertArrayEquals(new String[]{"e1", "e1", null}, answer.ids());
        assertEquals(List.of("e1"), stream);
    }

    @Test
    void anEarlierAttemptThatLandedIsAnsweredWhereItIs() throws Exception {
        KeyIndex.Answer answer = decide(1000, Map.of("e1", 7L), "e1", null, null, "e2", null, null);
        assertArrayEquals(new long[]{7, 1}, answer.seqs());
        assertEquals(List.of("e2"), stream);
    }

    @Test
    void keysAreForgottenAfterTheWindowAndPastTheBound() throws Exception {
        decide(1000, Map.of(), "e1", "k1", "h1");
        KeyIndex.Answer late = decide(1000 + 10_001, Map.of(), "e2", "k1", "h1");
        assertEquals("e2", late.ids()[0], "past the window the key publishes again");

        decide(20_000, Map.of(), "e3", "a", "h", "e4", "b", "h", "e5", "c", "h");
        assertEquals(3, index.size(), "at most maxKeys, the oldest gone first");
        assertEquals("e6", decide(20_001, Map.of(), "e6", "k1", "h1").ids()[0], "k1 was the oldest");
        assertEquals("e4", decide(20_002, Map.of(), "e7", "b", "h").ids()[0], "b is kept");
    }

    @Test
    void aRecordCarriesItsKeySoThatAnotherOwnerLearnsIt() throws Exception {
        String record = EventRecord.encode(io.herald.WireVersion.CURRENT, "e-9", 5000, "{\"ik\":\"not this one\"}", "u", null, null,
                false, "http\nkey \"quoted\"", "abc");
        KeyIndex other = new KeyIndex(10_000, 10);
        other.indexRecord(42, record, 6000);
        other.indexRecord(43, EventRecord.encode(io.herald.WireVersion.CURRENT, "e-10", 5000, "{\"ik\":1}", null, null, null), 6000);
        assertEquals(1, other.size(), "only the keyed record");
        KeyIndex.Answer answer = other.decide(List.of("new"), Arrays.asList("http\nkey \"quoted\""), List.of("abc"), Map.of(), 7000,
                picked -> {
                    throw new AssertionError("nothing to append");
                });
        assertArrayEquals(new long[]{42}, answer.seqs());
        assertArrayEquals(new String[]{"e-9"}, answer.ids());
        assertEquals("e-9", EventRecord.decode(record).id(), "readers ignore the fields");
    }
}
