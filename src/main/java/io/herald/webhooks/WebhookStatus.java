package io.herald.webhooks;

import io.herald.config.HeraldConfig;
import io.herald.history.StreamPosition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/webhooks} shows: each webhook's id, url and type patterns (never its secret), and per type its
 * position (epoch, seq), the stream's tail and the lag (events published and not yet accepted), the failures in a row
 * and the last error; for the webhook, the total lag, the most recent error, the last gaps of all its types (newest
 * first) with their count and the events they lost. Built from the kept lane states and the streams' positions.
 */
public final class WebhookStatus {
    private WebhookStatus() {
    }

    /** One configured webhook and the types it resolved to. */
    public record Resolved(HeraldConfig.Webhook webhook, List<String> types) {
    }

    public static JsonObject of(List<Resolved> webhooks, Map<String, JsonObject> states, Map<String, StreamPosition> positions) {
        JsonArray list = new JsonArray();
        for (Resolved resolved : webhooks) {
            HeraldConfig.Webhook webhook = resolved.webhook();
            JsonObject byType = new JsonObject();
            long lag = 0;
            long lost = 0;
            long gapCount = 0;
            JsonObject lastError = null;
            String sender = null;
            List<JsonObject> gaps = new ArrayList<>();
            for (String type : resolved.types()) {
                JsonObject state = states.get(WebhookStore.key(webhook.id(), type));
                StreamPosition position = positions.get(type);
                JsonObject entry = new JsonObject();
                if (state == null || state.getString("epoch") == null) {
                    entry.put("epoch", null).put("seq", null);
                } else {
                    entry.put("epoch", state.getString("epoch")).put("seq", state.getLong("seq"));
                    sender = sender == null ? state.getString("node") : sender;
                }
                if (position != null) {
                    long typeLag = state == null || state.getString("epoch") == null ? 0
                            : state.getString("epoch").equals(position.epoch()) ? Math.max(0, position.tail() - state.getLong("seq"))
                            : position.tail();
                    entry.put("tail", position.tail()).put("lag", typeLag);
                    lag += typeLag;
                }
                if (state != null) {
                    entry.put("failures", state.getInteger("failures", 0));
                    JsonObject error = state.getJsonObject("lastError");
                    entry.put("lastError", error);
                    if (error != null && (lastError == null || error.getLong("at") > lastError.getLong("at"))) {
                        lastError = error.copy().put("type", type);
                    }
                    lost += state.getLong("lostEvents", 0L);
                    gapCount += state.getLong("gapCount", 0L);
                    for (Object gap : state.getJsonArray("gaps", new JsonArray())) {
                        gaps.add(((JsonObject) gap).copy().put("type", type));
                    }
                }
                byType.put(type, entry);
            }
            gaps.sort(Comparator.comparingLong((JsonObject g) -> g.getLong("at", 0L)).reversed());
            list.add(new JsonObject()
                    .put("id", webhook.id())
                    .put("url", webhook.url())
                    .put("types", new JsonArray(webhook.types()))
                    .put("sender", sender)
                    .put("lag", lag)
                    .put("lastError", lastError)
                    .put("gapCount", gapCount)
                    .put("lostEvents", lost)
                    .put("gaps", new JsonArray(gaps.size() > LaneState.MAX_GAPS ? gaps.subList(0, LaneState.MAX_GAPS) : gaps))
                    .put("positions", byType));
        }
        return new JsonObject().put("webhooks", list);
    }
}
