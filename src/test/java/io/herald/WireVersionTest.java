package io.herald;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireVersionTest {
    @Test
    void aJsonMessageWithoutTheMarkerIsVersionOneAndEachReadVersionPasses() {
        JsonObject old = new JsonObject().put("id", "e-1");
        assertEquals(WireVersion.PREVIOUS, WireVersion.of(old));
        assertSame(old, WireVersion.check(old, "record"));
        JsonObject marked = WireVersion.mark(new JsonObject(), WireVersion.CURRENT);
        assertEquals(WireVersion.CURRENT, WireVersion.of(marked));
        assertSame(marked, WireVersion.check(marked, "record"));
    }

    @Test
    void aNewerOrMalformedVersionIsRefusedNamingWhatAndWhich() {
        WireVersion.Unsupported newer = assertThrows(WireVersion.Unsupported.class,
                () -> WireVersion.check(new JsonObject().put(WireVersion.FIELD, WireVersion.CURRENT + 1), "stats report"));
        assertEquals(WireVersion.CURRENT + 1, newer.version());
        assertTrue(newer.getMessage().startsWith("stats report of wire version " + (WireVersion.CURRENT + 1)));
        assertThrows(WireVersion.Unsupported.class, () -> WireVersion.check(new JsonObject().put(WireVersion.FIELD, "2"), "x"));
        assertThrows(WireVersion.Unsupported.class, () -> WireVersion.check(0, "x"));
    }

    @Test
    void aLeadingVersionByteReadsFromTwoToTheCurrentVersion() {
        assertEquals(2, WireVersion.checkLeadingByte(2, "append task"));
        assertEquals(WireVersion.CURRENT, WireVersion.checkLeadingByte(WireVersion.CURRENT, "append task"));
        assertEquals(1, assertThrows(WireVersion.Unsupported.class, () -> WireVersion.checkLeadingByte(1, "append task")).version());
        assertThrows(WireVersion.Unsupported.class, () -> WireVersion.checkLeadingByte(WireVersion.CURRENT + 1, "append task"));
        assertThrows(WireVersion.Unsupported.class, () -> WireVersion.checkLeadingByte(-128, "append task"));
    }
}
