package io.herald.event;

/**
 * An event as it crosses the event bus to the bridges: the envelope already encoded as JSON (so each
 * node encodes nothing per socket), plus what delivery filtering needs without parsing it again: the
 * owner id (the namespace's owner field of {@code data}) and the target.
 */
public record BusEvent(String type, String envelope, String ownerId, Target target) {
}
