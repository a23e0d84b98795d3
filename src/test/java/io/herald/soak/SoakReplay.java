package io.herald.soak;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges a soak's saved history again ({@code target/soak/history.jsonl}, written by every run) and writes the report
 * and timeline next to it: for reading a run again after a change to the checker or the report.
 * <pre>java -cp target/test-classes:target/classes:… io.herald.soak.SoakReplay target/soak/history.jsonl</pre>
 */
public final class SoakReplay {
    private SoakReplay() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "target/soak/history.jsonl");
        SoakHistory.Snapshot snapshot = SoakHistory.read(file);
        SoakChecker.Result result = SoakChecker.check(snapshot);
        Map<String, String> meta = new LinkedHashMap<>();
        Path saved = file.resolveSibling("meta.json");
        if (java.nio.file.Files.exists(saved)) {
            new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(saved)).forEach(e -> meta.put(e.getKey(), String.valueOf(e.getValue())));
        }
        meta.put("replayed", file.toString());
        SoakReport.write(file.toAbsolutePath().getParent(), meta, snapshot, result);
        System.out.println(result.summary());
    }
}
