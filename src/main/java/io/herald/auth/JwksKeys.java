package io.herald.auth;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The identity provider's keys as this node knows them, shared by every auth instance (one per event loop): the last
 * set fetched (null until one arrives: the node is unready meanwhile), the fetch counts and the last error, for
 * {@code /ready} and the stats. {@link JwksVerticle} does the fetching; a token naming an unknown {@code kid}
 * joins a fetch in flight or starts one, at most once per {@code auth.jwksMinRefetchSeconds}. Thread-safe.
 */
public final class JwksKeys {
    private final HeraldConfig.Jwks config;
    private final LongSupplier clock;
    private final JwksSchedule schedule;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile JwkSet set;
    private volatile String lastError;
    private volatile long fetchedAt;
    private volatile long nextFetchAt;
    private Supplier<Future<JwkSet>> fetcher;
    private Future<JwkSet> inFlight;

    public JwksKeys(HeraldConfig.Jwks config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.schedule = new JwksSchedule(config);
    }

    public HeraldConfig.Jwks config() {
        return config;
    }

    /** The keys, or null while none were ever fetched. */
    public JwkSet current() {
        return set;
    }

    public boolean loaded() {
        return set != null;
    }

    /** The one way to fetch: {@link JwksVerticle} gives it (the fetch runs on its context). */
    synchronized void fetcher(Supplier<Future<JwkSet>> fetcher) {
        this.fetcher = fetcher;
    }

    /** Starts a fetch, or joins the one in flight. */
    synchronized Future<JwkSet> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        if (fetcher == null) {
            return Future.failedFuture("the JWKS fetcher is not running");
        }
        Future<JwkSet> started = fetcher.get();
        inFlight = started;
        started.onComplete(done -> {
            synchronized (this) {
                if (inFlight == started) {
                    inFlight = null;
                }
            }
        });
        return started;
    }

    /**
     * A token names a {@code kid} the set lacks: the fetch in flight, or a new one if the last such fetch is at least
     * {@code auth.jwksMinRefetchSeconds} old; null when neither (the token is refused at once).
     */
    public synchronized Future<JwkSet> refetchForUnknownKid() {
        if (inFlight != null) {
            return inFlight;
        }
        return schedule.mayRefetchForUnknownKid(clock.getAsLong()) ? fetch() : null;
    }

    /** A fetch brought {@code fetched}: it replaces the set; answers the wait until the next one. */
    synchronized long fetched(JwkSet fetched, String cacheControl) {
        fetches.incrementAndGet();
        set = fetched;
        lastError = null;
        fetchedAt = clock.getAsLong();
        long delay = schedule.afterSuccess(cacheControl);
        nextFetchAt = fetchedAt + delay;
        return delay;
    }

    /** A fetch failed ({@code why}, never a token): the set in use stays; answers the wait until the next attempt. */
    synchronized long failed(String why) {
        fetches.incrementAndGet();
        failures.incrementAndGet();
        lastError = why;
        long delay = schedule.afterFailure();
        nextFetchAt = clock.getAsLong() + delay;
        return delay;
    }

    /** JWKS requests made (successful or not). */
    public long fetches() {
        return fetches.get();
    }

    /** JWKS requests that failed (no answer, not 200, not a key set, no usable key). */
    public long failures() {
        return failures.get();
    }

    /** Keys in the set in use. */
    public int keyCount() {
        JwkSet current = set;
        return current == null ? 0 : current.size();
    }

    /** What {@code /ready}'s {@code identity} check shows (no secret: the URL is the provider's public one). */
    public JsonObject status() {
        JwkSet current = set;
        List<String> kids = new ArrayList<>();
        if (current != null) {
            current.keys().forEach(key -> kids.add(key.kid() == null ? "(no kid)" : key.kid()));
        }
        long now = clock.getAsLong();
        JsonObject status = new JsonObject()
                .put("jwksUrl", config.url())
                .put("loaded", current != null)
                .put("keys", new JsonArray(kids))
                .put("fetches", fetches.get())
                .put("failures", failures.get())
                .put("lastError", lastError)
                .put("fetchedAgoMs", current == null ? null : now - fetchedAt)
                .put("nextFetchInMs", Math.max(0, nextFetchAt - now));
        if (current != null && !current.skipped().isEmpty()) {
            status.put("skipped", new JsonArray(current.skipped()));
        }
        if (current == null) {
            status.put("reason", "the identity provider's keys have not been fetched yet" + (lastError == null ? "" : ": " + lastError));
        }
        return status;
    }
}
