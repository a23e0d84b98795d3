package io.herald.bridge;

import io.herald.CloseReason;
import io.herald.Counters;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.AuthRequests;
import io.herald.auth.BearerTokens;
import io.herald.auth.Principal;
import io.herald.delivery.BridgeFrames;
import io.herald.delivery.ClientSocket;
import io.herald.delivery.Connection;
import io.herald.log.LogLimiter;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * How a socket becomes a {@link Connection}, once, when it opens: refused at once while the node takes none;
 * counted by the policies' {@code onAttempt} before the token costs anything; paused while the token (from the
 * query or the Authorization header) is checked by the auth verticle; then each policy's {@code checkClaims} and
 * {@code onOpen} in turn. When one refuses, those that had admitted it hear that it closed (what they counted is
 * given back), and the client gets an {@code err} frame and the close that goes with the code. A connection
 * whose client left meanwhile is closed to the policies; the others go to {@code open}.
 */
final class OpenChain {
    /** The bridge's logger: refused connections are the bridge's lines, one per kind every few seconds, never a token. */
    private static final LogLimiter NOTABLE = new LogLimiter(Logger.getLogger(SocketBridge.class.getName()));
    private static final Future<Void> DONE = Future.succeededFuture();

    private final EventBus bus;
    private final Counters stats;
    private final List<ConnectionPolicy> policies;
    private final Supplier<CloseReason> refusing;
    private final Consumer<Connection> open;

    OpenChain(EventBus bus, Counters stats, List<ConnectionPolicy> policies, Supplier<CloseReason> refusing, Consumer<Connection> open) {
        this.bus = bus;
        this.stats = stats;
        this.policies = policies;
        this.refusing = refusing;
        this.open = open;
    }

    void start(ClientSocket socket) {
        CloseReason refused = refusing.get();
        if (refused != null) {
            refuse(socket, new HeraldException(ErrorCode.UNAVAILABLE, refused == CloseReason.SHUTDOWN
                    ? "this node is shutting down; connect to another one"
                    : "this node is cut off from most of its cluster; connect to another one"), refused);
            return;
        }
        try {
            // counted before the token costs anything: a flood of bad tokens is limited like any other
            policies.forEach(policy -> policy.onAttempt(socket.remoteAddress()));
        } catch (RuntimeException e) {
            HeraldException refusal = HeraldException.from(e);
            refuse(socket, refusal, CloseReason.forRefusal(refusal.code()));
            return;
        }
        socket.pause();
        boolean[] closedEarly = {false};
        socket.closeHandler(v -> closedEarly[0] = true);
        String token = BearerTokens.fromRequest(socket.uri(), socket.headers());
        // without a token, a policy may authenticate the connection another way (the connect proxy); no identity: as before
        Future<Principal> other = token == null || token.isEmpty() ? authenticated(socket) : null;
        Future<Principal> principal = other == null ? verify(token)
                : other.compose(claims -> claims != null ? Future.succeededFuture(claims) : verify(null));
        principal
                .map(claims -> new Connection(socket, claims, stats))
                .compose(connection -> opened(connection).map(connection))
                .onSuccess(connection -> {
                    if (closedEarly[0]) {
                        policies.forEach(policy -> policy.onClose(connection));
                    } else {
                        open.accept(connection);
                    }
                })
                .onFailure(err -> {
                    HeraldException refusal = HeraldException.from(err);
                    refuse(socket, refusal, CloseReason.forRefusal(refusal.code()));
                });
    }

    private Future<Principal> verify(String token) {
        return AuthRequests.verify(bus, token).map(reply -> Principal.fromJson(reply.body()));
    }

    /** The first policy's answer that authenticates a connection without a token, or null when none does. */
    private Future<Principal> authenticated(ClientSocket socket) {
        for (ConnectionPolicy policy : policies) {
            Future<Principal> claims;
            try {
                claims = policy.authenticate(socket);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            if (claims != null) {
                return claims;
            }
        }
        return null;
    }

    /**
     * Asks each policy in turn whether the connection may open; when one refuses, those that had admitted
     * it hear that it closed (so that what they counted is given back).
     */
    private Future<Void> opened(Connection connection) {
        try {
            for (ConnectionPolicy policy : policies) {
                policy.checkClaims(connection, connection.principal());
            }
        } catch (HeraldException refused) {
            return Future.failedFuture(refused);
        }
        return openedFrom(connection, 0);
    }

    private Future<Void> openedFrom(Connection connection, int index) {
        if (index == policies.size()) {
            return DONE;
        }
        return policies.get(index).onOpen(connection).compose(
                admitted -> openedFrom(connection, index + 1).onFailure(refused -> policies.get(index).onClose(connection)),
                Future::failedFuture);
    }

    private void refuse(ClientSocket socket, HeraldException refusal, CloseReason reason) {
        stats.refused(refusal.code());
        NOTABLE.info("refused:" + refusal.code().id(), "connection from " + socket.remoteAddress() + " refused: "
                + refusal.code().id() + ": " + refusal.getMessage());
        stats.closed(reason);
        socket.send(BridgeFrames.refusal(refusal.code(), refusal.getMessage(), reason));
        socket.close(reason.code(), reason.id());
    }
}
