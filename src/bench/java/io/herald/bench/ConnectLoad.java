package io.herald.bench;

import io.herald.config.HeraldConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connects per second, closed loop: {@code concurrency} clients each connect (raw WebSocket, a token in the query),
 * wait for the node's answer to a first frame (a register of an unknown type: {@code unknown_event_type} comes only
 * once the token is verified and the connection open), close, and start again. Tokens come from a pool signed up
 * front (HS256 with the dev secret, or RS256 with a key pair made here), so the generator spends no time signing.
 */
final class ConnectLoad {
    static final String PROBE = "{\"type\":\"register\",\"address\":\"bench:probe\"}";

    private final WebSocketClient client;
    private final int port;
    private final List<String> tokens;
    final LongAdder completed = new LongAdder();
    final LongAdder errors = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger next = new AtomicInteger();

    ConnectLoad(Vertx vertx, int port, List<String> tokens) {
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000).setConnectTimeout(30_000));
        this.port = port;
        this.tokens = tokens;
    }

    /** An RSA key pair for RS256: the public key as PEM (for the node), the private one as PEM (to sign). */
    record RsaKeys(String publicPem, String privatePem) {
        static RsaKeys generate() throws NoSuchAlgorithmException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new RsaKeys(pem("PUBLIC KEY", pair.getPublic().getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        }

        Path publicKeyFile() throws IOException {
            Path file = Files.createTempFile("bench-rs256", ".pem");
            Files.writeString(file, publicPem);
            file.toFile().deleteOnExit();
            return file;
        }

        private static String pem(String kind, byte[] der) {
            return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + kind + "-----\n";
        }
    }

    /** {@code count} staff tokens of distinct users, an hour long: HS256 with the dev secret, or RS256 with {@code rsa}. */
    static List<String> tokens(Vertx vertx, int count, RsaKeys rsa) {
        String algorithm = rsa == null ? "HS256" : "RS256";
        JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm)
                .setBuffer(rsa == null ? HeraldConfig.DEV_JWT_SECRET : rsa.privatePem())));
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add(jwt.generateToken(new JsonObject().put("sub", "c-" + i).put("role", "staff"),
                    new JWTOptions().setAlgorithm(algorithm).setExpiresInSeconds(3600)));
        }
        return tokens;
    }

    void start(int concurrency) {
        running.set(true);
        for (int i = 0; i < concurrency; i++) {
            loop();
        }
    }

    void stop() {
        running.set(false);
    }

    private void loop() {
        if (!running.get()) {
            return;
        }
        cycle().onComplete(done -> {
            if (done.succeeded()) {
                completed.increment();
            } else {
                errors.increment();
            }
            loop();
        });
    }

    private Future<Void> cycle() {
        String token = tokens.get(Math.floorMod(next.getAndIncrement(), tokens.size()));
        return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/eventbus/websocket?token=" + token))
                .compose(ws -> {
                    Promise<Void> answered = Promise.promise();
                    ws.textMessageHandler(text -> {
                        if (text.contains("unknown_event_type")) {
                            answered.tryComplete();
                        } else {
                            answered.tryFail("refused: " + text);
                        }
                    });
                    ws.closeHandler(v -> answered.tryFail("closed before the answer"));
                    ws.exceptionHandler(answered::tryFail);
                    ws.writeTextMessage(PROBE);
                    return answered.future().eventually(() -> ws.close());
                });
    }

    void close() {
        stop();
        client.close();
    }
}
