package io.herald.history;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The inbox in memory, for a node without a cluster: one {@link InboxBox} per user, at most {@code maxUsers} of them
 * (past that, exactly the user whose inbox was least recently filed, read or acknowledged goes). Thread-safe (one lock).
 */
public final class LocalInbox implements Inbox {
    private final InboxBounds bounds;
    private final LongSupplier clock;
    private final LinkedHashMap<String, InboxBox> boxes;

    public LocalInbox(InboxBounds bounds) {
        this(bounds, System::currentTimeMillis);
    }

    public LocalInbox(InboxBounds bounds, LongSupplier clock) {
        this.bounds = bounds;
        this.clock = clock;
        this.boxes = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, InboxBox> eldest) {
                return size() > bounds.maxUsers();
            }
        };
    }

    @Override
    public synchronized Future<Void> file(Map<String, List<InboxEntry>> byUser) {
        long now = clock.getAsLong();
        byUser.forEach((user, entries) -> {
            InboxBox box = boxes.computeIfAbsent(user, u -> new InboxBox());
            box.file(entries, bounds, now);
            if (box.isEmpty()) {
                boxes.remove(user);
            }
        });
        return Future.succeededFuture();
    }

    @Override
    public synchronized Future<List<InboxEntry>> entries(String userId) {
        InboxBox box = boxes.get(userId);
        if (box == null) {
            return Future.succeededFuture(List.of());
        }
        box.prune(bounds, clock.getAsLong());
        if (box.isEmpty()) {
            boxes.remove(userId);
            return Future.succeededFuture(List.of());
        }
        return Future.succeededFuture(new ArrayList<>(box.entries()));
    }

    @Override
    public synchronized Future<Integer> ack(String userId, Set<String> ids) {
        InboxBox box = boxes.get(userId);
        if (box == null) {
            return Future.succeededFuture(0);
        }
        int removed = box.ack(ids);
        if (box.isEmpty()) {
            boxes.remove(userId);
        }
        return Future.succeededFuture(removed);
    }

    /** How many users have an inbox here (tests). */
    synchronized int users() {
        return boxes.size();
    }
}
