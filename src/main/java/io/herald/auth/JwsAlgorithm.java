package io.herald.auth;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * The asymmetric JWS algorithms (RFC 7518, RFC 8037) Herald verifies against a JWKS, each with the key it fits:
 * RS* and PS* an RSA key, ES256/384/512 an EC key on P-256/384/521 (the signature is JOSE's r‖s, which the JDK's
 * {@code …inP1363Format} takes as is), EdDSA an OKP key (Ed25519 or Ed448). A token's {@code alg} must fit the key its
 * {@code kid} names (and equal the key's own {@code alg} when it declares one): no algorithm confusion.
 */
public enum JwsAlgorithm {
    RS256("SHA256withRSA", "RSA", null, null),
    RS384("SHA384withRSA", "RSA", null, null),
    RS512("SHA512withRSA", "RSA", null, null),
    PS256("RSASSA-PSS", "RSA", null, new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1)),
    PS384("RSASSA-PSS", "RSA", null, new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1)),
    PS512("RSASSA-PSS", "RSA", null, new PSSParameterSpec("SHA-512", "MGF1", MGF1ParameterSpec.SHA512, 64, 1)),
    ES256("SHA256withECDSAinP1363Format", "EC", "P-256", null),
    ES384("SHA384withECDSAinP1363Format", "EC", "P-384", null),
    ES512("SHA512withECDSAinP1363Format", "EC", "P-521", null),
    EdDSA("EdDSA", "OKP", null, null);

    private final String jca;
    private final String kty;
    private final String crv;
    private final PSSParameterSpec pss;

    JwsAlgorithm(String jca, String kty, String crv, PSSParameterSpec pss) {
        this.jca = jca;
        this.kty = kty;
        this.crv = crv;
        this.pss = pss;
    }

    /** The algorithm named {@code alg} exactly, or null (HS256, none and the rest are not ours). */
    public static JwsAlgorithm of(String alg) {
        if (alg == null) {
            return null;
        }
        for (JwsAlgorithm algorithm : values()) {
            if (algorithm.name().equals(alg)) {
                return algorithm;
            }
        }
        return null;
    }

    /**
     * Whether one verification costs milliseconds rather than microseconds: the JDK 17 EC and EdDSA code is pure
     * Java (measured on this project's loaded 2-core machine: ES256 about 5 ms, EdDSA about 4 ms, RS256 0.3 ms, HS256
     * 0.04 ms per token); those run on a worker thread, never on an event loop.
     */
    public boolean costly() {
        return "EC".equals(kty) || "OKP".equals(kty);
    }

    /** Whether this algorithm may verify with {@code key}. */
    public boolean fits(JwkSet.Key key) {
        return kty.equals(key.kty()) && (crv == null || crv.equals(key.crv())) && (key.alg() == null || key.alg().equals(name()));
    }

    /** Whether {@code signature} signs {@code signingInput} (the token's {@code header.payload}) with {@code key}. */
    public boolean verify(JwkSet.Key key, byte[] signingInput, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(jca);
            if (pss != null) {
                verifier.setParameter(pss);
            }
            verifier.initVerify(key.publicKey());
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
