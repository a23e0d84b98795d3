package io.herald.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The API key, compared in constant time. */
final class ApiKey {
    private final byte[] key;

    ApiKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code given} is the key; false for null. */
    boolean matches(String given) {
        return given != null && MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8));
    }
}
