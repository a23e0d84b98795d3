package io.herald.presence;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.bridge.ConnectionPolicy;
import io.herald.delivery.Connection;
import io.herald.limits.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code herald:signal} on the bridge: {@code send} {@code {"room","data","ttlMs"}} signals the room's other members (a
 * member of a room whose rule shows its members to each other; {@code access_denied} otherwise), at most
 * {@code limits.signalsPerSecond} a connection ({@code rate_limited}); {@code register} receives the signals of the
 * connection's rooms. A bad request ({@link SignalRequest}) is refused before it costs anything.
 */
public final class SignalPolicy implements ConnectionPolicy {
    private final Signals signals;
    private final TokenBucket.Rate rate;
    private final int perSecond;
    private final LongSupplier monotonic;
    private final Map<Connection, TokenBucket> buckets = new ConcurrentHashMap<>();

    public SignalPolicy(Signals signals, int signalsPerSecond, LongSupplier monotonic) {
        this.signals = signals;
        this.perSecond = signalsPerSecond;
        this.rate = TokenBucket.Rate.perSecond(signalsPerSecond, signalsPerSecond);
        this.monotonic = monotonic;
    }

    @Override
    public Map<String, ControlHandler> controls() {
        return Map.of(Signals.ADDRESS, this::signal);
    }

    @Override
    public Map<String, ControlChannel> channels() {
        return Map.of(Signals.ADDRESS, new ControlChannel() {
            @Override
            public void register(Connection connection) {
                signals.register(connection);
            }

            @Override
            public void unregister(Connection connection) {
                signals.unregister(connection);
            }
        });
    }

    @Override
    public void onClose(Connection connection) {
        buckets.remove(connection);
        signals.unregister(connection);
    }

    private Future<JsonObject> signal(Connection connection, JsonObject body) {
        SignalRequest request = SignalRequest.parse(body);
        String room = request.room();
        String role = connection.principal().role();
        if (!signals.signalRoom(room)) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "room " + room + " does not show its members to each other: no signals there");
        }
        if (!connection.inRoom(room)) {
            throw new HeraldException(ErrorCode.ACCESS_DENIED, "role " + role + " may signal only in rooms it joined; not in " + room);
        }
        long now = monotonic.getAsLong();
        TokenBucket bucket = buckets.computeIfAbsent(connection, c -> new TokenBucket(rate, now));
        if (!bucket.tryTake(now)) {
            throw new HeraldException(ErrorCode.RATE_LIMITED, "at most " + perSecond + " signals a second (limits.signalsPerSecond)");
        }
        long expiresAt = signals.send(connection, request);
        return Future.succeededFuture(new JsonObject().put("room", room).put("expiresAt", expiresAt));
    }
}
