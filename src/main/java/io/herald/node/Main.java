package io.herald.node;

import io.herald.auth.TokenMinter;
import io.herald.catalog.EventCatalog;
import io.herald.catalog.TypeScriptTypes;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.log.JsonLogFormatter;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code java -jar herald.jar} starts a node; {@code java -jar herald.jar token --sub ID --role ROLE}
 * mints a token with the configured secret; {@code java -jar herald.jar types FILE} writes the browser client's
 * TypeScript typings with the configured event catalog. See the README for the configuration.
 */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    static final long ADMIN_TOKEN_TTL_SECONDS = 24 * 3600;
    static final long SHUTDOWN_TIMEOUT_SECONDS = 20;

    private Main() {
    }

    public static void main(String[] args) {
        configureLogging();
        String command = args.length == 0 ? "run" : args[0];
        try {
            switch (command) {
                case "run" -> run(HeraldConfig.load(System.getenv()));
                case "token" -> System.out.println(mintToken(HeraldConfig.load(System.getenv()), Arrays.copyOfRange(args, 1, args.length)));
                case "types" -> writeTypes(HeraldConfig.load(System.getenv()), Arrays.copyOfRange(args, 1, args.length));
                case "help", "--help", "-h" -> System.out.println(usage());
                default -> fail("unknown command '" + command + "'\n" + usage());
            }
        } catch (ConfigException e) {
            fail("configuration error: " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    private static void run(HeraldConfig config) {
        applyLogging(config.log());
        HeraldNode node;
        try {
            node = HeraldNode.start(config).await(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ConfigException ce) {
                throw ce;
            }
            fail("node failed to start: " + cause);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM: not ready at once, new connections refused, every socket closed with shutdown, then the cluster left
            System.out.println("Herald: shutting down, closing sockets and leaving the cluster");
            long start = System.nanoTime();
            try {
                node.close().await(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                System.out.println("Herald: " + node.socketsClosed() + ", left the cluster and stopped in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            } catch (Exception e) {
                System.err.println("Herald: unclean shutdown: " + e);
            }
        }, "herald-shutdown"));
        printBanner(node);
        LOG.info("Herald node " + node.nodeId() + " up on port " + node.port() + ", "
                + (node.clustered() ? "cluster of " + node.clusterSize() : "no cluster") + ", mode " + config.mode().name().toLowerCase());
    }

    /** {@code log.level} for Herald's own loggers, and {@code log.format} json: every line as one JSON object. */
    static void applyLogging(HeraldConfig.Log log) {
        Logger.getLogger("io.herald").setLevel(log.level());
        if (log.json()) {
            for (java.util.logging.Handler handler : Logger.getLogger("").getHandlers()) {
                handler.setFormatter(new JsonLogFormatter());
            }
        }
    }

    private static void printBanner(HeraldNode node) {
        HeraldConfig config = node.config();
        String base = baseUrl(config.http(), node.port());
        StringBuilder banner = new StringBuilder()
                .append("Herald node ").append(node.nodeId()).append(" up on port ").append(node.port())
                .append(node.clustered() ? " (cluster of " + node.clusterSize() + ")" : " (no cluster)")
                .append(", mode ").append(config.mode().name().toLowerCase()).append(config.demo().enabled() ? ", demo events on" : "")
                .append(node.vertx().isNativeTransportEnabled() ? ", native transport" : ", NIO transport")
                .append("\n  listening on ").append(config.http().tls() ? "https/wss " : "http/ws ").append(config.http().host())
                .append(", browser origins: ").append(config.http().allowedOrigins().isEmpty() ? "any" : String.join(" ", config.http().allowedOrigins()));
        if (config.mode() == HeraldConfig.Mode.DEV) {
            banner.append("\n  ***************************************************************************")
                    .append("\n  * DEV MODE: development secret and API key; never expose this node.      *")
                    .append("\n  ***************************************************************************");
            if (!isLoopback(config.http().host())) {
                banner.append("\n  WARNING: dev mode listening on ").append(config.http().host())
                        .append(", reachable from other machines with the development secret and API key");
            }
            if (config.auth().jwtSecret() != null) {
                String admin = new TokenMinter(node.vertx(), config.auth()).mint("dev-admin", "admin", null, List.of(), ADMIN_TOKEN_TTL_SECONDS);
                banner.append("\n  admin token (24 h): ").append(admin)
                        .append("\n  console:            ").append(base).append("/?token=").append(admin);
            }
            banner.append("\n  publish:            curl -XPOST ").append(base).append("/api/events -H 'Authorization: Bearer ")
                    .append(config.apiKey()).append("' -d '{\"type\":\"order:created\",\"data\":{\"orderId\":\"o-1\"}}'");
        }
        System.out.println(banner);
    }

    /** The URL to print: the configured host (localhost for a wildcard), with https when TLS is on. */
    static String baseUrl(HeraldConfig.Http http, int port) {
        String host = http.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (http.tls() ? "https://" : "http://") + host + ":" + port;
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    static String mintToken(HeraldConfig config, String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs\n" + usage());
            }
            options.put(args[i].substring(2), args[++i]);
        }
        String sub = options.get("sub");
        String role = options.get("role");
        if (sub == null || role == null) {
            throw new IllegalArgumentException("token needs --sub and --role\n" + usage());
        }
        long ttl = Long.parseLong(options.getOrDefault("ttl", "3600"));
        List<String> rooms = options.containsKey("rooms") ? List.of(options.get("rooms").split(",")) : List.of();
        Vertx vertx = Vertx.vertx();
        try {
            return new TokenMinter(vertx, config.auth()).mint(sub, role, options.get("store"), rooms, ttl);
        } finally {
            vertx.close();
        }
    }

    /** {@code types <file>}: the client's TypeScript typings with the configured catalog's event types ({@code -}: standard output). */
    static void writeTypes(HeraldConfig config, String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("types needs one file to write (- for standard output)\n" + usage());
        }
        EventCatalog catalog = EventCatalog.fromJson(config.catalogFile().readJson("catalog"));
        String typings = TypeScriptTypes.generate(catalog);
        if (args[0].equals("-")) {
            System.out.print(typings);
            return;
        }
        Path file = Path.of(args[0]);
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, typings);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage());
        }
        System.out.println("Herald: wrote the typings of " + catalog.types().size() + " event types in "
                + catalog.namespaces().size() + " namespaces to " + file);
    }

    static String usage() {
        return """
                usage: java -jar herald.jar [run]
                       java -jar herald.jar token --sub USER --role ROLE [--store STORE] [--rooms a,b] [--ttl SECONDS]
                       java -jar herald.jar types FILE   (the client's TypeScript typings with the catalog's event types; - for stdout)
                configuration: conf/herald.json (HERALD_CONF) and HERALD_* environment variables, see README.md""";
    }

    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        try (InputStream in = Main.class.getResourceAsStream("/logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            LOG.warning("default logging configuration not loaded: " + e);
        }
    }

    private static void fail(String message) {
        System.err.println("Herald: " + message);
        System.exit(2);
    }
}
