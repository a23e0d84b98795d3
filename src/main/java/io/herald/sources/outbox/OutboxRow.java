package io.herald.sources.outbox;

/**
 * One row of the outbox table as read: {@code data} and {@code target} as JSON text ({@code target} and
 * {@code idempotencyKey} may be null). Nothing is checked yet: {@link OutboxMapping} does that.
 */
public record OutboxRow(long id, String type, String data, String target, String idempotencyKey) {
}
