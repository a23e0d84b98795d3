package io.herald.history;

import java.util.List;

/** Events of one type read from history, in {@code seq} order, and the stream's position when they were read. */
public record HistoryPage(StreamPosition position, List<Stored> events) {

    /** One kept event: its {@code seq} and its history record (see {@link HistoryRecord}). */
    public record Stored(long seq, String record) {
    }
}
