package io.herald.history;

import java.util.List;

/** A page of an inbox, newest first: its entries, how many readable entries the inbox holds, where the next page starts (null: none). */
public record InboxPage(List<InboxEntry> entries, int unread, InboxCursor next) {
    public boolean more() {
        return next != null;
    }
}
