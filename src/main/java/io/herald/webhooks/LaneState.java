package io.herald.webhooks;

import io.herald.history.StreamPosition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Where one webhook stands on one event type's stream, as kept in the cluster (one entry per webhook and type): the
 * stream's epoch and the last {@code seq} the receiver accepted (or that a gap skipped to), the failures in a row and
 * the last error, and the gaps: events the receiver never got because history no longer held them ({@code trimmed}:
 * from, to, how many) or because the stream restarted ({@code restarted}: the old epoch and the last seq delivered of
 * it; the new stream is sent from its seq 1). The last {@link #MAX_GAPS} gaps are kept, all are counted.
 *
 * <p>Plain bookkeeping, no I/O: {@link WebhookLane} drives it, {@code LaneStateTest} covers it.
 */
public final class LaneState {
    public static final int MAX_GAPS = 10;

    /** What {@link #align} found. */
    public enum Step {
        /** A webhook seen for the first time on this stream: it starts after the stream's current tail. */
        STARTED,
        /** The stream has another epoch than the one followed: a gap, and the new stream is followed from its seq 1. */
        RESTARTED,
        /** History no longer holds the next event: a gap up to the oldest kept event. */
        TRIMMED,
        /** Read on from {@link #next()}. */
        READ
    }

    private String epoch;
    private long seq;
    private String node;
    private int failures;
    private JsonObject lastError;
    private JsonArray gaps = new JsonArray();
    private long gapCount;
    private long lostEvents;
    private long delivered;

    /** A lane with no position yet. */
    public LaneState() {
    }

    public String epoch() {
        return epoch;
    }

    /** The last seq delivered (or skipped past by a gap); 0 before the stream's first event. */
    public long seq() {
        return seq;
    }

    /** The seq to send next. */
    public long next() {
        return seq + 1;
    }

    public int failures() {
        return failures;
    }

    public JsonObject lastError() {
        return lastError;
    }

    public long lostEvents() {
        return lostEvents;
    }

    public long gapCount() {
        return gapCount;
    }

    /**
     * Lines the lane up with where its stream stands now (read from history): a first start, a restarted stream, events
     * history dropped, or nothing to do but read on. Every step but {@link Step#READ} changed the state, to be saved.
     * {@code lost} of a trimmed gap is what {@link #lastGapLost()} answers.
     */
    public Step align(StreamPosition position, long now) {
        if (epoch == null) {
            epoch = position.epoch();
            seq = position.tail();
            return Step.STARTED;
        }
        if (!epoch.equals(position.epoch())) {
            gap(new JsonObject().put("reason", "restarted").put("epoch", epoch).put("afterSeq", seq)
                    .put("newEpoch", position.epoch()).put("at", now));
            epoch = position.epoch();
            seq = 0;
            return Step.RESTARTED;
        }
        if (next() < position.head()) {
            long lost = position.head() - next();
            gap(new JsonObject().put("reason", "trimmed").put("epoch", epoch).put("fromSeq", next())
                    .put("toSeq", position.head() - 1).put("lost", lost).put("at", now));
            lostEvents += lost;
            seq = position.head() - 1;
            return Step.TRIMMED;
        }
        return Step.READ;
    }

    /** How many events the last gap skipped (0 for a restart: the old stream's unsent rest is unknown). */
    public long lastGapLost() {
        return gaps.isEmpty() ? 0 : gaps.getJsonObject(gaps.size() - 1).getLong("lost", 0L);
    }

    private void gap(JsonObject gap) {
        gaps.add(gap);
        while (gaps.size() > MAX_GAPS) {
            gaps.remove(0);
        }
        gapCount++;
    }

    /** The receiver accepted the event at {@code delivered}: the lane moves past it, its failure streak ends. */
    public void delivered(long deliveredSeq) {
        seq = deliveredSeq;
        failures = 0;
        delivered++;
    }

    /** An attempt at {@code failedSeq} failed (a status other than 2xx, a timeout, no connection). */
    public void failed(long failedSeq, String message, long now) {
        failures++;
        lastError = new JsonObject().put("seq", failedSeq).put("message", message).put("at", now).put("attempts", failures);
    }

    /** Which node sends now (shown by the API). */
    public void sentBy(String nodeId) {
        this.node = nodeId;
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("epoch", epoch).put("seq", seq).put("node", node).put("failures", failures)
                .put("delivered", delivered).put("gapCount", gapCount).put("lostEvents", lostEvents).put("gaps", gaps.copy());
        if (lastError != null) {
            json.put("lastError", lastError.copy());
        }
        return json;
    }

    public static LaneState fromJson(JsonObject json) {
        LaneState state = new LaneState();
        state.epoch = json.getString("epoch");
        state.seq = json.getLong("seq", 0L);
        state.node = json.getString("node");
        state.failures = json.getInteger("failures", 0);
        state.delivered = json.getLong("delivered", 0L);
        state.gapCount = json.getLong("gapCount", 0L);
        state.lostEvents = json.getLong("lostEvents", 0L);
        state.gaps = json.getJsonArray("gaps", new JsonArray()).copy();
        state.lastError = json.getJsonObject("lastError");
        return state;
    }
}
