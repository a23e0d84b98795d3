package io.herald.history;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Looks for events by id in a type's history, from the newest back to the earliest record that can hold them: the
 * events a node appended before it died, whose idempotency keys another node then took over
 * ({@link IdempotencyState.Kind#TAKEN_OVER}). Bounded twice: it stops at a page whose records were all made before
 * {@code since} (the first claim's time less {@link #CLOCK_ALLOWANCE_MS}), and after {@link #MAX_RECORDS} records
 * whatever their time. Paged ({@link EventLog#MAX_READ} a read, one read at a time); the matching runs on a worker
 * thread, never on an event loop. Rare by design: only publishes that take over a claim search.
 */
public final class HistorySearch {
    /**
     * How much earlier than the first claim an event of that claim may carry as its {@code ts}: the clocks of the
     * publishing node and the key's owner may differ, and an event waits in its type's queue before it is claimed.
     */
    public static final long CLOCK_ALLOWANCE_MS = 30_000;
    /** The most records one search reads (100 pages): past that an event is taken as not appended. */
    public static final int MAX_RECORDS = 100_000;

    private HistorySearch() {
    }

    /** What a search found: event id → its seq, the stream's epoch, and whether it read all it had to. */
    public record Found(Map<String, Long> seqs, String epoch, boolean complete, int read) {
    }

    /** Looks for {@code ids} among the {@code type}'s events made since {@code since} (epoch ms), at most {@code maxRecords}. */
    public static Future<Found> find(Vertx vertx, EventLog log, String type, Set<String> ids, long since, int maxRecords) {
        Promise<Found> done = Promise.promise();
        log.position(type).onComplete(position -> {
            if (position.failed()) {
                done.fail(position.cause());
                return;
            }
            StreamPosition p = position.result();
            if (p.tail() < p.head()) {
                done.complete(new Found(Map.of(), p.epoch(), true, 0));
                return;
            }
            page(vertx, log, type, new HashSet<>(ids), new HashMap<>(), since, maxRecords, p.head(), p.tail(), p.epoch(), 0, done);
        });
        return done.future();
    }

    private static void page(Vertx vertx, EventLog log, String type, Set<String> wanted, Map<String, Long> found, long since,
                             int maxRecords, long head, long to, String epoch, int read, Promise<Found> done) {
        long from = Math.max(head, to - EventLog.MAX_READ + 1);
        log.read(type, from, (int) (to - from + 1)).compose(page -> vertx.executeBlocking(() -> {
            boolean older = !page.events().isEmpty();
            for (HistoryPage.Stored stored : page.events()) {
                String id = IdempotentAppend.eventId(stored.record());
                if (id != null && wanted.remove(id)) {
                    found.put(id, stored.seq());
                }
                if (ts(stored.record()) >= since) {
                    older = false;
                }
            }
            return new Object[]{page, older};
        }, false)).onComplete(result -> {
            if (result.failed()) {
                done.fail(result.cause());
                return;
            }
            HistoryPage page = (HistoryPage) result.result()[0];
            boolean older = (Boolean) result.result()[1];
            int total = read + page.events().size();
            String pageEpoch = page.position().epoch();
            long next = page.events().isEmpty() ? from - 1 : page.events().get(0).seq() - 1;
            if (wanted.isEmpty() || older || next < Math.max(head, page.position().head())) {
                done.complete(new Found(found, pageEpoch, true, total));
            } else if (total >= maxRecords) {
                done.complete(new Found(found, pageEpoch, false, total));
            } else {
                page(vertx, log, type, wanted, found, since, maxRecords, head, next, pageEpoch, total, done);
            }
        });
    }

    /** The {@code ts} of a history record (epoch ms), or {@code Long.MAX_VALUE} if it has none readable (then it counts as recent). */
    static long ts(String record) {
        int at = record.indexOf("\"ts\":");
        if (at < 0) {
            return Long.MAX_VALUE;
        }
        int i = at + 5;
        long value = 0;
        int digits = 0;
        while (i < record.length() && Character.isDigit(record.charAt(i))) {
            value = value * 10 + (record.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? Long.MAX_VALUE : value;
    }
}
