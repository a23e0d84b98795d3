package io.herald.limits;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.vertx.core.Future;

import java.util.function.LongSupplier;

/**
 * The connection caps ({@link ConnectionCounts}) on the bridge: every attempt is counted when its transport
 * opens, before its token is verified ({@link #onAttempt}), so a flood of bad tokens costs no verification
 * past the attempt rate; a connection over a cap is refused with
 * {@code too_many_connections} (an err frame, then a close with 4429). The client's IP is the one the
 * node sees (a proxy in front of the nodes makes all its clients one IP). A connection it admitted and a
 * later policy refused is released too: the bridge tells every policy that admitted it of its close.
 */
public final class ConnectionCaps implements ConnectionPolicy {
    private static final String UNKNOWN_ADDRESS = "unknown";

    private final ConnectionCounts counts;
    private final LongSupplier clock;

    public ConnectionCaps(ConnectionCounts counts, LongSupplier clock) {
        this.counts = counts;
        this.clock = clock;
    }

    private static String ip(Connection connection) {
        return connection.remoteAddress() == null ? UNKNOWN_ADDRESS : connection.remoteAddress();
    }

    @Override
    public void onAttempt(String remoteAddress) {
        if (!counts.attempt(remoteAddress == null ? UNKNOWN_ADDRESS : remoteAddress, clock.getAsLong())) {
            throw new HeraldException(ErrorCode.TOO_MANY_CONNECTIONS,
                    "more than " + counts.attemptsPerSecond() + " connection attempts a second from this address");
        }
    }

    @Override
    public Future<Void> onOpen(Connection connection) {
        String message = switch (counts.admitAttempted(ip(connection), clock.getAsLong())) {
            case ADMITTED -> null;
            case TOO_MANY_ATTEMPTS -> "more than " + counts.attemptsPerSecond() + " connection attempts a second from this address";
            case NODE_FULL -> "this node holds its " + counts.perNode() + " connections: connect to another";
            case IP_FULL -> counts.perIp() + " connections from this address are open already";
        };
        return message == null ? Future.succeededFuture() : Future.failedFuture(new HeraldException(ErrorCode.TOO_MANY_CONNECTIONS, message));
    }

    @Override
    public void onClose(Connection connection) {
        counts.release(ip(connection));
    }
}
