package io.herald.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code Herald-Signature} header of a webhook request: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">},
 * keyed with the webhook's secret, as Stripe signs its webhooks. The timestamp lets a receiver refuse old replays.
 */
public final class WebhookSignature {
    public static final String HEADER = "Herald-Signature";
    public static final String EVENT_ID_HEADER = "Herald-Event-Id";
    public static final String WEBHOOK_ID_HEADER = "Herald-Webhook-Id";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public WebhookSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The header's value for {@code body} sent at {@code unixSeconds}. */
    public String sign(long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + hex(unixSeconds, body);
    }

    private String hex(long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /**
     * What a receiver does (and the docs show): whether {@code header} is a valid signature of {@code body} made within
     * {@code toleranceSeconds} of {@code nowSeconds}; the comparison takes the same time whatever the bytes.
     */
    public boolean verify(String header, byte[] body, long nowSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        long t = -1;
        String v1 = null;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (name.equals("t")) {
                try {
                    t = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (name.equals("v1")) {
                v1 = value;
            }
        }
        if (t < 0 || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
            return false;
        }
        return MessageDigest.isEqual(hex(t, body).getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII));
    }
}
