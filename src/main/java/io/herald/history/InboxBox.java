package io.herald.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One user's inbox: its entries, oldest first (by {@code ts}, then seq, then id), each event at most once, at most
 * {@link InboxBounds#maxPerUser()} of them (the oldest go first), none older than {@link InboxBounds#maxAgeMs()}. The
 * rules are here, the same in Hazelcast (the entry processors {@link InboxFile} and {@link InboxAck} run them on the key's
 * owner and its backup, with the time they carry) and on a single node ({@link LocalInbox}). Pages read newest first
 * ({@link #page}). Not thread-safe: its holder serialises access.
 */
public final class InboxBox implements DataSerializable {
    private static final byte FORMAT = 1;

    private List<InboxEntry> entries = new ArrayList<>();

    public InboxBox() {
    }

    /** The entries, oldest first (the box's own list: do not change it). */
    public List<InboxEntry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Files {@code incoming} (an event already in the box is not filed again: a retried filing changes nothing), then drops
     * what is older than the bounds allow at {@code now} and the oldest past {@code maxPerUser}. Answers how many of
     * {@code incoming} it holds afterwards.
     */
    public int file(Collection<InboxEntry> incoming, InboxBounds bounds, long now) {
        Set<String> ids = new HashSet<>(entries.size() * 2 + incoming.size() * 2);
        entries.forEach(e -> ids.add(e.id()));
        List<InboxEntry> added = new ArrayList<>(incoming.size());
        for (InboxEntry entry : incoming) {
            if (ids.add(entry.id())) {
                added.add(entry);
                insert(entry);
            }
        }
        prune(bounds, now);
        int kept = 0;
        if (!added.isEmpty()) {
            Set<String> left = new HashSet<>();
            entries.forEach(e -> left.add(e.id()));
            for (InboxEntry entry : added) {
                kept += left.contains(entry.id()) ? 1 : 0;
            }
        }
        return kept;
    }

    /** In order: usually at the end (events are filed about as they are published), so searched from there. */
    private void insert(InboxEntry entry) {
        int at = entries.size();
        while (at > 0 && entry.before(entries.get(at - 1).ts(), entries.get(at - 1).seq(), entries.get(at - 1).id())) {
            at--;
        }
        entries.add(at, entry);
    }

    /** Drops the entries older than {@code maxAgeMs} at {@code now}, then the oldest past {@code maxPerUser}. */
    public void prune(InboxBounds bounds, long now) {
        long oldest = now - bounds.maxAgeMs();
        int drop = 0;
        while (drop < entries.size() && entries.get(drop).ts() < oldest) {
            drop++;
        }
        drop = Math.max(drop, entries.size() - bounds.maxPerUser());
        if (drop > 0) {
            entries = new ArrayList<>(entries.subList(drop, entries.size()));
        }
    }

    /** Removes the entries of these event ids; answers how many it removed. */
    public int ack(Collection<String> ids) {
        Set<String> remove = ids instanceof Set<String> set ? set : new HashSet<>(ids);
        int before = entries.size();
        entries.removeIf(e -> remove.contains(e.id()));
        return before - entries.size();
    }

    /**
     * A page of {@code entries} (oldest first, as a box holds them), newest first: up to {@code limit} entries that
     * {@code readable} accepts, after {@code after} (null: from the newest), with the count of every readable entry
     * ({@code unread}) and where the next page starts.
     */
    public static InboxPage page(List<InboxEntry> entries, InboxCursor after, int limit, Predicate<InboxEntry> readable) {
        List<InboxEntry> page = new ArrayList<>(Math.min(limit, entries.size()));
        int unread = 0;
        boolean more = false;
        for (int i = entries.size() - 1; i >= 0; i--) {
            InboxEntry entry = entries.get(i);
            if (!readable.test(entry)) {
                continue;
            }
            unread++;
            if (after != null && !entry.before(after.ts(), after.seq(), after.id())) {
                continue;
            }
            if (page.size() < limit) {
                page.add(entry);
            } else {
                more = true;
            }
        }
        InboxEntry last = page.isEmpty() ? null : page.get(page.size() - 1);
        return new InboxPage(page, unread, more ? new InboxCursor(last.ts(), last.seq(), last.id()) : null);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeInt(entries.size());
        for (InboxEntry entry : entries) {
            entry.writeData(out);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown inbox format " + format);
        }
        int size = in.readInt();
        entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            InboxEntry entry = new InboxEntry();
            entry.readData(in);
            entries.add(entry);
        }
    }
}
