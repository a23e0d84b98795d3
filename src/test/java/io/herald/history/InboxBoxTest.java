package io.herald.history;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One user's inbox: order, each event once, the bounds (count, age), acknowledgements, pages newest first. */
class InboxBoxTest {
    static final InboxBounds BOUNDS = new InboxBounds(5, 10_000, 100);

    static InboxEntry entry(String id, long ts) {
        return entry(id, ts, "order:status_changed", null);
    }

    static InboxEntry entry(String id, long ts, String type, String owner) {
        return new InboxEntry(id, type, ts, "e", ts, owner, null, "{\"id\":\"" + id + "\"}");
    }

    static List<String> ids(List<InboxEntry> entries) {
        return entries.stream().map(InboxEntry::id).toList();
    }

    @Test
    void entriesAreKeptOldestFirstAndEachEventOnce() {
        InboxBox box = new InboxBox();
        assertEquals(2, box.file(List.of(entry("b", 200), entry("a", 100)), BOUNDS, 1_000));
        assertEquals(1, box.file(List.of(entry("c", 150), entry("a", 100)), BOUNDS, 1_000), "a is there already");
        assertEquals(List.of("a", "c", "b"), ids(box.entries()));
        assertEquals(0, box.file(List.of(entry("b", 200)), BOUNDS, 1_000), "a retried filing changes nothing");
        assertEquals(3, box.entries().size());
    }

    @Test
    void withinOneMillisecondSeqOrders() {
        InboxBox box = new InboxBox();
        box.file(List.of(new InboxEntry("z", "t:a", 2, "e", 100, null, null, "{}"), new InboxEntry("y", "t:a", 1, "e", 100, null, null, "{}")), BOUNDS, 100);
        assertEquals(List.of("y", "z"), ids(box.entries()));
    }

    @Test
    void pastMaxPerUserTheOldestGoFirst() {
        InboxBox box = new InboxBox();
        for (int i = 0; i < 7; i++) {
            box.file(List.of(entry("e" + i, 100 + i)), BOUNDS, 1_000);
        }
        assertEquals(List.of("e2", "e3", "e4", "e5", "e6"), ids(box.entries()));
        assertEquals(0, box.file(List.of(entry("old", 50)), BOUNDS, 1_000), "an event older than all five is cut at once");
        assertEquals(List.of("e2", "e3", "e4", "e5", "e6"), ids(box.entries()));
    }

    @Test
    void entriesOlderThanMaxAgeGo() {
        InboxBox box = new InboxBox();
        box.file(List.of(entry("a", 1_000), entry("b", 5_000)), BOUNDS, 6_000);
        assertEquals(List.of("a", "b"), ids(box.entries()));
        box.prune(BOUNDS, 11_001);
        assertEquals(List.of("b"), ids(box.entries()), "a is 10001 ms old");
        assertEquals(0, box.file(List.of(entry("stale", 1_000)), BOUNDS, 11_001), "filed too late: not kept");
        box.prune(BOUNDS, 15_001);
        assertTrue(box.isEmpty());
    }

    @Test
    void ackRemovesTheNamedEntriesAndCountsThem() {
        InboxBox box = new InboxBox();
        box.file(List.of(entry("a", 1), entry("b", 2), entry("c", 3)), BOUNDS, 10);
        assertEquals(2, box.ack(Set.of("a", "c", "unknown")));
        assertEquals(List.of("b"), ids(box.entries()));
        assertEquals(0, box.ack(Set.of("a")), "twice: nothing more");
    }

    @Test
    void pagesGoNewestFirstAndCountWhatTheReaderMayRead() {
        InboxBox box = new InboxBox();
        for (int i = 1; i <= 5; i++) {
            box.file(List.of(entry("e" + i, i, i % 2 == 0 ? "system:notification" : "order:status_changed", null)), BOUNDS, 10);
        }
        InboxPage first = InboxBox.page(box.entries(), null, 2, e -> true);
        assertEquals(List.of("e5", "e4"), ids(first.entries()));
        assertEquals(5, first.unread());
        assertTrue(first.more());
        InboxPage second = InboxBox.page(box.entries(), first.next(), 2, e -> true);
        assertEquals(List.of("e3", "e2"), ids(second.entries()));
        InboxPage third = InboxBox.page(box.entries(), second.next(), 2, e -> true);
        assertEquals(List.of("e1"), ids(third.entries()));
        assertFalse(third.more());
        assertNull(third.next());

        InboxPage orders = InboxBox.page(box.entries(), null, 10, e -> e.type().startsWith("order:"));
        assertEquals(List.of("e5", "e3", "e1"), ids(orders.entries()), "what the reader may not read is neither shown nor counted");
        assertEquals(3, orders.unread());
    }

    @Test
    void aPageAfterAcknowledgementsAndNewEntriesGoesOnWhereTheLastEnded() {
        InboxBox box = new InboxBox();
        for (int i = 1; i <= 4; i++) {
            box.file(List.of(entry("e" + i, i)), BOUNDS, 10);
        }
        InboxPage first = InboxBox.page(box.entries(), null, 2, e -> true);
        box.ack(Set.of("e4", "e3"));
        box.file(List.of(entry("e9", 9)), BOUNDS, 10);
        InboxPage second = InboxBox.page(box.entries(), InboxCursor.parse(first.next().text()), 2, e -> true);
        assertEquals(List.of("e2", "e1"), ids(second.entries()));
        assertEquals(3, second.unread());
    }

    @Test
    void aCursorIsAPagesNextOrNothing() {
        assertNull(InboxCursor.parse(null));
        assertNull(InboxCursor.parse(""));
        assertEquals(new InboxCursor(12, 3, "a.b"), InboxCursor.parse("12.3.a.b"));
        assertEquals("12.3.a.b", new InboxCursor(12, 3, "a.b").text());
        for (Object bad : new Object[]{"x", "12", "12.", ".a", "x.a", "12.a", "12.3.", "12..a", "x.3.a", 12, "1.1." + "a".repeat(400)}) {
            assertEquals(ErrorCode.INVALID_PARAMETER, assertThrows(HeraldException.class, () -> InboxCursor.parse(bad)).code(), String.valueOf(bad));
        }
    }

    @Test
    void theLocalInboxKeepsAtMostMaxUsersAndForgetsWhatAgedOut() {
        long[] now = {1_000};
        LocalInbox inbox = new LocalInbox(new InboxBounds(5, 10_000, 2), () -> now[0]);
        inbox.file(java.util.Map.of("u1", List.of(entry("a", 1_000))));
        inbox.file(java.util.Map.of("u2", List.of(entry("b", 1_000))));
        inbox.file(java.util.Map.of("u3", List.of(entry("c", 1_000))));
        assertEquals(2, inbox.users());
        assertEquals(List.of(), inbox.entries("u1").result(), "the least recently written inbox went");
        assertEquals(List.of("c"), ids(inbox.entries("u3").result()));
        assertEquals(1, inbox.ack("u3", Set.of("c")).result());
        assertEquals(1, inbox.users(), "an emptied inbox is removed");
        now[0] = 11_001;
        assertEquals(List.of(), inbox.entries("u2").result(), "aged out");
        assertEquals(0, inbox.users());
    }
}
