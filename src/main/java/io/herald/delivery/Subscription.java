package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.auth.Principal;
import io.herald.delivery.filter.EventFilter;
import io.herald.event.BusEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's registration on one event type: the access its role was granted at register time,
 * and, while it recovers from history, the live events that arrive meanwhile. Touched only on the
 * connection's event loop.
 */
public final class Subscription {
    /** Live events one recovery holds back at most; past that it ends incomplete (the client reloads). */
    static final int MAX_BACKLOG = 10_000;

    final Connection connection;
    /** What the connection's claims allow; decided again when its token is refreshed. */
    public Access access;
    /** Events up to this seq are not delivered: the client has them (it recovered from there). */
    long afterSeq;
    /** Live events released while this subscription reads history; null when it is live. */
    List<BusEvent> backlog;
    boolean backlogOverflowed;
    boolean cancelled;
    /** The filter the client registered with (it only narrows what {@link #accepts} lets through), or null. */
    EventFilter filter;
    /** The stream's group of subscribers with the same filter, set while the stream holds this subscription; null: unfiltered. */
    FilterGroup group;

    public Subscription(Connection connection, Access access) {
        this(connection, access, null);
    }

    /** {@code filter}: the register's {@code filter} header, or null for every event the access allows. */
    public Subscription(Connection connection, Access access, EventFilter filter) {
        this.connection = connection;
        this.access = access;
        this.filter = filter;
    }

    /** The filter the subscription has now (a second register replaces it), or null. */
    public EventFilter filter() {
        return filter;
    }

    /**
     * Whether this subscriber gets the event: the per-message part of the rules, decided from fields
     * the publisher extracted once ({@code ownerId}, {@code target}), without touching the JSON.
     * "own" passes when the event's owner is the reader or the target names the reader's user id; a
     * target, when present, must match.
     */
    boolean accepts(BusEvent event) {
        if (event.seq() <= afterSeq) {
            return false;
        }
        if (access != Access.OWN && event.target() == null) {
            return true; // the common case, decided without reading the connection's principal
        }
        Principal reader = connection.principal();
        String userId = reader.userId();
        if (access == Access.OWN) {
            boolean owned = userId != null && (userId.equals(event.ownerId())
                    || event.target() != null && event.target().namesUser(userId));
            if (!owned) {
                return false;
            }
        }
        return event.target() == null || event.target().matches(userId, reader.role(), connection.rooms);
    }

    void startRecovery(long since) {
        afterSeq = since;
        backlog = new ArrayList<>();
    }

    /** Holds a live event back until the recovery is done. */
    void holdBack(BusEvent event) {
        if (backlogOverflowed) {
            return;
        }
        if (backlog.size() >= MAX_BACKLOG) {
            backlogOverflowed = true;
            backlog.clear();
            return;
        }
        backlog.add(event);
    }
}
