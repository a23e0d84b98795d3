package io.herald.sources.outbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/outbox.md shows the DDL that ships: its first {@code sql} block is conf/outbox.sql, byte for byte. */
class OutboxDocsTest {
    @Test
    void theDocsShowConfOutboxSql() throws IOException {
        String docs = Files.readString(Path.of("docs/outbox.md"));
        int start = docs.indexOf("```sql\n");
        assertTrue(start >= 0, "a ```sql block in docs/outbox.md");
        int end = docs.indexOf("```\n", start + 7);
        assertEquals(Files.readString(Path.of("conf/outbox.sql")), docs.substring(start + 7, end),
                "docs/outbox.md's DDL is conf/outbox.sql: copy the file into the block");
    }
}
