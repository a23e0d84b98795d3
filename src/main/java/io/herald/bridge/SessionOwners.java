package io.herald.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Which token opened each SockJS fallback session (xhr, xhr_streaming, eventsource, htmlfile, jsonp). vertx-web
 * finds a session by the id in the URL alone, so without this anyone who learns an id could read what is queued for
 * the session or send frames as its owner. The first request of a session records a SHA-256 digest of its token (a
 * fixed digest when it has none); every later request must carry a token of the same digest, compared in constant
 * time. The digest, not the token's validity, is compared: sockjs-client keeps the URL it opened with, also after
 * the token was refreshed over the bridge.
 *
 * <p>One instance per Vert.x instance (the sessions are, too), shared by the HTTP verticles. It holds at most
 * {@code maxSessions} entries: an entry leaves {@link #CLOSED_GRACE_NANOS} after its session closed (vertx-web
 * keeps a closed session a few seconds), and an entry whose session never opened (a request vertx-web refused)
 * leaves after {@link #UNOPENED_TTL_NANOS}.
 */
public final class SessionOwners implements Shareable {
    public enum Outcome { ALLOWED, DENIED, FULL }

    static final long CLOSED_GRACE_NANOS = 10_000_000_000L;
    static final long UNOPENED_TTL_NANOS = 60_000_000_000L;
    static final long SWEEP_EVERY_NANOS = 2_000_000_000L;
    private static final String MAP = "herald.sockjs.owners";
    private static final byte[] ANONYMOUS = sha256(new byte[]{0});

    private static final class Owner {
        final byte[] digest;
        final long since;
        volatile boolean opened;
        volatile long closedAt = Long.MIN_VALUE;

        Owner(byte[] digest, long since) {
            this.digest = digest;
            this.since = since;
        }
    }

    private final ConcurrentHashMap<String, Owner> owners = new ConcurrentHashMap<>();
    private final int maxSessions;
    private final LongSupplier nanoClock;
    private final AtomicLong lastSweep;

    public SessionOwners(int maxSessions, LongSupplier nanoClock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive");
        }
        this.maxSessions = maxSessions;
        this.nanoClock = nanoClock;
        this.lastSweep = new AtomicLong(nanoClock.getAsLong());
    }

    /** The instance of this Vert.x instance (created by the first HTTP verticle that asks). */
    public static SessionOwners of(Vertx vertx, int maxSessions) {
        return vertx.sharedData().<String, SessionOwners>getLocalMap(MAP).computeIfAbsent(MAP, k -> new SessionOwners(maxSessions, System::nanoTime));
    }

    /** The digest a session is bound to: SHA-256 of the token, or the fixed anonymous digest for none. */
    static byte[] digest(String token) {
        if (token == null) {
            return ANONYMOUS;
        }
        byte[] text = token.getBytes(StandardCharsets.UTF_8);
        byte[] tagged = new byte[text.length + 1];
        tagged[0] = 1;
        System.arraycopy(text, 0, tagged, 1, text.length);
        return sha256(tagged);
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * A request of session {@code sessionId} carrying {@code token} (null: none). {@code opens}: the request may
     * create the session (a receiving transport); the first such request binds the session to its token. A request
     * that cannot open one (xhr_send, jsonp_send) on an id with no owner is allowed: vertx-web has no such session.
     */
    public Outcome check(String sessionId, String token, boolean opens) {
        byte[] digest = digest(token);
        Owner owner = owners.get(sessionId);
        if (owner == null) {
            if (!opens) {
                return Outcome.ALLOWED;
            }
            if (owners.size() >= maxSessions) {
                sweep(true);
                if (owners.size() >= maxSessions) {
                    return Outcome.FULL;
                }
            }
            Owner mine = new Owner(digest, nanoClock.getAsLong());
            owner = owners.putIfAbsent(sessionId, mine);
            if (owner == null) {
                return Outcome.ALLOWED;
            }
        }
        return MessageDigest.isEqual(owner.digest, digest) ? Outcome.ALLOWED : Outcome.DENIED;
    }

    /** vertx-web created the session (its socket handler ran). */
    public void opened(String sessionId) {
        Owner owner = owners.get(sessionId);
        if (owner != null) {
            owner.opened = true;
        }
    }

    /** The session closed; its entry stays a little, while vertx-web still answers for the closed session. */
    public void closed(String sessionId) {
        Owner owner = owners.get(sessionId);
        if (owner != null) {
            owner.closedAt = nanoClock.getAsLong();
        }
        sweep(false);
    }

    /** Removes the entries of sessions closed past the grace, and of sessions that never opened; at most every 2 s unless forced. */
    public void sweep(boolean force) {
        long now = nanoClock.getAsLong();
        long last = lastSweep.get();
        if (!force && now - last < SWEEP_EVERY_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        owners.values().removeIf(o -> o.closedAt != Long.MIN_VALUE ? now - o.closedAt >= CLOSED_GRACE_NANOS
                : !o.opened && now - o.since >= UNOPENED_TTL_NANOS);
    }

    public int size() {
        return owners.size();
    }

    /**
     * The session id and transport of a SockJS session path, {@code /eventbus/<server>/<session>/<transport>}
     * (after the bridge path; a query is ignored), or null for any other path.
     */
    public static String[] sessionAndTransport(String bridgePath, String path) {
        if (path == null || !path.startsWith(bridgePath + "/")) {
            return null;
        }
        int query = path.indexOf('?');
        String rest = path.substring(bridgePath.length() + 1, query < 0 ? path.length() : query);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String[] parts = rest.split("/", -1);
        // vertx-web serves only server and session ids of [^/.]+: any other path reaches no session, so it owns none
        // (else requests vertx-web answers 404 would fill the table)
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[0].indexOf('.') >= 0 || parts[1].indexOf('.') >= 0) {
            return null;
        }
        return new String[]{parts[1], parts[2]};
    }
}
