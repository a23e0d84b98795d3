package io.herald.limits;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection caps of a node: open connections on this node ({@code limits.connectionsPerNode}),
 * connection attempts per client IP per second on this node ({@code limits.connectAttemptsPerIpPerSecond},
 * a token bucket per IP holding one second's worth), and open connections per client IP across the whole
 * cluster ({@code limits.connectionsPerIp}).
 *
 * <p>The cluster-wide count costs nothing on the connect path beyond this node's own map: each node
 * counts its connections per IP, and every report interval publishes the IPs whose count here reached
 * the report threshold ({@code connectionsPerIp / 10}, at least 1) ({@link #report()}). A connect is
 * refused when this node's count for the IP plus the latest counts the other nodes reported for it
 * reach the cap. A node not heard from for {@link #EXPIRY_INTERVALS} intervals no longer counts. So the
 * cap is exact on one node; across N nodes it can be passed by what the others have not reported:
 * up to threshold − 1 connections per other node (their IPs under the threshold), plus what reaches
 * the other nodes within one interval before their next report. When all IPs are far below the cap,
 * nothing at all is published.
 *
 * <p>{@link #admit} and {@link #release} are called from any event loop; {@link #received},
 * {@link #report} and {@link #sweep} from one thread (the rate-limit verticle's).
 */
public final class ConnectionCounts {
    /** Intervals without a report after which a node's counts are dropped. */
    public static final int EXPIRY_INTERVALS = 3;

    /** The answer to a connect. */
    public enum Admission {
        ADMITTED,
        TOO_MANY_ATTEMPTS,
        NODE_FULL,
        IP_FULL
    }

    private final int perNode;
    private final int perIp;
    private final TokenBucket.Rate attemptRate;
    private final int reportThreshold;
    private final long expiryMs;
    private final AtomicInteger open = new AtomicInteger();
    /** This node's clients by IP; an entry changes only inside the map's compute for its key. */
    private final Map<String, Ip> byIp = new ConcurrentHashMap<>();
    /** The other nodes' latest reports, by node id (the verticle's thread only). */
    private final Map<String, Report> reports = new HashMap<>();
    /** The sum of the other nodes' reports per IP, replaced whole when a report comes or expires. */
    private volatile Map<String, Integer> elsewhere = Map.of();
    private boolean reportedNothing = true;

    private static final class Ip {
        volatile int open;
        final TokenBucket attempts;

        Ip(TokenBucket attempts) {
            this.attempts = attempts;
        }
    }

    private record Report(Map<String, Integer> counts, long at) {
    }

    public ConnectionCounts(int perNode, int perIp, int attemptsPerSecond, long reportIntervalMs) {
        this.perNode = perNode;
        this.perIp = perIp;
        this.attemptRate = TokenBucket.Rate.perSecond(attemptsPerSecond, attemptsPerSecond);
        this.reportThreshold = Math.max(1, perIp / 10);
        this.expiryMs = EXPIRY_INTERVALS * reportIntervalMs;
    }

    /** A connect from {@code ip}: counted (and to be {@link #release released} when it closes) if admitted. Every call is an attempt. */
    public Admission admit(String ip, long now) {
        return attempt(ip, now) ? admitAttempted(ip, now) : Admission.TOO_MANY_ATTEMPTS;
    }

    /**
     * A connection attempt from {@code ip}, counted when its transport opens, before its token is looked at: false
     * when the address made more than {@code connectAttemptsPerIpPerSecond} already (the attempt is refused).
     */
    public boolean attempt(String ip, long now) {
        boolean[] allowed = {true};
        byIp.compute(ip, (key, state) -> {
            Ip client = state != null ? state : new Ip(new TokenBucket(attemptRate, now));
            allowed[0] = client.attempts.tryTake(now);
            return client;
        });
        return allowed[0];
    }

    /**
     * A connect whose {@link #attempt} was allowed and whose token verified: counted (and to be {@link #release released}
     * when it closes) if the caps admit it. Never {@code TOO_MANY_ATTEMPTS}.
     */
    public Admission admitAttempted(String ip, long now) {
        Admission[] answer = {Admission.ADMITTED};
        byIp.compute(ip, (key, state) -> {
            // the entry may have been swept while the token was verified (no connection, bucket refilled)
            Ip client = state != null ? state : new Ip(new TokenBucket(attemptRate, now));
            if (client.open + elsewhere.getOrDefault(key, 0) >= perIp) {
                answer[0] = Admission.IP_FULL;
            } else if (open.incrementAndGet() > perNode) {
                open.decrementAndGet();
                answer[0] = Admission.NODE_FULL;
            } else {
                client.open++;
            }
            return client;
        });
        return answer[0];
    }

    /** An admitted connection closed. */
    public void release(String ip) {
        open.decrementAndGet();
        byIp.computeIfPresent(ip, (key, client) -> {
            client.open--;
            return client;
        });
    }

    /**
     * This node's counts for the IPs at or over the report threshold, for the other nodes; null when there
     * is nothing to say (none now, and none in the last report either).
     */
    public Map<String, Integer> report() {
        Map<String, Integer> counts = new HashMap<>();
        byIp.forEach((ip, client) -> {
            int n = client.open;
            if (n >= reportThreshold) {
                counts.put(ip, n);
            }
        });
        if (counts.isEmpty() && reportedNothing) {
            return null;
        }
        reportedNothing = counts.isEmpty();
        return counts;
    }

    /** Another node's report: it replaces that node's previous one. */
    public void received(String node, Map<String, Integer> counts, long now) {
        reports.put(node, new Report(Map.copyOf(counts), now));
        sumReports();
    }

    /** Drops the reports of nodes not heard from, and the IPs with no connection and a full attempt bucket. */
    public void sweep(long now) {
        if (reports.values().removeIf(report -> now - report.at() > expiryMs)) {
            sumReports();
        }
        for (String ip : byIp.keySet()) {
            byIp.computeIfPresent(ip, (key, client) -> client.open <= 0 && client.attempts.full(now) ? null : client);
        }
    }

    private void sumReports() {
        Map<String, Integer> sums = new HashMap<>();
        reports.values().forEach(report -> report.counts().forEach((ip, n) -> sums.merge(ip, n, Integer::sum)));
        elsewhere = Map.copyOf(sums);
    }

    /** Open connections on this node. */
    public int open() {
        return open.get();
    }

    /** Open connections from {@code ip} on this node. */
    public int openFrom(String ip) {
        Ip client = byIp.get(ip);
        return client == null ? 0 : client.open;
    }

    /** Connections from {@code ip} the other nodes reported. */
    public int elsewhere(String ip) {
        return elsewhere.getOrDefault(ip, 0);
    }

    /** IPs this node keeps an entry for (open connections or recent attempts). */
    public int trackedIps() {
        return byIp.size();
    }

    public int perNode() {
        return perNode;
    }

    public int perIp() {
        return perIp;
    }

    public int attemptsPerSecond() {
        return (int) Math.round(attemptRate.perMilli() * 1000);
    }
}
