package io.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and certificates it signs, made at test time with nothing but the JDK's keytool (no private key is
 * checked in): PKCS#12 stores, and the same keys as PEM files (the JDK reads the store back and writes PKCS#8).
 */
public final class TestCerts {
    public static final String PASSWORD = "changeit";

    /** A CA: its store (key and certificate) and its certificate as PEM. */
    public record Ca(String name, Path store, Path certPem, Path trustStore) {
    }

    /** A node's identity signed by a CA: a PKCS#12 store with the chain, and the same as PEM certificate chain + key. */
    public record Identity(Path keyStore, Path certPem, Path keyPem) {
    }

    private TestCerts() {
    }

    public static Ca ca(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + "-ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=" + name,
                "-ext", "bc:c", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path certPem = dir.resolve(name + "-ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD, "-file", certPem.toString());
        Path trustStore = dir.resolve(name + "-trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certPem.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", PASSWORD);
        return new Ca(name, store, certPem, trustStore);
    }

    /** A certificate for {@code name} (also valid for 127.0.0.1 and localhost) signed by {@code ca}. */
    public static Identity signed(Path dir, Ca ca, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=" + name,
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path request = dir.resolve(name + ".csr");
        keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-storepass", PASSWORD, "-file", request.toString());
        Path cert = dir.resolve(name + "-signed.pem");
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.store().toString(), "-storepass", PASSWORD, "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth,clientAuth",
                "-infile", request.toString(), "-outfile", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.certPem().toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "node", "-file", cert.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) keys.getKey("node", PASSWORD.toCharArray());
        StringBuilder chain = new StringBuilder();
        for (Certificate certificate : keys.getCertificateChain("node")) {
            chain.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Path certPem = Files.writeString(dir.resolve(name + "-chain.pem"), chain.toString());
        Path keyPem = Files.writeString(dir.resolve(name + "-key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        return new Identity(store, certPem, keyPem);
    }

    static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(120, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
