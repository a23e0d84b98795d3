package io.herald.event;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EnvelopeTest {
    static final String AWKWARD = "quote \" backslash \\ newline \n tab \t bell \u0007 euro € surrogates \uD83D\uDE00 \u2028";

    @Test
    void theHandWrittenJsonParsesBackToEveryValue() {
        JsonObject data = new JsonObject().put("note", AWKWARD);
        JsonObject envelope = new JsonObject(Envelope.encode(AWKWARD, "order:created", 7, 42, "e-1", data.encode(), AWKWARD, "s-1"));
        assertEquals(new JsonObject().put("id", AWKWARD).put("type", "order:created").put("ts", 7L).put("seq", 42L)
                .put("epoch", "e-1").put("data", data).put("userId", AWKWARD).put("storeId", "s-1"), envelope);

        String record = EventRecord.encode(AWKWARD, 7, data.encode(), null, AWKWARD, new Target(Set.of("u"), Set.of(), Set.of()));
        EventRecord decoded = EventRecord.decode(record);
        assertEquals(AWKWARD, decoded.id());
        assertEquals(AWKWARD, decoded.storeId());
        assertEquals(data, decoded.data());
        assertEquals(Set.of("u"), decoded.target().users());
    }
}
