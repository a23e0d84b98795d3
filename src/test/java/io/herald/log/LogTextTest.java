package io.herald.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTextTest {
    /** A sub a client chose to forge a second, innocent-looking log line. */
    static final String FORGING_SUB = "alice\n2026-12-05 23:59:59.000 INFO    [io.herald.bridge.SocketBridge] user admin logged in";

    @Test
    void controlCharactersAreEscapedAndPlainTextIsUntouched() {
        String plain = "user-42@shop.example (customer) order:created chat:é";
        assertSame(plain, LogText.escape(plain));
        assertEquals("a\\nb\\rc\\td", LogText.escape("a\nb\rc\td"));
        assertEquals("esc\\u001b[31m del\\u007f c1\\u0085 ls\\u2028 ps\\u2029 nul\\u0000", LogText.escape("esc\u001b[31m del\u007f c1\u0085 ls\u2028 ps\u2029 nul\u0000"));
        assertEquals("back\\\\nslash", LogText.escape("back\\nslash"), "a literal backslash-n is not mistaken for an escaped line break");
        assertEquals("null", LogText.escape(null));
        String escaped = LogText.escape(FORGING_SUB);
        assertFalse(escaped.chars().anyMatch(c -> c < 0x20), escaped);
    }

    @Test
    void theLimitersLinesAreOneLineWhateverTheirValuesHold() {
        List<LogRecord> records = new ArrayList<>();
        Logger logger = Logger.getAnonymousLogger();
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.ALL);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        LogLimiter limiter = new LogLimiter(logger);
        limiter.log(Level.INFO, "denied", "frame of user " + FORGING_SUB + " refused", 1_000);
        IllegalStateException cause = new IllegalStateException("socket gone");
        limiter.log(Level.WARNING, "write-failed", "writing to a socket failed", cause, 1_000);
        limiter.log(Level.WARNING, "write-failed", "writing to a socket failed", cause, 2_000); // within the interval: left out
        limiter.log(Level.WARNING, "write-failed", "writing to a socket failed", cause, 1_000 + LogLimiter.INTERVAL_MS);
        assertEquals(3, records.size());
        String line = new SimpleFormatter().formatMessage(records.get(0));
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("alice\\n2026-12-05"), line);
        assertSame(cause, records.get(1).getThrown());
        assertEquals("writing to a socket failed (and 1 more like it in the last 10 s)", records.get(2).getMessage());
    }

    @Test
    void theJsonFormatWritesOneLinePerRecord() {
        LogRecord record = new LogRecord(Level.INFO, "connection of user " + FORGING_SUB + " closed");
        record.setLoggerName("io.herald.bridge.SocketBridge");
        String line = new JsonLogFormatter().format(record);
        assertEquals(1, line.split(System.lineSeparator(), -1).length - 1, line);
        assertTrue(line.endsWith(System.lineSeparator()));
        assertTrue(line.contains("alice\\n2026-12-05"), line);
    }
}
