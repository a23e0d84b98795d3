package io.herald.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An identity provider's public keys, parsed once from its JWKS document (RFC 7517) with java.security: RSA
 * ({@code n}, {@code e}; at least 2048 bits), EC on P-256, P-384, P-521 ({@code x}, {@code y}) and OKP Ed25519 / Ed448
 * ({@code x}). A key meant for encryption ({@code use: enc}, or {@code key_ops} without {@code verify}), a symmetric
 * ({@code oct}) key, an unknown type, curve or {@code alg}, or a malformed one is skipped with the reason (the others
 * still count). Keys are found by {@code kid}; immutable, shared by every event loop.
 */
public final class JwkSet {
    /** More keys than any provider publishes; the rest are skipped (memory stays bounded). */
    public static final int MAX_KEYS = 100;

    /** One verification key: its {@code kid} (or null), type ({@code RSA}, {@code EC}, {@code OKP}), curve, declared {@code alg} (or null). */
    public record Key(String kid, String kty, String crv, String alg, PublicKey publicKey) {
    }

    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] ED448_SPKI = HexFormat.of().parseHex("3043300506032b6571033a00");

    private final Map<String, Key> byKid;
    private final List<Key> keys;
    private final List<String> skipped;

    private JwkSet(List<Key> keys, List<String> skipped) {
        Map<String, Key> map = new LinkedHashMap<>();
        for (Key key : keys) {
            if (key.kid() != null) {
                map.putIfAbsent(key.kid(), key);
            }
        }
        this.byKid = Collections.unmodifiableMap(map);
        this.keys = List.copyOf(keys);
        this.skipped = List.copyOf(skipped);
    }

    public static final JwkSet EMPTY = new JwkSet(List.of(), List.of());

    /** The set of a JWKS document ({@code {"keys":[…]}}); throws IllegalArgumentException when it is not one. */
    public static JwkSet parse(JsonObject document) {
        if (document == null || !(document.getValue("keys") instanceof JsonArray array)) {
            throw new IllegalArgumentException("not a JWKS document: no \"keys\" array");
        }
        List<Key> keys = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            String name = "keys[" + i + "]";
            if (keys.size() == MAX_KEYS) {
                skipped.add(name + ": more than " + MAX_KEYS + " keys");
                continue;
            }
            if (!(item instanceof JsonObject jwk)) {
                skipped.add(name + ": not an object");
                continue;
            }
            if (jwk.getValue("kid") instanceof String kid) {
                name = "kid " + kid;
            }
            try {
                keys.add(key(jwk));
            } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
                skipped.add(name + ": " + e.getMessage());
            }
        }
        return new JwkSet(keys, skipped);
    }

    static Key key(JsonObject jwk) throws GeneralSecurityException {
        String kty = string(jwk, "kty");
        if (kty == null) {
            throw new IllegalArgumentException("no kty");
        }
        Object use = jwk.getValue("use");
        if (use != null && !"sig".equals(use)) {
            throw new IllegalArgumentException("use " + use + " is not sig");
        }
        if (jwk.getValue("key_ops") instanceof JsonArray ops && !ops.contains("verify")) {
            throw new IllegalArgumentException("key_ops without verify");
        }
        String alg = string(jwk, "alg");
        if (alg != null && JwsAlgorithm.of(alg) == null) {
            throw new IllegalArgumentException("alg " + alg + " is not supported");
        }
        String kid = string(jwk, "kid");
        Key key = switch (kty) {
            case "RSA" -> {
                RSAPublicKey rsa = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")));
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("RSA key of " + rsa.getModulus().bitLength() + " bits (at least 2048)");
                }
                yield new Key(kid, kty, null, alg, rsa);
            }
            case "EC" -> {
                String crv = string(jwk, "crv");
                String stdName = crv == null ? null : switch (crv) {
                    case "P-256" -> "secp256r1";
                    case "P-384" -> "secp384r1";
                    case "P-521" -> "secp521r1";
                    default -> null;
                };
                if (stdName == null) {
                    throw new IllegalArgumentException("EC curve " + crv + " is not supported");
                }
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(stdName));
                ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
                PublicKey ec = KeyFactory.getInstance("EC").generatePublic(
                        new ECPublicKeySpec(new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y")), spec));
                yield new Key(kid, kty, crv, alg, ec);
            }
            case "OKP" -> {
                String crv = string(jwk, "crv");
                byte[] x = bytes(jwk, "x");
                byte[] prefix;
                int length;
                if ("Ed25519".equals(crv)) {
                    prefix = ED25519_SPKI;
                    length = 32;
                } else if ("Ed448".equals(crv)) {
                    prefix = ED448_SPKI;
                    length = 57;
                } else {
                    throw new IllegalArgumentException("OKP curve " + crv + " is not supported");
                }
                if (x.length != length) {
                    throw new IllegalArgumentException(crv + " key of " + x.length + " bytes");
                }
                byte[] spki = new byte[prefix.length + x.length];
                System.arraycopy(prefix, 0, spki, 0, prefix.length);
                System.arraycopy(x, 0, spki, prefix.length, x.length);
                yield new Key(kid, kty, crv, alg, KeyFactory.getInstance(crv).generatePublic(new X509EncodedKeySpec(spki)));
            }
            default -> throw new IllegalArgumentException("kty " + kty + " is not supported");
        };
        if (alg != null && !JwsAlgorithm.of(alg).fits(key)) {
            throw new IllegalArgumentException("alg " + alg + " does not fit a " + kty + (key.crv() == null ? "" : " " + key.crv()) + " key");
        }
        return key;
    }

    private static String string(JsonObject jwk, String field) {
        Object value = jwk.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return (String) value;
    }

    private static byte[] bytes(JsonObject jwk, String field) {
        String value = string(jwk, field);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no " + field);
        }
        return Base64.getUrlDecoder().decode(value);
    }

    private static BigInteger unsigned(JsonObject jwk, String field) {
        return new BigInteger(1, bytes(jwk, field));
    }

    /** The key named {@code kid}, or null. */
    public Key byKid(String kid) {
        return byKid.get(kid);
    }

    /** Every usable key, in the document's order. */
    public List<Key> keys() {
        return keys;
    }

    /** Why each skipped key was skipped (logged at each fetch that changes the set). */
    public List<String> skipped() {
        return skipped;
    }

    public int size() {
        return keys.size();
    }
}
