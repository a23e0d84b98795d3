package io.herald.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Completable;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * vertx-hazelcast's cluster manager with {@link BusRoutes} between it and the event bus's node selector, told of every
 * membership change. Everything else is vertx-hazelcast's.
 */
public final class HeraldClusterManager extends HazelcastClusterManager {
    private final BusRoutes routes = new BusRoutes(super::getRegistrations, this::getNodeId);

    public HeraldClusterManager(Config config) {
        super(config);
    }

    public BusRoutes routes() {
        return routes;
    }

    @Override
    public void registrationListener(RegistrationListener selector) {
        routes.selector(selector);
        super.registrationListener(routes);
    }

    @Override
    public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
        long startedAt = routes.readStarts();
        super.getRegistrations(address, (registrations, failure) -> {
            if (failure == null) {
                routes.selectorRead(address, startedAt, registrations);
            }
            promise.complete(registrations, failure);
        });
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        super.memberAdded(event);
        routes.membershipChanged();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        super.memberRemoved(event);
        routes.membershipChanged();
    }

    @Override
    public void stateChanged(LifecycleEvent event) {
        super.stateChanged(event);
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
            routes.membershipChanged();
        }
    }

    @Override
    public void leave(Completable<Void> promise) {
        routes.stop();
        super.leave(promise);
    }
}
