package io.herald.presence;

import io.herald.auth.Principal;
import io.herald.presence.PresenceView.Change;
import io.herald.presence.PresenceView.ChangeKind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes' local parts drained into one view, as the presence verticle does, without the bus. */
class PresenceViewTest {
    static final Principal ALICE = new Principal("alice", "customer", "s-1", Set.of());
    static final Principal BOB = new Principal("bob", "staff", null, Set.of());

    final LocalPresence a = new LocalPresence();
    final LocalPresence b = new LocalPresence();
    final PresenceView view = new PresenceView();
    long seqA;
    long seqB;

    List<Change> flush() {
        List<Change> changes = new ArrayList<>();
        PresenceDelta fromA = a.drain("A", "member-A", seqA + 1);
        if (!fromA.isEmpty()) {
            seqA++;
            assertEquals(PresenceView.Outcome.APPLIED, view.apply(PresenceDelta.fromJson(fromA.toJson()), changes));
        }
        PresenceDelta fromB = b.drain("B", "member-B", seqB + 1);
        if (!fromB.isEmpty()) {
            seqB++;
            assertEquals(PresenceView.Outcome.APPLIED, view.apply(PresenceDelta.fromJson(fromB.toJson()), changes));
        }
        return changes;
    }

    static List<ChangeKind> kinds(List<Change> changes) {
        return changes.stream().map(Change::kind).toList();
    }

    @Test
    void tabsOnTwoNodesAreOneUserOnlineOnceAndOfflineOnce() {
        a.opened(ALICE, 1000);
        b.opened(ALICE, 2000);
        List<Change> first = flush();
        assertEquals(List.of(ChangeKind.ONLINE), kinds(first));
        assertEquals("customer", first.get(0).role());

        JsonObject alice = view.users().getJsonArray("users").getJsonObject(0);
        assertEquals("alice", alice.getString("userId"));
        assertEquals(2, alice.getInteger("connections"));
        assertEquals(List.of("A", "B"), alice.getJsonArray("nodes").getList());
        assertEquals(1000, alice.getLong("since"));
        assertEquals(1, view.users().getInteger("uniqueUsers"));

        a.closed(ALICE);
        assertEquals(List.of(), flush(), "a tab left on B");
        b.closed(ALICE);
        List<Change> last = flush();
        assertEquals(List.of(ChangeKind.OFFLINE), kinds(last));
        assertEquals("customer", last.get(0).role());
        assertEquals(0, view.users().getInteger("uniqueUsers"));
    }

    @Test
    void aConnectionOpenedAndClosedWithinOneIntervalIsNeverSent() {
        a.opened(BOB, 1);
        a.closed(BOB);
        PresenceDelta delta = a.drain("A", "member-A", 1);
        assertTrue(delta.isEmpty(), delta.toString());
    }

    @Test
    void roomsAreJoinedOnceAcrossTabsAndLeftWithTheLastOne() {
        a.opened(BOB, 1);
        b.opened(BOB, 1);
        flush();
        a.joined("dashboard", BOB);
        b.joined("dashboard", BOB);
        List<Change> joined = flush();
        assertEquals(List.of(ChangeKind.JOINED), kinds(joined));
        assertEquals("staff", joined.get(0).role());
        JsonObject member = view.room("dashboard").getJsonArray("members").getJsonObject(0);
        assertEquals(2, member.getInteger("connections"));
        assertEquals(1, view.roomSizes().get("dashboard"));

        a.left("dashboard", BOB);
        a.closed(BOB);
        assertEquals(List.of(), flush());
        b.left("dashboard", BOB);
        b.closed(BOB);
        List<Change> gone = flush();
        assertEquals(List.of(ChangeKind.LEFT, ChangeKind.OFFLINE), kinds(gone), "the room is left before the user goes, knowing their role");
        assertEquals("staff", gone.get(0).role());
        assertFalse(view.isMember("dashboard", "bob"));
    }

    @Test
    void aMemberThatLeavesTakesItsUsersAndCannotBringThemBack() {
        a.opened(ALICE, 1);
        a.joined("chat:alice", ALICE);
        b.opened(BOB, 1);
        flush();
        List<Change> changes = new ArrayList<>();
        view.memberLeft("member-A", changes);
        assertEquals(List.of(ChangeKind.LEFT, ChangeKind.OFFLINE), kinds(changes));
        assertFalse(view.isOnline("alice"));
        assertTrue(view.isOnline("bob"));

        a.opened(ALICE, 5);
        PresenceDelta late = a.drain("A", "member-A", ++seqA);
        assertEquals(PresenceView.Outcome.IGNORED, view.apply(late, new ArrayList<>()), "a departed member's delta");
        assertFalse(view.missed("A", "member-A", seqA), "nor does its heartbeat ask for a snapshot");
        assertFalse(view.isOnline("alice"));
    }

