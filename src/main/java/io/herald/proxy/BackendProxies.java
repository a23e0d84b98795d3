package io.herald.proxy;

import io.herald.auth.RoleMatrix;
import io.herald.bridge.ConnectionPolicy;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.stats.NodeStats;
import io.herald.webhooks.TypeMatch;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The proxies to the backend {@code proxy.*} configures, as policies of the bridge (docs/backends.md#proxies): none
 * when both are off, so that a node without them pays nothing.
 */
public final class BackendProxies {
    private BackendProxies() {
    }

    /** {@code policies} followed by the configured proxies (the same list when none is). */
    public static List<ConnectionPolicy> append(List<ConnectionPolicy> policies, Vertx vertx, HeraldConfig config, RoleMatrix roles,
                                                EventCatalog catalog, NodeStats stats) {
        HeraldConfig.Proxies proxies = config.proxy();
        if (proxies.connect() == null && proxies.publish() == null) {
            return policies;
        }
        List<ConnectionPolicy> all = new ArrayList<>(policies);
        if (proxies.connect() != null) {
            all.add(new ConnectProxy(new ProxyClient(vertx, "connect", proxies.connect(),
                    Set.of(ConnectAnswer.ALLOW, ConnectAnswer.NO_IDENTITY, ConnectAnswer.REFUSE), stats),
                    proxies.connectHeaders(), roles, config.auth()));
        }
        if (proxies.publish() != null) {
            Set<String> types = new LinkedHashSet<>(TypeMatch.resolve(proxies.publishTypes(), catalog, "proxy.publish.types"));
            all.add(new PublishProxy(new ProxyClient(vertx, "publish", proxies.publish(),
                    Set.of(PublishProxy.ALLOW, PublishProxy.REFUSE), stats), types));
        }
        return List.copyOf(all);
    }
}
