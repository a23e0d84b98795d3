package io.herald.history;

import io.herald.config.HeraldConfig.HistoryBounds;

import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * History of a node run without a cluster (HERALD_CLUSTER=false): a bounded queue per type in memory.
 * Its epoch is new at every start: the node's history does not outlive it.
 */
public final class LocalEventLog implements EventLog {
    private final String epoch = Epochs.newEpoch();
    private final Function<String, HistoryBounds> bounds;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();

    private record Kept(long seq, long keptAt, String record) {
    }

    /** One type's stream; guarded by its own lock, as several event loops append and read. */
    private final class Stream {
        final HistoryBounds limits;
        final ArrayDeque<Kept> kept = new ArrayDeque<>();
        long tail;
        /** Its idempotency keys: made at the first keyed append. */
        KeyIndex keys;

        Stream(HistoryBounds limits) {
            this.limits = limits;
        }

        void trim(long now) {
            while (kept.size() > limits.maxEvents()) {
                kept.removeFirst();
            }
            long oldest = now - limits.maxAgeSeconds() * 1000L;
            while (limits.maxAgeSeconds() > 0 && !kept.isEmpty() && kept.peekFirst().keptAt() < oldest) {
                kept.removeFirst();
            }
        }

        StreamPosition position() {
            return new StreamPosition(epoch, kept.isEmpty() ? tail + 1 : kept.peekFirst().seq(), tail);
        }
    }

    private final long keyWindowMs;
    private final int maxKeys;

    public LocalEventLog(Function<String, HistoryBounds> bounds) {
        this(bounds, 600_000, 100_000);
    }

    /** With idempotency keys remembered for {@code keyWindowMs}, at most {@code maxKeys} per type. */
    public LocalEventLog(Function<String, HistoryBounds> bounds, long keyWindowMs, int maxKeys) {
        this.bounds = bounds;
        this.keyWindowMs = keyWindowMs;
        this.maxKeys = maxKeys;
    }

    @Override
    public boolean checksKeys(String type) {
        return true;
    }

    @Override
    public Future<KeyedAppended> appendKeyed(String type, List<String> records, List<String> ids, List<String> keys, List<String> hashes) {
        Stream stream = stream(type);
        long now = System.currentTimeMillis();
        synchronized (stream) {
            if (stream.keys == null) {
                stream.keys = new KeyIndex(keyWindowMs, maxKeys);
            }
            try {
                KeyIndex.Answer answer = stream.keys.decide(ids, keys, hashes, Map.of(), now, picked -> {
                    long first = stream.tail + 1;
                    for (int i : picked) {
                        stream.kept.addLast(new Kept(++stream.tail, now, records.get(i)));
                    }
                    stream.trim(now);
                    return first;
                });
                return Future.succeededFuture(new KeyedAppended(epoch, answer.seqs(), answer.ids()));
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        }
    }

    private Stream stream(String type) {
        return streams.computeIfAbsent(type, t -> new Stream(bounds.apply(t)));
    }

    @Override
    public Future<Appended> append(String type, List<String> records) {
        Stream stream = stream(type);
        long now = System.currentTimeMillis();
        synchronized (stream) {
            long first = stream.tail + 1;
            for (String record : records) {
                stream.kept.addLast(new Kept(++stream.tail, now, record));
            }
            stream.trim(now);
            return Future.succeededFuture(new Appended(epoch, first));
        }
    }

    @Override
    public Future<Appended> appendLookingFirst(String type, List<String> records) {
        Stream stream = stream(type);
        String id = IdempotentAppend.eventId(records.get(0));
        synchronized (stream) {
            int looked = 0;
            for (java.util.Iterator<Kept> it = stream.kept.descendingIterator(); it.hasNext() && looked++ < IdempotentAppend.WINDOW; ) {
                Kept kept = it.next();
                if (id != null && id.equals(IdempotentAppend.eventId(kept.record()))) {
                    return Future.succeededFuture(new Appended(epoch, kept.seq()));
                }
            }
        }
        return append(type, records);
    }

    @Override
    public Future<HistoryPage> read(String type, long fromSeq, int limit) {
        Stream stream = stream(type);
        synchronized (stream) {
            stream.trim(System.currentTimeMillis());
            List<HistoryPage.Stored> events = new ArrayList<>();
            int max = Math.min(limit, MAX_READ);
            for (Kept kept : stream.kept) {
                if (events.size() >= max) {
                    break;
                }
                if (kept.seq() >= fromSeq) {
                    events.add(new HistoryPage.Stored(kept.seq(), kept.record()));
                }
            }
            return Future.succeededFuture(new HistoryPage(stream.position(), events));
        }
    }

    @Override
    public Future<StreamPosition> position(String type) {
        Stream stream = stream(type);
        synchronized (stream) {
            stream.trim(System.currentTimeMillis());
            return Future.succeededFuture(stream.position());
        }
    }
}
