package io.herald.event;

/**
 * One event as delivery handles it: its {@code seq}, when it was published ({@code ts}), the envelope
 * already encoded as JSON (so each node encodes nothing per socket), and what filtering needs without
 * parsing it again: the owner id (the namespace's owner field of {@code data}) and the target.
 */
public record BusEvent(long seq, long ts, String envelope, String ownerId, Target target) {
}
