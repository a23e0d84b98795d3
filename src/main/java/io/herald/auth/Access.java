package io.herald.auth;

/** How much of a namespace a role may read. */
public enum Access {
    /** Nothing: a register is refused. */
    NONE,
    /** Only events whose owner field is the reader's user id (or that target the reader by user id). */
    OWN,
    /** Every event. */
    ALL
}
