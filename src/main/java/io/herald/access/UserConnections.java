package io.herald.access;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Revocations;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's open connections by user (anonymous ones aside), so that a disconnect closes every connection of a
 * user with {@code revoked}, each on its own event loop. A connection whose token a revocation names, verified just
 * before the revocation arrived, is refused here ({@code token_revoked}).
 */
public final class UserConnections implements ConnectionPolicy {
    private final Revocations revocations;
    /** User id → its connections and the context (event loop) each lives on. */
    private final Map<String, Map<Connection, Context>> byUser = new ConcurrentHashMap<>();

    public UserConnections(Revocations revocations) {
        this.revocations = revocations;
    }

    @Override
    public Future<Void> onOpen(Connection connection) {
        String user = connection.principal().userId();
        if (user == null) {
            return Future.succeededFuture();
        }
        if (revocations.revoked(connection.principal(), System.currentTimeMillis())) {
            return Future.failedFuture(new HeraldException(ErrorCode.TOKEN_REVOKED, "this user's token is revoked: get a new token"));
        }
        Context context = Vertx.currentContext();
        byUser.compute(user, (key, connections) -> {
            Map<Connection, Context> all = connections != null ? connections : new ConcurrentHashMap<>();
            all.put(connection, context);
            return all;
        });
        return Future.succeededFuture();
    }

    @Override
    public void onClose(Connection connection) {
        String user = connection.principal().userId();
        if (user != null) {
            byUser.computeIfPresent(user, (key, connections) -> {
                connections.remove(connection);
                return connections.isEmpty() ? null : connections;
            });
        }
    }

    /** Closes every connection of these users on this node with {@code revoked}; answers how many it closed. */
    public Future<Integer> disconnect(Collection<String> users) {
        return close(users, connection -> true);
    }

    /**
     * Closes the connections of these users whose current token a revocation refuses, as a disconnect does: for a
     * revocation this node learns from the cluster's map rather than from the disconnect's message (which a node may
     * miss), so that a revoked token does not stay connected. Connections on newer tokens stay.
     */
    public Future<Integer> closeRevoked(Collection<String> users) {
        return close(users, connection -> revocations.revoked(connection.principal(), System.currentTimeMillis()));
    }

    private Future<Integer> close(Collection<String> users, java.util.function.Predicate<Connection> which) {
        Map<Context, List<Connection>> byContext = new HashMap<>();
        for (String user : users) {
            Map<Connection, Context> connections = byUser.get(user);
            if (connections != null) {
                connections.forEach((connection, context) -> byContext.computeIfAbsent(context, c -> new ArrayList<>()).add(connection));
            }
        }
        List<Future<Integer>> closed = new ArrayList<>();
        byContext.forEach((context, connections) -> {
            Promise<Integer> promise = Promise.promise();
            context.runOnContext(v -> {
                int n = 0;
                for (Connection connection : connections) {
                    if (connection.closedFor() == null && which.test(connection)) {
                        connection.close(CloseReason.REVOKED, "disconnected by an administrator: connect again only with a new token");
                        n++;
                    }
                }
                promise.complete(n);
            });
            closed.add(promise.future());
        });
        return Future.all(closed).map(all -> closed.stream().mapToInt(Future::result).sum());
    }

    /** Users with a connection on this node (for tests and stats). */
    public int users() {
        return byUser.size();
    }
}
