package io.herald.http;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** HTTPS and WSS on the node's one port, from the PEM certificate (chain) and private key of {@code http.tlsCert}/{@code http.tlsKey}. */
public final class Tls {
    static final String KEYS = "http.tlsCert (" + HeraldConfig.ENV_TLS_CERT + ") / http.tlsKey (" + HeraldConfig.ENV_TLS_KEY + ")";

    private Tls() {
    }

    /**
     * Turns TLS on in {@code options} when the config names a certificate; the files are read once here, off
     * the event loop, so that a missing or malformed file stops the node with a message naming the keys
     * rather than failing every handshake.
     */
    public static Future<HttpServerOptions> configure(Vertx vertx, HeraldConfig.Http http, HttpServerOptions options) {
        if (!http.tls()) {
            return Future.succeededFuture(options);
        }
        PemKeyCertOptions pem = new PemKeyCertOptions()
                .setCertPath(http.tlsCert().toAbsolutePath().toString())
                .setKeyPath(http.tlsKey().toAbsolutePath().toString());
        return vertx.executeBlocking(() -> pem.getKeyManagerFactory(vertx))
                .recover(err -> Future.failedFuture(new ConfigException(KEYS,
                        "cannot use " + http.tlsCert() + " and " + http.tlsKey() + " as PEM certificate and key (" + err + ")")))
                .map(loaded -> options.setSsl(true).setKeyCertOptions(pem));
    }
}
