package io.herald.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Signing keys an identity provider would hold, made with java.security in the test: their public halves as a JWKS
 * document and tokens signed with them (RS256, PS256, ES256, EdDSA), as Keycloak, Auth0, Entra ID or Cognito would.
 */
public final class TestJwks {
    /** One key pair with its {@code kid} and the algorithm it signs with. */
    public record SigningKey(String kid, String alg, KeyPair pair) {
        /** The public JWK (with {@code alg} unless {@code withAlg} is false, as Entra ID publishes its keys). */
        public JsonObject jwk(boolean withAlg) {
            JsonObject jwk = new JsonObject().put("kid", kid).put("use", "sig");
            if (withAlg) {
                jwk.put("alg", alg);
            }
            if (pair.getPublic() instanceof RSAPublicKey rsa) {
                return jwk.put("kty", "RSA").put("n", b64(unsigned(rsa.getModulus()))).put("e", b64(unsigned(rsa.getPublicExponent())));
            }
            if (pair.getPublic() instanceof ECPublicKey ec) {
                return jwk.put("kty", "EC").put("crv", "P-256").put("x", b64(fixed(ec.getW().getAffineX(), 32)))
                        .put("y", b64(fixed(ec.getW().getAffineY(), 32)));
            }
            byte[] spki = pair.getPublic().getEncoded();
            return jwk.put("kty", "OKP").put("crv", "Ed25519").put("x", b64(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
        }

        public JsonObject jwk() {
            return jwk(true);
        }

        /** A token with these claims, signed with this key, its header naming {@code kid} (null: none). */
        public String sign(JsonObject claims, String headerKid) {
            JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
            if (headerKid != null) {
                header.put("kid", headerKid);
            }
            String input = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
            return input + "." + b64(signature(alg, pair.getPrivate(), input.getBytes(StandardCharsets.US_ASCII)));
        }

        /** A token with this header (alg and kid added unless given) and these claims, signed with this key. */
        public String signWithHeader(JsonObject header, JsonObject claims) {
            JsonObject full = new JsonObject().put("alg", alg).put("kid", kid).mergeIn(header);
            String input = b64(full.encode().getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
            return input + "." + b64(signature(alg, pair.getPrivate(), input.getBytes(StandardCharsets.US_ASCII)));
        }

        public String sign(JsonObject claims) {
            return sign(claims, kid);
        }
    }

    private TestJwks() {
    }

    public static SigningKey rsa(String kid, String alg) {
        return new SigningKey(kid, alg, generate("RSA", 2048));
    }

    public static SigningKey ec(String kid) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new SigningKey(kid, "ES256", generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SigningKey ed25519(String kid) {
        try {
            return new SigningKey(kid, "EdDSA", KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWKS document of these keys. */
    public static JsonObject document(List<SigningKey> keys) {
        JsonArray array = new JsonArray();
        keys.forEach(key -> array.add(key.jwk()));
        return new JsonObject().put("keys", array);
    }

    /** Claims of a user of {@code role} (a string or a list, under {@code path} when it is dotted), valid an hour. */
    public static JsonObject claims(String sub, Object role) {
        long now = System.currentTimeMillis() / 1000;
        return new JsonObject().put("sub", sub).put("role", role).put("iat", now).put("exp", now + 3600);
    }

    private static KeyPair generate(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(size);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] signature(String alg, PrivateKey key, byte[] input) {
        try {
            Signature signature = switch (alg) {
                case "RS256" -> Signature.getInstance("SHA256withRSA");
                case "PS256" -> {
                    Signature pss = Signature.getInstance("RSASSA-PSS");
                    pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                    yield pss;
                }
                case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
                case "EdDSA" -> Signature.getInstance("Ed25519");
                default -> throw new IllegalArgumentException(alg);
            };
            signature.initSign(key);
            signature.update(input);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] fixed(BigInteger value, int length) {
        byte[] bytes = unsigned(value);
        byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
        return out;
    }
}
