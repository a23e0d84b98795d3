package io.herald.demo;

import io.herald.event.EventPublisher;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Dev mode's built-in shop: publishes a {@link DemoScenario} event every interval (HERALD_DEMO). */
public final class DemoVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(DemoVerticle.class.getName());

    private final EventPublisher publisher;
    private final long intervalMs;

    public DemoVerticle(EventPublisher publisher, long intervalMs) {
        this.publisher = publisher;
        this.intervalMs = intervalMs;
    }

    @Override
    public Future<?> start() {
        DemoScenario scenario = new DemoScenario(new Random());
        vertx.setPeriodic(intervalMs, id -> publisher.publish(scenario.next())
                .onFailure(err -> LOG.log(Level.WARNING, "demo publish failed", err)));
        return Future.succeededFuture();
    }
}
