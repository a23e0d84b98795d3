package io.herald.webhooks;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignatureTest {
    static final byte[] BODY = "{\"id\":\"e-1\",\"type\":\"order:created\",\"seq\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTimestampDotBodyWithHmacSha256InHex() throws Exception {
        String header = new WebhookSignature("s3cret").sign(1_700_000_000L, BODY);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal(("1700000000." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        assertEquals("t=1700000000,v1=" + expected, header);
    }

    @Test
    void aVectorOpensslAgreesWith() {
        // echo -n '1.{}' | openssl dgst -sha256 -hmac key
        assertEquals("t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224",
                new WebhookSignature("key").sign(1, "{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void verifiesItsOwnAndRefusesTamperingOtherKeysAndOldTimestamps() {
        WebhookSignature signature = new WebhookSignature("s3cret");
        String header = signature.sign(1000, BODY);
        assertTrue(signature.verify(header, BODY, 1000, 300));
        assertTrue(signature.verify(header, BODY, 1299, 300));
        assertFalse(signature.verify(header, BODY, 1301, 300), "too old");
        assertFalse(signature.verify(header, "{}".getBytes(StandardCharsets.UTF_8), 1000, 300), "another body");
        assertFalse(new WebhookSignature("other").verify(header, BODY, 1000, 300), "another secret");
        assertFalse(signature.verify(header.replace("t=1000", "t=1001"), BODY, 1000, 300), "another timestamp");
        assertFalse(signature.verify(null, BODY, 1000, 300));
        assertFalse(signature.verify("t=x,v1=00", BODY, 1000, 300));
        assertFalse(signature.verify("v1=00", BODY, 1000, 300));
    }
}
