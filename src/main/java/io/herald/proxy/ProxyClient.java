package io.herald.proxy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.HeraldConfig;
import io.herald.log.LogLimiter;
import io.herald.stats.NodeStats;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One proxy's HTTP side (vertx-core's {@link HttpClient}, never blocking): POSTs a JSON body to the backend and answers
 * its status and JSON body. Every request is bounded three ways, and each bound fails closed with {@code unavailable}:
 * <ul>
 *   <li>a timeout ({@code timeoutMs}: no complete answer by then, the request is reset);</li>
 *   <li>a cap on the requests in flight on this node ({@code maxConcurrent}): one more is refused at once, unsent;</li>
 *   <li>a circuit breaker (vertx-circuit-breaker): {@code breakerFailures} failures within {@link #FAILURE_WINDOW_MS}
 *       open it; while open every request is refused at once; after {@code breakerResetMs} one request tries the
 *       backend (half-open) and closes it again when it succeeds.</li>
 * </ul>
 * A failure is no connection, a timeout, a status the proxy does not expect, or a body that is not a JSON object
 * (for a 200) or is larger than {@link #MAX_ANSWER_BYTES}. The expected statuses (the backend's "yes" and "no") are
 * successes for the breaker: a backend that refuses is a healthy one.
 */
public final class ProxyClient {
    private static final LogLimiter NOTABLE = new LogLimiter(Logger.getLogger(ProxyClient.class.getName()));
    /** The breaker counts failures within this window. */
    static final long FAILURE_WINDOW_MS = 10_000;
    /** The largest answer read from the backend; a larger one is a failure (memory stays bounded). */
    static final int MAX_ANSWER_BYTES = 1 << 20;

    /** The backend's answer: its status and its body when that is a JSON object (else null). */
    public record Answer(int status, JsonObject body) {
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final String name;
    private final HeraldConfig.BackendProxy config;
    private final Set<Integer> expected;
    private final NodeStats stats;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    /**
     * {@code name}: {@code connect} or {@code publish} (stats, messages); {@code expected}: the statuses that are answers
     * (200 and the refusals), every other one a failure.
     */
    public ProxyClient(Vertx vertx, String name, HeraldConfig.BackendProxy config, Set<Integer> expected, NodeStats stats) {
        this.vertx = vertx;
        this.name = name;
        this.config = config;
        this.expected = Set.copyOf(expected);
        this.stats = stats;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        .setConnectTimeout(config.timeoutMs()),
                new PoolOptions().setHttp1MaxSize(config.maxConcurrent()));
        this.breaker = breaker(vertx, "herald-proxy-" + name, config)
                .openHandler(v -> {
                    stats.proxyBreaker(name, 2);
                    NOTABLE.warning("proxy-open:" + name, "the " + name + " proxy's circuit opened: its backend failed "
                            + config.breakerFailures() + " times within " + FAILURE_WINDOW_MS / 1000 + " s; refusing (unavailable) for "
                            + config.breakerResetMs() + " ms");
                })
                .halfOpenHandler(v -> stats.proxyBreaker(name, 1))
                .closeHandler(v -> {
                    stats.proxyBreaker(name, 0);
                    NOTABLE.info("proxy-closed:" + name, "the " + name + " proxy's circuit closed: its backend answers again");
                });
        stats.proxyBreaker(name, 0);
    }

    /** The breaker of a proxy: its own timeout off (each request has one), no event-bus notifications. */
    static CircuitBreaker breaker(Vertx vertx, String name, HeraldConfig.BackendProxy config) {
        return CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
                .setMaxFailures(config.breakerFailures())
                .setResetTimeout(config.breakerResetMs())
                .setFailuresRollingWindow(FAILURE_WINDOW_MS)
                .setTimeout(-1)
                .setMaxRetries(0)
                .setFallbackOnFailure(false)
                .setNotificationAddress(null));
    }

    public String name() {
        return name;
    }

    public CircuitBreakerState state() {
        return breaker.state();
    }

    /** Requests sent and not answered yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /** POSTs {@code body}; an expected status is the answer, anything else fails with {@code unavailable}. */
    public Future<Answer> post(JsonObject body) {
        if (closed) {
            return unavailable("this node is stopping");
        }
        if (breaker.state() == CircuitBreakerState.OPEN) {
            stats.proxyRejected(name);
            return unavailable("the backend is failing (circuit open); try again later");
        }
        if (inFlight.incrementAndGet() > config.maxConcurrent()) {
            inFlight.decrementAndGet();
            stats.proxyRejected(name);
            return unavailable(config.maxConcurrent() + " requests to the backend are in flight on this node; try again later");
        }
        Buffer payload = body.toBuffer();
        return breaker.<Answer>execute(() -> send(payload))
                .andThen(done -> inFlight.decrementAndGet())
                .recover(err -> {
                    if (err instanceof OpenCircuitException) {
                        // half-open: one request tries the backend, the others are refused as while open
                        stats.proxyRejected(name);
                        return unavailable("the backend is failing (circuit open); try again later");
                    }
                    return unavailable(err.getMessage());
                });
    }

    /**
     * Closes the HTTP client (its pooled connections to the backend; requests still in flight fail, {@code unavailable})
     * and the circuit breaker (its reset timer); a request after this is refused at once. Its owner's stop calls it.
     */
    public Future<Void> close() {
        closed = true;
        breaker.close();
        return client.close();
    }

    private <T> Future<T> unavailable(String why) {
        return Future.failedFuture(new HeraldException(ErrorCode.UNAVAILABLE, "the " + name + " proxy: " + why));
    }

    /** One request, counted; fails (for the breaker) on a timeout, no connection, an unexpected status or an unreadable answer. */
    private Future<Answer> send(Buffer payload) {
        stats.proxyCalled(name);
        Promise<Answer> result = Promise.promise();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        int timeoutMs = config.timeoutMs();
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (result.tryFail(new Failure("no answer within " + timeoutMs + " ms"))) {
                stats.proxyTimedOut(name);
                NOTABLE.info("proxy-timeout:" + name, "the " + name + " proxy's backend gave no answer within " + timeoutMs + " ms");
                if (sent[0] != null) {
                    sent[0].reset();
                }
            }
        });
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.url())
                .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "Herald-Proxy");
        client.request(options)
                .compose(request -> {
                    sent[0] = request;
                    return request.send(payload);
                })
                .compose(response -> {
                    Buffer answer = Buffer.buffer();
                    Promise<Buffer> read = Promise.promise();
                    response.handler(chunk -> {
                        if (answer.length() + chunk.length() > MAX_ANSWER_BYTES) {
                            read.tryFail(new Failure("an answer over " + MAX_ANSWER_BYTES + " bytes"));
                            response.request().reset();
                        } else {
                            answer.appendBuffer(chunk);
                        }
                    });
                    response.endHandler(v -> read.tryComplete(answer));
                    response.exceptionHandler(read::tryFail);
                    int status = response.statusCode();
                    return read.future().map(bytes -> answer(status, bytes));
                })
                .onComplete(done -> {
                    vertx.cancelTimer(timer);
                    if (done.succeeded()) {
                        result.tryComplete(done.result());
                    } else if (!result.future().isComplete()) {
                        Throwable cause = done.cause();
                        String why = cause instanceof Failure ? cause.getMessage()
                                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                        if (result.tryFail(new Failure(why))) {
                            stats.proxyFailed(name);
                            NOTABLE.info("proxy-failure:" + name, "the " + name + " proxy's backend failed: " + why);
                        }
                    }
                });
        return result.future();
    }

    private Answer answer(int status, Buffer bytes) {
        if (!expected.contains(status)) {
            throw new Failure("the backend answered HTTP " + status);
        }
        JsonObject json = null;
        if (bytes.length() > 0) {
            try {
                Object value = io.vertx.core.json.Json.decodeValue(bytes);
                json = value instanceof JsonObject object ? object : null;
            } catch (DecodeException e) {
                json = null;
            }
        }
        if (status == 200 && json == null) {
            throw new Failure("the backend's 200 answer is not a JSON object");
        }
        return new Answer(status, json);
    }

    /** Why a request failed, in words (never the URL, which may hold credentials). */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }
}
