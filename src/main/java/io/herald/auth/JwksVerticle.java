package io.herald.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.logging.Logger;

/**
 * Fetches the identity provider's JWKS ({@code auth.jwksUrl}, from the configuration only) with vertx-core's
 * {@link HttpClient} into {@link JwksKeys}: once at start (the start waits for that first answer, success or not, so
 * a node whose provider answers is ready at once; one whose provider is down starts unready), then again when the
 * {@link JwksSchedule} says, and when a token names an unknown {@code kid}. A failed fetch keeps the keys in use and
 * retries with backoff. A body over {@value #MAX_BODY_BYTES} bytes, a status other than 200, or a document with no
 * usable key is a failure.
 */
public final class JwksVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(JwksVerticle.class.getName());
    static final int MAX_BODY_BYTES = 1 << 20;
    static final int TIMEOUT_MS = 10_000;

    private final JwksKeys keys;
    private HttpClient client;
    private long timer = -1;
    private String where;

    public JwksVerticle(JwksKeys keys) {
        this.keys = keys;
    }

    @Override
    public Future<?> start() {
        URI uri = URI.create(keys.config().url());
        where = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getPath();
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(TIMEOUT_MS).setIdleTimeout(TIMEOUT_MS)
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS).setKeepAlive(false));
        keys.fetcher(() -> {
            Promise<JwkSet> promise = Promise.promise();
            context.runOnContext(v -> fetchOnce().onComplete(promise));
            return promise.future();
        });
        // the first answer, good or bad, before the node goes on: a node that cannot reach its provider still starts
        return keys.fetch().otherwiseEmpty();
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return client == null ? Future.succeededFuture() : client.close();
    }

    /** One request; records the outcome in {@link JwksKeys} and sets the timer of the next one. */
    private Future<JwkSet> fetchOnce() {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(keys.config().url())
                .setConnectTimeout(TIMEOUT_MS).setIdleTimeout(TIMEOUT_MS)
                .putHeader(HttpHeaders.ACCEPT, "application/json, application/jwk-set+json")
                .putHeader(HttpHeaders.USER_AGENT, "Herald");
        String[] cacheControl = new String[1];
        Promise<JwkSet> result = Promise.promise();
        long deadline = vertx.setTimer(TIMEOUT_MS, id -> result.tryFail("no answer within " + TIMEOUT_MS + " ms"));
        client.request(options)
                .compose(request -> request.send())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        response.handler(chunk -> { });
                        return response.end().compose(v -> Future.failedFuture("HTTP " + response.statusCode()));
                    }
                    cacheControl[0] = response.getHeader(HttpHeaders.CACHE_CONTROL);
                    Buffer body = Buffer.buffer();
                    Promise<Buffer> read = Promise.promise();
                    response.handler(chunk -> {
                        if (body.length() + chunk.length() > MAX_BODY_BYTES) {
                            read.tryFail("a body over " + MAX_BODY_BYTES + " bytes");
                            response.request().reset();
                        } else {
                            body.appendBuffer(chunk);
                        }
                    });
                    response.exceptionHandler(read::tryFail);
                    response.endHandler(v -> read.tryComplete(body));
                    return read.future();
                })
                .map(body -> {
                    JwkSet set;
                    try {
                        set = JwkSet.parse(new JsonObject(body));
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("not a JWKS document (" + e.getMessage() + ")");
                    }
                    if (set.size() == 0) {
                        throw new IllegalArgumentException("no usable key in the JWKS " + set.skipped());
                    }
                    return set;
                })
                .onComplete(done -> {
                    vertx.cancelTimer(deadline);
                    if (done.succeeded()) {
                        result.tryComplete(done.result());
                    } else {
                        String why = done.cause().getMessage();
                        result.tryFail(done.cause().getClass().getSimpleName() + (why == null ? "" : ": " + why));
                    }
                });
        return result.future().andThen(done -> {
            long next;
            if (done.succeeded()) {
                JwkSet previous = keys.current();
                next = keys.fetched(done.result(), cacheControl[0]);
                if (previous == null || !previous.keys().equals(done.result().keys())) {
                    LOG.info("identity provider keys from " + where + ": " + done.result().size() + " usable"
                            + (done.result().skipped().isEmpty() ? "" : ", skipped " + done.result().skipped()) + "; next fetch in " + next / 1000 + " s");
                }
            } else {
                next = keys.failed(done.cause().getMessage());
                LOG.warning("identity provider keys from " + where + " could not be fetched (" + done.cause().getMessage() + "); "
                        + (keys.loaded() ? "the keys fetched before stay in use" : "tokens signed by the provider are refused meanwhile")
                        + "; next attempt in " + next + " ms");
            }
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            timer = vertx.setTimer(next, id -> {
                timer = -1;
                keys.fetch();
            });
        });
    }
}
