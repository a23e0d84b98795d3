package io.herald.state;

import io.herald.HeraldException;
import io.herald.event.Target;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stored targets decoded once per text, bounded in count and size; a bad one still refused as before. */
class TargetCacheTest {
    @Test
    void aTargetIsDecodedOnceAndAnEmptyOneIsNone() {
        TargetCache cache = new TargetCache(10, 100);
        Target first = cache.target("{\"users\":[\"u-1\"],\"rooms\":[\"store:1\"]}");
        assertEquals(new Target(Set.of("u-1"), Set.of(), Set.of("store:1")), first);
        assertSame(first, cache.target(new String("{\"users\":[\"u-1\"],\"rooms\":[\"store:1\"]}")), "an equal text is the same target");
        assertNull(cache.target("{}"));
        assertNull(cache.target("{}"));
        assertNull(cache.target(null));
        assertEquals(2, cache.decodes());
    }

    @Test
    void itStaysBoundedAndALongTargetIsNeverKept() {
        TargetCache cache = new TargetCache(10, 100);
        for (int i = 0; i < 1000; i++) {
            cache.target("{\"users\":[\"u-" + i + "\"]}");
            assertTrue(cache.size() <= 10);
        }
        String longOne = "{\"users\":[\"" + "x".repeat(200) + "\"]}";
        cache.target(longOne);
        cache.target(longOne);
        assertEquals(1002, cache.decodes());
        assertThrows(HeraldException.class, () -> cache.target("{\"users\":\"u-1\"}"));
        assertThrows(HeraldException.class, () -> cache.target("{\"users\":\"u-1\"}"), "a bad target is not kept");
    }
}
