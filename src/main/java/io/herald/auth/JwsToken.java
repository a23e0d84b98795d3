package io.herald.auth;

import io.herald.log.LogText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A compact JWS (three base64url parts) as far as the JWKS path needs it: the header's {@code alg} (one of
 * {@link JwsAlgorithm}, else null) and {@code kid}; the payload is decoded only after the signature verifies. The
 * header's {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} are ignored (keys come from {@code auth.jwksUrl}
 * only), and a {@code crit} header is refused (no extension is understood).
 */
final class JwsToken {
    private static final int MAX_KID_SHOWN = 64;

    private final String token;
    private final int payloadEnd;
    private final JwsAlgorithm algorithm;
    private final String kid;

    private JwsToken(String token, int payloadEnd, JwsAlgorithm algorithm, String kid) {
        this.token = token;
        this.payloadEnd = payloadEnd;
        this.algorithm = algorithm;
        this.kid = kid;
    }

    /** The token's parts, or null when it is not a compact JWS with a JSON header. */
    static JwsToken parse(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0 || second == token.length() - 1) {
            return null;
        }
        JsonObject header;
        try {
            header = new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(0, first))));
        } catch (RuntimeException e) {
            return null;
        }
        if (header.containsKey("crit")) {
            return null;
        }
        JwsAlgorithm algorithm = header.getValue("alg") instanceof String alg ? JwsAlgorithm.of(alg) : null;
        String kid = header.getValue("kid") instanceof String k ? k : null;
        return new JwsToken(token, second, algorithm, kid);
    }

    /** The asymmetric algorithm of the header, or null (HS256 and the rest go to vertx-auth-jwt). */
    JwsAlgorithm algorithm() {
        return algorithm;
    }

    String kid() {
        return kid;
    }

    /** The key of {@code set} this token names: by {@code kid}; without one, the set's only key; else null. */
    JwkSet.Key keyIn(JwkSet set) {
        if (kid != null) {
            return set.byKid(kid);
        }
        return set.size() == 1 ? set.keys().get(0) : null;
    }

    /** The payload if the signature verifies with {@code key} and the payload is a JSON object; else null. */
    JsonObject verifiedClaims(JwkSet.Key key) {
        try {
            byte[] signature = Base64.getUrlDecoder().decode(token.substring(payloadEnd + 1));
            if (!algorithm.verify(key, token.substring(0, payloadEnd).getBytes(StandardCharsets.US_ASCII), signature)) {
                return null;
            }
            int first = token.indexOf('.');
            return new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(first + 1, payloadEnd))));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A {@code kid} as messages and logs may show it: escaped, cut short. */
    static String shown(String kid) {
        String cut = kid.length() > MAX_KID_SHOWN ? kid.substring(0, MAX_KID_SHOWN) + "…" : kid;
        return LogText.escape(cut);
    }
}
