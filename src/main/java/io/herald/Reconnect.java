package io.herald;

import java.util.Locale;

/**
 * What a client does after a close (or a refused connection): the three classes of the vocabulary file, each
 * with its range of close codes ({@code src/main/resources/herald/vocabulary.json}).
 */
public enum Reconnect {
    /** Connect again, with backoff. */
    YES,
    /** Connect again only with a new token. */
    NEW_TOKEN,
    /** Connecting again does not help. */
    NO;

    private final String id;
    private final int from;
    private final int to;

    Reconnect() {
        this.id = name().toLowerCase(Locale.ROOT);
        Vocabulary.Entry entry = Vocabulary.reconnect(id);
        this.from = entry.number("from");
        this.to = entry.number("to");
    }

    /** The class's name in the vocabulary file and in the docs: {@code yes}, {@code new_token}, {@code no}. */
    public String id() {
        return id;
    }

    /** Whether a close code lies in this class's range (the standard codes 1001, 1002, 1007, 1009, 1013 lie in none). */
    public boolean contains(int closeCode) {
        return closeCode >= from && closeCode <= to;
    }

    static Reconnect fromId(String id) {
        for (Reconnect value : values()) {
            if (value.id.equals(id)) {
                return value;
            }
        }
        throw new IllegalStateException("unknown reconnect class " + id + " in " + Vocabulary.RESOURCE);
    }
}
