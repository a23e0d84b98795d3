package io.herald;

import java.util.Locale;

/**
 * The closes of {@code /graphql}'s protocol, graphql-transport-ws (docs/graphql.md): its own codes, 4400–4499, which
 * graphql-ws clients act on by number; every other close of a {@code /graphql} connection is one of the hub's
 * {@link CloseReason}s. Codes, what a client does after them and docs are declared in {@link Vocabulary}'s file
 * ({@code graphqlCloses} of {@code src/main/resources/herald/vocabulary.json}; docs/codes.md is generated from it).
 * The reconnect class is what graphql-ws's client does: it retries after an init timeout, and treats the others as
 * fatal (a bug of the client, which would send the same again).
 */
public enum GraphQLClose {
    BAD_MESSAGE,
    UNAUTHORIZED,
    INIT_TIMEOUT,
    SUBSCRIBER_EXISTS,
    TOO_MANY_INITS;

    /** This close's entry of the file (read when the class loads: a constant the file lacks fails then). */
    private final Vocabulary.Entry entry = Vocabulary.graphqlClose(name().toLowerCase(Locale.ROOT));

    /** The WebSocket close code, graphql-transport-ws's. */
    public int code() {
        return entry.number("code");
    }

    /** The snake_case name in the vocabulary, e.g. {@code init_timeout}: the close's reason. */
    public String id() {
        return entry.name();
    }

    /** What a client does after this close. */
    public Reconnect reconnectClass() {
        return Reconnect.fromId(entry.text("reconnect"));
    }

    /** One line: when /graphql closes with this code. */
    public String doc() {
        return entry.text("doc");
    }
}
