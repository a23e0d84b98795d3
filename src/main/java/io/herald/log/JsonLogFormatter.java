package io.herald.log;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One JSON object per line ({@code log.format: json}): ts, level, logger, message, and the error when there is one. */
public final class JsonLogFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
        JsonObject line = new JsonObject()
                .put("ts", Instant.ofEpochMilli(record.getMillis()).toString())
                .put("level", record.getLevel().getName())
                .put("logger", record.getLoggerName())
                .put("message", formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("error", record.getThrown().toString()).put("stack", trace.toString());
        }
        return line.encode() + System.lineSeparator();
    }
}
