package io.herald.sources.outbox;

import io.vertx.core.json.JsonObject;

/**
 * What {@code /ready} shows of the outbox on this node (its {@code sources} check, which never makes the node unready):
 * whether this node works the table, its connection's state and last error, the rows waiting. Written by the outbox's
 * verticle, read by the health check; each field on its own.
 */
public final class OutboxStatus {
    /** The connection's state: not this node's turn, connecting, up, down (with {@link #error}). */
    public enum State { STANDBY, CONNECTING, CONNECTED, DISCONNECTED }

    private final String table;
    private volatile State state = State.STANDBY;
    private volatile String error;
    private volatile long waiting = -1;
    private volatile long oldestAgeSeconds = -1;
    private volatile long lastPassAt;

    public OutboxStatus(String table) {
        this.table = table;
    }

    void state(State state, String error) {
        this.state = state;
        this.error = error;
    }

    void backlog(long waiting, long oldestAgeSeconds) {
        this.waiting = waiting;
        this.oldestAgeSeconds = oldestAgeSeconds;
    }

    void passed(long at) {
        this.lastPassAt = at;
    }

    public State state() {
        return state;
    }

    /** {@code {"table","worker","state","error"?,"waiting"?,"oldestAgeSeconds"?,"lastPassAt"?}}. */
    public JsonObject toJson() {
        State now = state;
        JsonObject json = new JsonObject().put("table", table).put("worker", now != State.STANDBY)
                .put("state", now.name().toLowerCase(java.util.Locale.ROOT));
        if (error != null) {
            json.put("error", error);
        }
        if (now != State.STANDBY && waiting >= 0) {
            json.put("waiting", waiting).put("oldestAgeSeconds", oldestAgeSeconds);
        }
        if (lastPassAt > 0) {
            json.put("lastPassAt", lastPassAt);
        }
        return json;
    }
}
