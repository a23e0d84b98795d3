package io.herald.config;

/** A configuration value Herald cannot start with; the message names the key. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String problem) {
        this(key, key + ": " + problem, true);
    }

    private ConfigException(String key, String message, boolean whole) {
        super(message);
        this.key = key;
    }

    /** An error whose message is written whole ("unknown key x; did you mean y?"). */
    static ConfigException withMessage(String key, String message) {
        return new ConfigException(key, message, true);
    }

    public String key() {
        return key;
    }
}
