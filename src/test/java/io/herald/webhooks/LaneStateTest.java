package io.herald.webhooks;

import io.herald.history.StreamPosition;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LaneStateTest {
    @Test
    void aNewLaneStartsAfterTheStreamsTailThenReadsOn() {
        LaneState state = new LaneState();
        assertEquals(LaneState.Step.STARTED, state.align(new StreamPosition("e1", 1, 41), 0));
        assertEquals("e1", state.epoch());
        assertEquals(42, state.next());
        assertEquals(LaneState.Step.READ, state.align(new StreamPosition("e1", 1, 45), 0));
        state.delivered(42);
        assertEquals(43, state.next());
        assertEquals(0, state.gapCount());
    }

    @Test
    void eventsHistoryDroppedAreAGapCountedAndSendingResumesAtTheOldestKept() {
        LaneState state = LaneState.fromJson(new JsonObject().put("epoch", "e1").put("seq", 10));
        assertEquals(LaneState.Step.TRIMMED, state.align(new StreamPosition("e1", 31, 50), 1234));
        assertEquals(31, state.next());
        assertEquals(20, state.lastGapLost());
        assertEquals(20, state.lostEvents());
        JsonObject gap = state.toJson().getJsonArray("gaps").getJsonObject(0);
        assertEquals(new JsonObject().put("reason", "trimmed").put("epoch", "e1").put("fromSeq", 11L).put("toSeq", 30L)
                .put("lost", 20L).put("at", 1234L), gap);
        assertEquals(LaneState.Step.READ, state.align(new StreamPosition("e1", 31, 50), 1234));
    }

    @Test
    void anotherEpochIsARestartFromTheNewStreamsFirstEvent() {
        LaneState state = LaneState.fromJson(new JsonObject().put("epoch", "old").put("seq", 7));
        assertEquals(LaneState.Step.RESTARTED, state.align(new StreamPosition("new", 1, 3), 99));
        assertEquals("new", state.epoch());
        assertEquals(1, state.next());
        assertEquals(0, state.lastGapLost());
        assertEquals(new JsonObject().put("reason", "restarted").put("epoch", "old").put("afterSeq", 7L).put("newEpoch", "new").put("at", 99L),
                state.toJson().getJsonArray("gaps").getJsonObject(0));
        // the new stream itself already trimmed: a second gap
        LaneState trimmed = LaneState.fromJson(new JsonObject().put("epoch", "old").put("seq", 7));
        trimmed.align(new StreamPosition("new", 5, 9), 1);
        assertEquals(LaneState.Step.TRIMMED, trimmed.align(new StreamPosition("new", 5, 9), 1));
        assertEquals(5, trimmed.next());
        assertEquals(2, trimmed.gapCount());
    }

    @Test
    void failuresCountInARowAndASuccessEndsTheStreakButKeepsTheLastError() {
        LaneState state = LaneState.fromJson(new JsonObject().put("epoch", "e").put("seq", 0));
        state.failed(1, "HTTP 500", 10);
        state.failed(1, "no answer within 1000 ms", 20);
        assertEquals(2, state.failures());
        assertEquals(new JsonObject().put("seq", 1L).put("message", "no answer within 1000 ms").put("at", 20L).put("attempts", 2),
                state.lastError());
        state.delivered(1);
        assertEquals(0, state.failures());
        assertEquals("no answer within 1000 ms", state.lastError().getString("message"));
    }

    @Test
    void onlyTheLastGapsAreKeptButAllAreCountedAndItRoundTripsThroughJson() {
        LaneState state = LaneState.fromJson(new JsonObject().put("epoch", "e").put("seq", 0));
        for (int i = 0; i < 25; i++) {
            state.align(new StreamPosition("e", state.next() + 2, state.next() + 5), i);
        }
        assertEquals(25, state.gapCount());
        assertEquals(50, state.lostEvents());
        assertEquals(LaneState.MAX_GAPS, state.toJson().getJsonArray("gaps").size());
        state.sentBy("node-1");
        LaneState copy = LaneState.fromJson(new JsonObject(state.toJson().encode()));
        assertEquals(state.toJson(), copy.toJson());
        assertNull(new LaneState().toJson().getString("epoch"));
    }
}
