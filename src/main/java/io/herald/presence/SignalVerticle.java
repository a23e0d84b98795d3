package io.herald.presence;

import io.herald.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/** This node's one consumer of the other nodes' room signals ({@link Addresses#SIGNAL}), and the sweep of expired ones. */
public final class SignalVerticle extends VerticleBase {
    static final long SWEEP_MS = 1000;
    private final Signals signals;

    public SignalVerticle(Signals signals) {
        this.signals = signals;
    }

    @Override
    public Future<?> start() {
        vertx.setPeriodic(SWEEP_MS, id -> signals.store().sweep());
        return vertx.eventBus().<JsonObject>consumer(Addresses.SIGNAL, message -> signals.received(message.body())).completion();
    }
}
