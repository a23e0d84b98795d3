package io.herald.state;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.catalog.EventCatalog;
import io.herald.config.HeraldConfig;
import io.herald.event.EventRecord;
import io.herald.history.LocalEventLog;
import io.herald.history.LocalKeyedState;
import io.herald.history.StateEntry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A page of keyed state as herald:state and the HTTP API answer it: its shape, the first page's seq, refusals. */
class StateReaderTest {
    static final String TYPE = "inventory:updated";
    final EventCatalog catalog = EventCatalog.fromJson(HeraldConfig.readJson(Path.of("conf/catalog.json"), "catalog"));
    final LocalEventLog log = new LocalEventLog(type -> new HeraldConfig.HistoryBounds(10_000, 3600));
    final LocalKeyedState state = new LocalKeyedState(catalog.stateTypes());
    final AtomicLong now = new AtomicLong();
    final StateReader reader = new StateReader(catalog, log, state, now::get);

    /** Appends events of p-1 … p-n published at {@code ts}, and their state. */
    void publish(int count, long ts) {
        long first = log.position(TYPE).result().tail() + 1;
        List<String> records = new ArrayList<>();
        List<StateEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seq = first + i;
            records.add(EventRecord.encode("id-" + seq, ts, "{\"productId\":\"p-" + seq + "\"}", null, null, null));
            entries.add(new StateEntry("p-" + seq, seq, "e", ts, false, null, null,
                    "{\"seq\":" + seq + ",\"data\":{\"productId\":\"p-" + seq + "\"}}"));
        }
        log.append(TYPE, records);
        state.update(TYPE, entries);
    }

    @Test
    void theFirstPagesSeqLeavesOutTheLastSecondOfEventsSoThatSinceReplaysThem() {
        publish(7, 1_000);
        publish(3, 5_000);
        now.set(5_500); // the last three are recent: their updates from other nodes may still be on their way
        JsonObject first = reader.read(TYPE, 4, null, e -> true).result();
        assertEquals(TYPE, first.getString("type"));
        assertEquals("productId", first.getString("key"));
        assertEquals(7, first.getLong("seq"));
        assertEquals(4, first.getJsonArray("entries").size());
        assertEquals(true, first.getBoolean("more"));
        JsonObject second = reader.read(TYPE, 4, first.getString("next"), e -> true).result();
        assertEquals(10, second.getLong("seq"), "later pages say the tail; the client keeps the first page's");
        now.set(60_000);
        assertEquals(10, reader.read(TYPE, null, null, e -> true).result().getLong("seq"), "nothing recent: the tail");
        JsonObject all = reader.read(TYPE, null, null, e -> true).result();
        assertEquals(10, all.getJsonArray("entries").size());
        assertEquals(false, all.getBoolean("more"));
        assertEquals(null, all.getValue("next"));
    }

    @Test
    void aTypeOutsideTheCatalogOrWithoutStateAndBadPagesAreRefused() {
        assertEquals(ErrorCode.UNKNOWN_EVENT_TYPE, assertThrows(HeraldException.class, () -> reader.read("nope:x", null, null, e -> true)).code());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(HeraldException.class, () -> reader.read("order:created", null, null, e -> true)).code());
        assertEquals(ErrorCode.INVALID_PARAMETER, assertThrows(HeraldException.class, () -> reader.read(TYPE, 0, null, e -> true)).code());
        assertEquals(ErrorCode.INVALID_PARAMETER, assertThrows(HeraldException.class, () -> reader.read(TYPE, 501, null, e -> true)).code());
        assertEquals(ErrorCode.INVALID_PARAMETER, assertThrows(HeraldException.class, () -> reader.read(TYPE, null, "x", e -> true)).code());
    }
}
