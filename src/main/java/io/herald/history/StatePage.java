package io.herald.history;

import java.util.List;

/** A page of a keyed state: its entries, and where the next page starts (null: this was the last). */
public record StatePage(List<StateEntry> entries, StateCursor next) {
    public boolean more() {
        return next != null;
    }
}
