package io.herald.limits;

import io.herald.auth.Principal;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class UserPublishRateLimitTest {
    @Test
    void aUserIsKeyedByItsIdAndAnAnonymousConnectionByItsAddress() {
        Principal carol = new Principal("c-1", "customer", null, Set.of());
        assertEquals(UserPublishRateLimit.keyOf(carol, "10.0.0.1"), UserPublishRateLimit.keyOf(carol, "10.0.0.2"), "one allowance wherever carol connects from");
        Principal guest = Principal.anonymous("guest");
        assertEquals(UserPublishRateLimit.keyOf(guest, "10.0.0.1"), UserPublishRateLimit.keyOf(Principal.anonymous("guest"), "10.0.0.1"));
        assertNotEquals(UserPublishRateLimit.keyOf(guest, "10.0.0.1"), UserPublishRateLimit.keyOf(guest, "10.0.0.2"));
        // a user named like an address does not share the anonymous allowance of that address
        assertNotEquals(UserPublishRateLimit.keyOf(new Principal("10.0.0.1", "customer", null, Set.of()), "10.0.0.1"),
                UserPublishRateLimit.keyOf(guest, "10.0.0.1"));
    }
}
