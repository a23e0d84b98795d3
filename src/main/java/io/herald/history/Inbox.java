package io.herald.history;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-user inbox (docs/backends.md, "Per-user inbox"): events of the types the catalog marks {@code "inbox": true},
 * kept per addressed user until the user acknowledges them or they age out ({@link InboxBounds}). The node that appends
 * such an event files it ({@link #file}); any node reads and acknowledges. A Hazelcast map in a cluster
 * ({@link HazelcastInbox}), memory on a single node ({@link LocalInbox}).
 */
public interface Inbox {
    /** No inbox: nothing is filed, every inbox is empty. */
    Inbox NONE = new Inbox() {
        @Override
        public Future<Void> file(Map<String, List<InboxEntry>> byUser) {
            return Future.succeededFuture();
        }

        @Override
        public Future<List<InboxEntry>> entries(String userId) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<Integer> ack(String userId, Set<String> ids) {
            return Future.succeededFuture(0);
        }
    };

    /** Files each user's entries in that user's inbox; completes when all have landed (fails if any did not). */
    Future<Void> file(Map<String, List<InboxEntry>> byUser);

    /** The user's entries that are not too old, oldest first (empty for a user without an inbox). */
    Future<List<InboxEntry>> entries(String userId);

    /** Removes the user's entries of these event ids; answers how many there were. */
    Future<Integer> ack(String userId, Set<String> ids);
}