    @Test
    void aMissedDeltaIsNoticedAndASnapshotRepairsIt() {
        a.opened(ALICE, 1);
        flush();
        a.opened(BOB, 1);
        a.drain("A", "member-A", ++seqA); // lost on its way
        a.closed(ALICE);
        PresenceDelta next = a.drain("A", "member-A", ++seqA);
        assertEquals(PresenceView.Outcome.NEEDS_SNAPSHOT, view.apply(next, new ArrayList<>()));
        assertTrue(view.missed("A", "member-A", seqA), "the heartbeat says so too");

        List<Change> changes = new ArrayList<>();
        assertEquals(PresenceView.Outcome.APPLIED, view.apply(a.snapshot("A", "member-A", seqA), changes));
        assertEquals(List.of(ChangeKind.ONLINE, ChangeKind.OFFLINE), kinds(changes.stream()
                .sorted((x, y) -> x.kind().compareTo(y.kind())).toList()));
        assertTrue(view.isOnline("bob"));
        assertFalse(view.isOnline("alice"));
        assertFalse(view.missed("A", "member-A", seqA));
    }

    @Test
    void aSnapshotOfWhatIsKnownAlreadyAnnouncesNothing() {
        a.opened(ALICE, 1);
        a.joined("chat:alice", ALICE);
        flush();
        List<Change> changes = new ArrayList<>();
        assertEquals(PresenceView.Outcome.APPLIED, view.apply(a.snapshot("A", "member-A", seqA), changes));
        assertEquals(List.of(), kinds(changes), "someone online before and after a snapshot never went offline");
        assertTrue(view.isOnline("alice"));
        assertTrue(view.isMember("chat:alice", "alice"));
    }

    @Test
    void aNodeFirstHeardOfMidStreamIsAskedForASnapshot() {
        a.opened(ALICE, 1);
        a.drain("A", "member-A", 1);
        a.opened(BOB, 1);
        assertEquals(PresenceView.Outcome.NEEDS_SNAPSHOT, view.apply(a.drain("A", "member-A", 2), new ArrayList<>()));
        assertTrue(view.missed("A", "member-A", 2));
        view.apply(a.snapshot("A", "member-A", 2), new ArrayList<>());
        assertEquals(2, view.users().getInteger("uniqueUsers"));
    }

    @Test
    void presenceIsPagedByUserIdWithTheTotalsOnEveryPage() {
        for (int i = 0; i < 7; i++) {
            Principal user = new Principal("u" + i, "staff", null, Set.of());
            a.opened(user, 1000);
            a.opened(user, 1000);
            a.joined("dashboard", user);
        }
        flush();
        List<String> seen = new ArrayList<>();
        String next = null;
        int pages = 0;
        boolean more = true;
        while (more) {
            JsonObject page = view.users(PresencePage.of(3, next));
            assertEquals(7, page.getInteger("uniqueUsers"), "the totals on every page");
            assertEquals(14, page.getInteger("connections"));
            page.getJsonArray("users").forEach(u -> seen.add(((JsonObject) u).getString("userId")));
            next = page.getString("next");
            more = page.getBoolean("more");
            pages++;
        }
        assertEquals(List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6"), seen);
        assertEquals(3, pages);

        JsonObject room = view.room("dashboard", PresencePage.of("5", null));
        assertEquals(5, room.getJsonArray("members").size());
        assertEquals(7, room.getInteger("count"));
        assertEquals(7, room.getInteger("connections"));
        assertTrue(room.getBoolean("more"));
        JsonObject rest = view.room("dashboard", PresencePage.of(null, room.getString("next")));
        assertEquals(List.of("u5", "u6"), rest.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId")).toList());
        assertFalse(rest.getBoolean("more"));
        assertEquals("u6", rest.getString("next"));
        assertEquals(500, PresencePage.of(null, null).limit(), "default and maximum 500");
    }

    @Test
    void aPageOutsideTheLimitsIsRefused() {
        for (Object limit : new Object[] {0, 501, "x", -1, 2.5, true}) {
            io.herald.HeraldException refused = org.junit.jupiter.api.Assertions.assertThrows(io.herald.HeraldException.class,
                    () -> PresencePage.of(limit, null), "limit " + limit);
            assertEquals(io.herald.ErrorCode.INVALID_PARAMETER, refused.code());
        }
        org.junit.jupiter.api.Assertions.assertThrows(io.herald.HeraldException.class, () -> PresencePage.of(10, 42));
    }
}
