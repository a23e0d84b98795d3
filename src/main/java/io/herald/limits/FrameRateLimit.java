package io.herald.limits;

import io.herald.CloseReason;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.delivery.Connection;
import io.herald.bridge.ConnectionPolicy;
import io.vertx.core.Future;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The inbound frame rate of each connection ({@link FrameRates}): a frame over it is refused with
 * {@code rate_limited} (not handled; the socket stays open), and a connection that keeps flooding
 * ({@code limits.floodCloseAfter} refusals in a row) is closed with reason {@code rate_limited}.
 * A connection's allowance is made when it opens and dropped when it closes: no timer per
 * connection, and about a hundred bytes each. A frame of a connection that has no allowance (one that
 * closed while earlier frames were still being handled) is refused.
 */
public final class FrameRateLimit implements ConnectionPolicy {
    private final FrameRates rates;
    private final LongSupplier clock;
    /** Shared by the node's event loops; each connection's entry is touched only from its own. */
    private final Map<Connection, FrameRates.Allowance> allowances = new ConcurrentHashMap<>();

    public FrameRateLimit(FrameRates rates, LongSupplier clock) {
        this.rates = rates;
        this.clock = clock;
    }

    @Override
    public Future<Void> onOpen(Connection connection) {
        allowances.put(connection, rates.newAllowance(connection.principal().role(), clock.getAsLong()));
        return Future.succeededFuture();
    }

    @Override
    public void onFrame(Connection connection, String kind) {
        if (!rates.limits(kind)) {
            return;
        }
        FrameRates.Allowance allowance = allowances.get(connection);
        if (allowance == null || connection.closedFor() != null) {
            // frames read before the close took effect: none is handled any more
            throw new HeraldException(ErrorCode.RATE_LIMITED, "the connection is closed");
        }
        switch (allowance.take(connection.principal().role(), kind, clock.getAsLong())) {
            case ACCEPTED -> { }
            case REFUSED -> throw new HeraldException(ErrorCode.RATE_LIMITED, "too many frames: slow down");
            case CLOSE -> {
                connection.close(CloseReason.RATE_LIMITED, allowance.refusedInRow() + " frames in a row over the rate limit");
                throw new HeraldException(ErrorCode.RATE_LIMITED, "too many frames: the connection is closed");
            }
        }
    }

    /** A frame dropped because too many wait already: a refused frame, towards closing the flood ({@code floodCloseAfter} in a row). */
    @Override
    public void onOverflow(Connection connection) {
        FrameRates.Allowance allowance = allowances.get(connection);
        if (allowance != null && connection.closedFor() == null && allowance.refuse() == FrameRates.Verdict.CLOSE) {
            connection.close(CloseReason.RATE_LIMITED, allowance.refusedInRow() + " frames in a row refused: too many frames wait for an earlier one");
        }
    }

    @Override
    public void onClose(Connection connection) {
        allowances.remove(connection);
    }

    /** Connections with an allowance (for tests and stats). */
    public int tracked() {
        return allowances.size();
    }
}
