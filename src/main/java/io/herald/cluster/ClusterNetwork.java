package io.herald.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InterfacesConfig;
import io.herald.config.HeraldConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;

import java.util.regex.Pattern;

/**
 * Where the cluster's two transports listen and who may speak on them. Hazelcast binds only the address it
 * announces ({@code hazelcast.socket.bind.any=false}; with no {@code <interfaces>} in cluster.xml, that address is
 * {@code cluster.host}), never every interface. The Vert.x event bus between nodes speaks TLS with mutual
 * authentication when {@code cluster.tls.*} names a key and a trust: a peer whose certificate does not chain to the
 * trust neither sends nor receives a message. Hazelcast's open-source edition has no such option; its port stays
 * for the private network (docs/security.md).
 */
public final class ClusterNetwork {
    public static final String BIND_ANY = "hazelcast.socket.bind.any";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ClusterNetwork() {
    }

    /**
     * Hazelcast listens on {@code host} unless cluster.xml chose its interfaces or the bind itself. A host name (as
     * Kubernetes gives) is resolved once, at start, to its IPv4 address; an IPv6-only name or a wildcard is left to
     * Hazelcast's own choice, as before.
     */
    public static void bindTo(Config hazelcast, String host) {
        if (hazelcast.getProperty(BIND_ANY) == null) {
            hazelcast.setProperty(BIND_ANY, "false");
        }
        InterfacesConfig interfaces = hazelcast.getNetworkConfig().getInterfaces();
        String address = ipv4Of(host);
        if (!interfaces.isEnabled() && address != null && !address.equals("0.0.0.0")) {
            interfaces.setEnabled(true).addInterface(address);
        }
    }

    /** The host's IPv4 address: the literal itself, or a name resolved (blocking, at start only); null otherwise. */
    static String ipv4Of(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        if (IPV4.matcher(host).matches()) {
            return host;
        }
        try {
            for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host)) {
                if (address instanceof java.net.Inet4Address && !address.isAnyLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        } catch (java.net.UnknownHostException unresolved) {
            // left to Hazelcast, which will say what it cannot bind
        }
        return null;
    }

    /** TLS with mutual authentication on the event bus, when {@code tls} is enabled; else nothing changes. */
    public static void secure(EventBusOptions eventBus, HeraldConfig.ClusterTls tls) {
        if (tls == null || !tls.enabled()) {
            return;
        }
        // the event bus's client trusts every server certificate by default (EventBusOptions.DEFAULT_TRUST_ALL): a member
        // that joined Hazelcast and registered a consumer would receive this node's messages without the cluster's certificate
        eventBus.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false);
        if (tls.certPath() != null) {
            eventBus.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath().toString()).setKeyPath(tls.keyPath().toString()));
        } else {
            // PfxOptions, not the generic KeyStoreOptions: the clustered event bus copies only the JKS, PKCS#12 and PEM kinds
            eventBus.setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(tls.keyStorePassword()));
        }
        if (tls.trustPath() != null) {
            eventBus.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustPath().toString()));
        } else {
            eventBus.setTrustOptions(new PfxOptions().setPath(tls.trustStore().toString()).setPassword(tls.trustStorePassword()));
        }
    }
}
