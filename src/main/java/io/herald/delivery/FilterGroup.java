package io.herald.delivery;

import io.herald.delivery.filter.EventFilter;

/**
 * The subscribers of one type on one event loop whose filters are the same ({@link EventFilter#normalized()}): the
 * filter is evaluated once per event for all of them, the first time one of them is reached, and its verdict kept
 * for the others. Touched only on its stream's event loop.
 */
final class FilterGroup {
    final EventFilter filter;
    /** Subscriptions of the stream that use it (live, recovering or waiting): the group goes with the last. */
    int subscribers;
    /** The event (its fan-out's number) the verdict is for. */
    private long evaluatedFor = -1;
    private boolean verdict;
    /** How many times the filter was evaluated (the unit tests read it). */
    long evaluations;

    FilterGroup(EventFilter filter) {
        this.filter = filter;
    }

    /** The filter's verdict on the event {@code input} reads, numbered {@code event} by the fan-out. */
    boolean matches(EventFilter.Input input, long event) {
        if (evaluatedFor != event) {
            verdict = filter.matches(input);
            evaluatedFor = event;
            evaluations++;
        }
        return verdict;
    }
}
