package io.herald.delivery;

import io.herald.CloseReason;
import io.herald.auth.Principal;
import io.herald.log.LogLimiter;
import io.herald.Counters;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/** One authenticated browser connection: its socket, who it is, and what it has registered. Touched only on its event loop. */
public final class Connection {
    private static final LogLimiter SLOW = new LogLimiter(Logger.getLogger(Connection.class.getName()));
    public final ClientSocket socket;
    /** Null in unit tests. */
    private final Counters stats;
    private final String remoteAddress;
    /** The role it is counted under in the stats: the one of its current token. */
    public String countedRole;
    /** Set by the bridge when the connection opens: applies a refreshed token; null in unit tests. */
    public java.util.function.Function<Principal, Refresh> refresher;
    private Principal principal;
    /** Event type → this connection's subscription to it. */
    public final Map<String, Subscription> subscriptions = new HashMap<>();
    /** The rooms events may target this connection by (see {@link io.herald.event.Target}); kept by the rooms policy. */
    final Set<String> rooms = new HashSet<>(4);
    /** Frames that arrived (and were admitted: counted, rate-checked, decoded by the bridge) while an earlier one was still being handled; handled in order after it. */
    public final ArrayDeque<Object> waitingFrames = new ArrayDeque<>();
    public boolean handlingFrame;
    /** Replies (to send frames) the client still waits for. */
    public int pendingReplies;
    /** When the client last showed it is alive (a frame, a pong), in ms. */
    public long lastSeen = System.currentTimeMillis();
    private CloseReason closedFor;

    public Connection(ClientSocket socket, Principal principal) {
        this(socket, principal, null);
    }

    public Connection(ClientSocket socket, Principal principal, Counters stats) {
        this.socket = socket;
        this.principal = principal;
        this.stats = stats;
        this.remoteAddress = socket == null ? null : socket.remoteAddress();
        this.countedRole = principal.role();
    }

    public Principal principal() {
        return principal;
    }

    /**
     * A refreshed token for the same user: its claims apply from now on, to everything decided from them
     * (subscriptions, ownership, rooms, presence, stats), as the bridge and its policies decide again; a
     * {@link io.herald.HeraldException} refuses the claims and changes nothing. Says what was dropped.
     */
    public Refresh replacePrincipal(Principal refreshed) {
        if (refresher != null) {
            return refresher.apply(refreshed);
        }
        Refresh refresh = new Refresh(principal, subscriptions.keySet());
        this.principal = refreshed;
        return refresh;
    }

    /** Swaps the claims (the bridge, on a refresh). */
    public void principal(Principal refreshed) {
        this.principal = refreshed;
    }

    /** The client's IP address as the node sees it. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** Puts the connection in a room; false when it was in it already. */
    public boolean join(String room) {
        return rooms.add(room);
    }

    /** Takes the connection out of a room; false when it was not in it. */
    public boolean leave(String room) {
        return rooms.remove(room);
    }

    public boolean inRoom(String room) {
        return rooms.contains(room);
    }

    /** The rooms the connection is in, read-only. */
    public Set<String> rooms() {
        return Collections.unmodifiableSet(rooms);
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** Why the hub closed this connection, or null while it is open (or the client closed it). */
    public CloseReason closedFor() {
        return closedFor;
    }

    /**
     * Closes the connection for a reason of the catalogue: an {@code err} frame without address saying
     * why, then the close with the reason's code. A client that reads nothing (a slow consumer, a silent
     * one) would never answer the close handshake: its connection is cut at once.
     */
    public void close(CloseReason reason, String message) {
        if (closedFor != null) {
            return;
        }
        closedFor = reason;
        if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.IDLE_TIMEOUT) {
            socket.abort();
            return;
        }
        String closing = BridgeFrames.closing(reason, message);
        if (stats != null) {
            stats.framesOut(1, Utf8.length(closing));
        }
        if (reason == CloseReason.SHUTDOWN || reason == CloseReason.UNAVAILABLE) {
            // the node is going away (or is cut off) with all its sockets: no close handshake to wait for
            socket.closeAtOnce(closing, reason.code(), reason.id());
        } else {
            socket.send(closing);
            socket.close(reason.code(), reason.id());
        }
    }

    /**
     * Sends a frame of this connection alone (a reply, an {@code err}) unless more than its outbound bound waits
     * for it already: a client that stops reading and keeps asking is then closed as a slow consumer, as one
     * that stops reading its events is. Answers whether the frame was written.
     */
    public boolean send(String frameJson) {
        if (closedFor != null) {
            return false;
        }
        if (overloaded()) {
            return false;
        }
        socket.send(frameJson);
        if (stats != null) {
            stats.framesOut(1, Utf8.length(frameJson));
        }
        return true;
    }

    /**
     * Whether more than the outbound bound waits to be sent to this client, what this turn wrote counting until it
     * is flushed (so it is flushed before judging); if so the connection is closed as a slow consumer.
     */
    boolean overloaded() {
        if (!socket.overloaded()) {
            return false;
        }
        socket.flush();
        if (!socket.overloaded()) {
            return false;
        }
        SLOW.info("slow", "closing a slow consumer (" + principal.userId() + " at " + remoteAddress + ")");
        close(CloseReason.SLOW_CONSUMER, "more than the outbound bound waited for this connection");
        return true;
    }
}
