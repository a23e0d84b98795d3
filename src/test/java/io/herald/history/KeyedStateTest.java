package io.herald.history;

import io.herald.HeraldException;
import io.herald.catalog.EventCatalog.StateOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The update rule, eviction and paging of keyed state, on the single-node store and the pager both stores use. */
class KeyedStateTest {
    static final String TYPE = "inventory:updated";

    static StateEntry entry(String key, long seq) {
        return entry(key, seq, "e1", false, null);
    }

    static StateEntry entry(String key, long seq, String epoch, boolean deleted, String owner) {
        return new StateEntry(key, seq, epoch, seq, deleted, owner, null, "{\"seq\":" + seq + ",\"key\":\"" + key + "\"}");
    }

    @Test
    void theHigherSeqStaysWhateverOrderUpdatesArriveIn() {
        StateEntry five = entry("p-1", 5);
        StateEntry six = entry("p-1", 6);
        assertSame(five, StateRule.next(null, five));
        assertSame(six, StateRule.next(five, six));
        assertNull(StateRule.next(six, five), "an older event arriving late changes nothing");
        assertNull(StateRule.next(six, entry("p-1", 6)), "the same seq again changes nothing");
        StateEntry otherEpoch = entry("p-1", 1, "e2", false, null);
        assertSame(otherEpoch, StateRule.next(six, otherEpoch), "a new epoch's event replaces the entry: seqs of two epochs do not compare");
    }

    @Test
    void aDeleteLeavesATombstoneThatKeepsOlderEventsOutAndIsNeverRead() {
        AtomicLong now = new AtomicLong(1000);
        LocalKeyedState state = new LocalKeyedState(Map.of(TYPE, new StateOptions("productId", 10)), now::get);
        state.update(TYPE, List.of(entry("p-1", 1), entry("p-2", 2)));
        state.update(TYPE, List.of(entry("p-1", 4, "e1", true, null)));
        state.update(TYPE, List.of(entry("p-1", 3))); // older than the delete, arriving after it
        assertEquals(List.of("p-2"), keys(state, all()));
        state.update(TYPE, List.of(entry("p-1", 5)));
        assertEquals(List.of("p-1", "p-2"), keys(state, all()), "a later event brings the key back");
    }

    @Test
    void anExpiredTombstoneCountsAsAbsent() {
        AtomicLong now = new AtomicLong(0);
        LocalKeyedState state = new LocalKeyedState(Map.of(TYPE, new StateOptions("productId", 10)), now::get);
        state.update(TYPE, List.of(new StateEntry("p-1", 9, "e1", 0, true, null, null, "{}")));
        now.set(StateRule.TOMBSTONE_MS + 1);
        state.update(TYPE, List.of(entry("p-1", 3)));
        assertEquals(List.of("p-1"), keys(state, all()));
    }

    @Test
    void pastMaxKeysTheLeastRecentlyUpdatedKeyGoesFirst() {
        LocalKeyedState state = new LocalKeyedState(Map.of(TYPE, new StateOptions("productId", 3)));
        state.update(TYPE, List.of(entry("a", 1), entry("b", 2), entry("c", 3)));
        state.update(TYPE, List.of(entry("a", 4))); // a is now the most recently updated
        state.update(TYPE, List.of(entry("d", 5)));
        assertEquals(List.of("a", "c", "d"), keys(state, all()));
        assertEquals(3, state.size(TYPE));
        state.update(TYPE, List.of(entry("e", 6), entry("f", 7)));
        assertEquals(List.of("d", "e", "f"), keys(state, all()));
    }

    @Test
    void pagesGoInKeyOrderEachEntryOnceAndOnlyWhatTheReaderMayRead() {
        LocalKeyedState state = new LocalKeyedState(Map.of(TYPE, new StateOptions("orderId", 1000)));
        List<StateEntry> entries = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            entries.add(entry(String.format("o-%03d", i), i + 1, "e1", false, i % 5 == 0 ? "c-1" : "c-2"));
        }
        state.update(TYPE, entries);
        List<String> mine = new ArrayList<>();
        StateCursor next = null;
        int pages = 0;
        do {
            StatePage page = state.page(TYPE, next, 7, e -> "c-1".equals(e.ownerId())).result();
            assertTrue(page.entries().size() <= 7);
            page.entries().forEach(e -> mine.add(e.key()));
            next = page.next() == null ? null : StateCursor.parse(page.next().text());
            pages++;
        } while (next != null && pages < 1000);
        assertEquals(50, mine.size(), mine.toString());
        assertEquals(mine.stream().sorted().distinct().toList(), mine, "in key order, each once");
        assertTrue(mine.stream().allMatch(k -> Integer.parseInt(k.substring(2)) % 5 == 0));
    }

    @Test
    void aPageLooksAtABoundedNumberOfEntriesAndSaysWhereToGoOn() {
        StatePager pager = new StatePager(StateCursor.START, 2, e -> false);
        List<StateEntry> bucket = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            bucket.add(entry(String.format("k%03d", i), i + 1));
        }
        pager.offer(0, bucket);
        assertTrue(pager.done());
        StatePage page = pager.page(3);
        assertTrue(page.entries().isEmpty());
        assertTrue(page.more());
        assertEquals(new StateCursor(0, String.format("k%03d", 2 * StatePager.MAX_SCANNED_PER_ENTRY - 1)), page.next());
    }

    @Test
    void bucketsAreReadInOrderAndTheLastPageSaysNoMore() {
        StatePager pager = new StatePager(new StateCursor(1, "b"), 10, e -> true);
        pager.offer(0, List.of(entry("z", 1))); // before the cursor's bucket: ignored
        pager.offer(1, List.of(entry("c", 2), entry("a", 3), entry("b", 4)));
        pager.offer(2, List.of(entry("a", 5), entry("x", 6, "e1", true, null)));
        StatePage page = pager.page(3);
        assertEquals(List.of("c", "a"), page.entries().stream().map(StateEntry::key).toList());
        assertFalse(page.more());
        StatePager partial = new StatePager(StateCursor.START, 10, e -> true);
        partial.offer(0, List.of(entry("a", 1)));
        assertEquals(new StateCursor(1, null), partial.page(3).next(), "buckets not looked at yet: go on at the next one");
    }

    @Test
    void aCursorIsTheTextThisHubWroteAndNothingElse() {
        assertEquals(StateCursor.START, StateCursor.parse(null));
        assertEquals(StateCursor.START, StateCursor.parse(""));
        assertEquals(new StateCursor(12, "o:1"), StateCursor.parse(new StateCursor(12, "o:1").text()));
        assertEquals(new StateCursor(3, null), StateCursor.parse("3:"));
        for (Object bad : List.of("x", ":a", "-1:a", "a:b", 5, "1234567:a", "9".repeat(2000))) {
            assertThrows(HeraldException.class, () -> StateCursor.parse(bad), String.valueOf(bad));
        }
    }

    static Predicate<StateEntry> all() {
        return e -> true;
    }

    static List<String> keys(LocalKeyedState state, Predicate<StateEntry> readable) {
        return state.page(TYPE, null, 500, readable).result().entries().stream().map(StateEntry::key).toList();
    }
}
