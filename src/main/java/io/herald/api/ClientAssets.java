package io.herald.api;

import io.herald.web.HttpResponses;

import io.herald.ErrorCode;
import io.herald.catalog.EventCatalog;
import io.herald.catalog.TypeScriptTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Herald's browser client, served by every node: {@code GET /client/herald.js} (an ES module, SockJS
 * bundled), {@code /client/react.js} (the React bindings; they import {@code react} and {@code ./herald.js})
 * and {@code /client/herald.d.ts} (typings with this node's event catalog). The scripts are built into the
 * jar by {@code mvn package} (src/main/js/build.mjs). Public files, like a CDN's: any origin may load them.
 */
public final class ClientAssets {
    static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    static final String TYPESCRIPT = "application/typescript; charset=utf-8";

    private final Asset heraldJs;
    private final Asset reactJs;
    private final Asset typings;

    public ClientAssets(EventCatalog catalog) {
        this.heraldJs = Asset.of(resource("/client/herald.js"), JAVASCRIPT);
        this.reactJs = Asset.of(resource("/client/react.js"), JAVASCRIPT);
        this.typings = heraldJs == null ? null : Asset.of(TypeScriptTypes.generate(catalog), TYPESCRIPT);
    }

    public void mount(Router router) {
        router.get("/client/herald.js").handler(ctx -> serve(ctx, heraldJs));
        router.get("/client/react.js").handler(ctx -> serve(ctx, reactJs));
        router.get("/client/herald.d.ts").handler(ctx -> serve(ctx, typings));
    }

    private static void serve(RoutingContext ctx, Asset asset) {
        if (asset == null) {
            HttpResponses.error(ctx, ErrorCode.NOT_FOUND, "the client was not built into this jar (mvn package builds it)", null);
            return;
        }
        ctx.response()
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .putHeader(HttpHeaders.ETAG, asset.etag)
                // revalidated on every load (a 304 when unchanged), so a new node version's client is picked up at once
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (asset.etag.equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType).end(asset.body);
    }

    private static String resource(String path) {
        try (InputStream in = ClientAssets.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Asset(Buffer body, String etag, String contentType) {
        static Asset of(String text, String contentType) {
            if (text == null) {
                return null;
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                return new Asset(Buffer.buffer(bytes), "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"", contentType);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
