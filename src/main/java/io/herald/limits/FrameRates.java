package io.herald.limits;

import io.herald.config.HeraldConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The inbound frame rates of a node, from {@code limits.*}: each connection has a bucket of
 * {@code framesPerMinuteByRole[role]} (else {@code framesPerMinute}) frames a minute holding up to
 * {@code framesBurst}; a kind named in {@code framesPerMinuteByKind} has a bucket of its own per
 * connection too (holding up to that rate or the burst, the smaller), and a frame needs a token from
 * both. {@code ping} frames take nothing from the connection's bucket (clients send them on a timer to
 * stay alive); only a {@code ping} entry in {@code framesPerMinuteByKind} limits them.
 * {@code floodCloseAfter} refused frames in a row, with none accepted between, close the connection.
 */
public final class FrameRates {
    /** The kind of keep-alive frames, exempt from the connection's bucket. */
    public static final String PING = "ping";

    /** What becomes of one frame. */
    public enum Verdict {
        ACCEPTED,
        /** Refused: over the rate. */
        REFUSED,
        /** Refused, and the connection has kept flooding: close it. */
        CLOSE
    }

    private final TokenBucket.Rate defaultRate;
    private final Map<String, TokenBucket.Rate> byRole = new HashMap<>();
    private final Map<String, Integer> kindIndex = new HashMap<>();
    private final TokenBucket.Rate[] kindRates;
    private final int floodCloseAfter;

    public FrameRates(HeraldConfig.Limits limits) {
        this(limits.framesPerMinute(), limits.framesBurst(), limits.framesPerMinuteByRole(), limits.framesPerMinuteByKind(),
                limits.floodCloseAfter());
    }

    public FrameRates(int framesPerMinute, int framesBurst, Map<String, Integer> byRole, Map<String, Integer> byKind, int floodCloseAfter) {
        this.defaultRate = TokenBucket.Rate.perMinute(framesPerMinute, framesBurst);
        byRole.forEach((role, perMinute) -> this.byRole.put(role, TokenBucket.Rate.perMinute(perMinute, framesBurst)));
        this.kindRates = new TokenBucket.Rate[byKind.size()];
        byKind.forEach((kind, perMinute) -> {
            int index = kindIndex.size();
            kindIndex.put(kind, index);
            kindRates[index] = TokenBucket.Rate.perMinute(perMinute, Math.min(framesBurst, perMinute));
        });
        this.floodCloseAfter = floodCloseAfter;
    }

    /** The rate of a connection of this role. */
    TokenBucket.Rate forRole(String role) {
        TokenBucket.Rate rate = role == null ? null : byRole.get(role);
        return rate != null ? rate : defaultRate;
    }

    /** Whether a frame of this kind is limited at all (every kind is, but {@code ping} only when configured). */
    public boolean limits(String kind) {
        return !PING.equals(kind) || kindIndex.containsKey(PING);
    }

    /** A connection's allowance, with full buckets. */
    public Allowance newAllowance(String role, long now) {
        return new Allowance(role, new TokenBucket(forRole(role), now));
    }

    /**
     * What one connection may still send: its bucket, its per-kind buckets (made on first use) and the
     * refusals since it last had a frame accepted. Touched only from the connection's event loop.
     */
    public final class Allowance {
        private String role;
        private final TokenBucket frames;
        private TokenBucket[] byKind;
        private int refusedInRow;

        private Allowance(String role, TokenBucket frames) {
            this.role = role;
            this.frames = frames;
        }

        /** Takes a frame of {@code kind} from the connection of {@code role} (which a refreshed token may have changed). */
        public Verdict take(String role, String kind, long now) {
            if (role != null && !role.equals(this.role)) {
                this.role = role;
                frames.rate(forRole(role), now);
            }
            boolean connectionBucket = !PING.equals(kind);
            TokenBucket kindBucket = kindBucket(kind, now);
            if ((connectionBucket && !frames.has(1, now)) || (kindBucket != null && !kindBucket.has(1, now))) {
                refusedInRow++;
                return refusedInRow >= floodCloseAfter ? Verdict.CLOSE : Verdict.REFUSED;
            }
            if (connectionBucket) {
                frames.take(1);
            }
            if (kindBucket != null) {
                kindBucket.take(1);
            }
            refusedInRow = 0;
            return Verdict.ACCEPTED;
        }

        private TokenBucket kindBucket(String kind, long now) {
            Integer index = kindIndex.get(kind);
            if (index == null) {
                return null;
            }
            if (byKind == null) {
                byKind = new TokenBucket[kindRates.length];
            }
            if (byKind[index] == null) {
                byKind[index] = new TokenBucket(kindRates[index], now);
            }
            return byKind[index];
        }

        /** A frame refused for another reason than the rate (the connection's queue is full): it counts towards the flood close. */
        public Verdict refuse() {
            refusedInRow++;
            return refusedInRow >= floodCloseAfter ? Verdict.CLOSE : Verdict.REFUSED;
        }

        /** Refused frames since the last accepted one. */
        public int refusedInRow() {
            return refusedInRow;
        }
    }
}
