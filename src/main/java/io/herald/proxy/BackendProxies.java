package io.herald.proxy;

import io.herald.auth.RoleMatrix;
import io.herald.bridge.ConnectionPolicy;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.stats.NodeStats;
import io.herald.webhooks.TypeMatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The proxies to the backend {@code proxy.*} configures, as policies of the bridge (docs/backends.md#proxies): none
 * when both are off, so that a node without them pays nothing. Deployed as a verticle, it owns the proxies' HTTP
 * clients and circuit breakers: undeploying it (as a node's shutdown does) closes them, with their connections to the
 * backend and their reset timers.
 */
public final class BackendProxies extends VerticleBase {
    private final List<ProxyClient> clients = new ArrayList<>();
    private final List<ConnectionPolicy> policies = new ArrayList<>();

    public BackendProxies(Vertx vertx, HeraldConfig config, RoleMatrix roles, EventCatalog catalog, NodeStats stats) {
        HeraldConfig.Proxies proxies = config.proxy();
        if (proxies.connect() != null) {
            ProxyClient client = new ProxyClient(vertx, "connect", proxies.connect(),
                    Set.of(ConnectAnswer.ALLOW, ConnectAnswer.NO_IDENTITY, ConnectAnswer.REFUSE), stats);
            clients.add(client);
            policies.add(new ConnectProxy(client, proxies.connectHeaders(), roles, config.auth()));
        }
        if (proxies.publish() != null) {
            Set<String> types = new LinkedHashSet<>(TypeMatch.resolve(proxies.publishTypes(), catalog, "proxy.publish.types"));
            ProxyClient client = new ProxyClient(vertx, "publish", proxies.publish(), Set.of(PublishProxy.ALLOW, PublishProxy.REFUSE), stats);
            clients.add(client);
            policies.add(new PublishProxy(client, types));
        }
    }

    /** {@code policies} followed by the configured proxies (the same list when none is). */
    public List<ConnectionPolicy> append(List<ConnectionPolicy> policies) {
        if (this.policies.isEmpty()) {
            return policies;
        }
        List<ConnectionPolicy> all = new ArrayList<>(policies);
        all.addAll(this.policies);
        return List.copyOf(all);
    }

    /** The proxies' clients (none when both are off). */
    List<ProxyClient> clients() {
        return List.copyOf(clients);
    }

    @Override
    public Future<?> start() {
        return Future.succeededFuture();
    }

    /** Closes every proxy's HTTP client (its pooled connections to the backend) and circuit breaker. */
    @Override
    public Future<?> stop() {
        List<Future<Void>> closed = new ArrayList<>();
        for (ProxyClient client : clients) {
            closed.add(client.close());
        }
        return Future.join(closed);
    }
}
