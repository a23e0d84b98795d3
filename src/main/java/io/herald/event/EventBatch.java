package io.herald.event;

import java.util.List;

/**
 * Events of one type appended together, in {@code seq} order, as they cross the event bus to every
 * node's delivery at {@code Addresses.delivery(type)}: one bus message per append, however many events
 * it holds.
 */
public record EventBatch(String type, String epoch, List<BusEvent> events) {
}
