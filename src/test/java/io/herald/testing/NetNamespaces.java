package io.herald.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces {@code <p>n<id>-<i>} with address {@code 10.<octet>.<net>.<i+1>}, each on a veth pair
 * ({@code <p>v<id><i>} outside, {@code <p>p<id><i>} inside) on bridge {@code <p>b<id>} ({@code 10.<octet>.<net>.254}
 * for this JVM), for the ITs of a real network (PartitionIT, the chaos soak): a cut node and the others drop what they
 * send each other; this JVM reaches every node. Making them needs root with CAP_NET_ADMIN ({@link #possible}).
 */
public final class NetNamespaces implements AutoCloseable {
    public final String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    public final String subnet;
    public final String bridge;
    private final String prefix;
    private final int size;

    /** {@code prefix} starts every name (one letter a user of them: h for PartitionIT, s for the soak); {@code octet} picks 10.octet. */
    public NetNamespaces(String prefix, int octet, int size) {
        this.prefix = prefix;
        this.subnet = "10." + octet + "." + ThreadLocalRandom.current().nextInt(0, 256);
        this.bridge = prefix + "b" + id;
        this.size = size;
    }

    public String ns(int i) {
        return prefix + "n" + id + "-" + i;
    }

    public String ip(int i) {
        return subnet + "." + (i + 1);
    }

    /** This JVM's address on the bridge. */
    public String outsideIp() {
        return subnet + ".254";
    }

    public NetNamespaces create() throws Exception {
        ip("link", "add", bridge, "type", "bridge");
        ip("addr", "add", outsideIp() + "/24", "dev", bridge);
        ip("link", "set", bridge, "up");
        for (int i = 0; i < size; i++) {
            String outside = prefix + "v" + id + i;
            String inside = prefix + "p" + id + i;
            ip("netns", "add", ns(i));
            ip("link", "add", outside, "type", "veth", "peer", "name", inside);
            ip("link", "set", inside, "netns", ns(i));
            ip("link", "set", outside, "master", bridge, "up");
            in(i, "ip", "addr", "add", ip(i) + "/24", "dev", inside);
            in(i, "ip", "link", "set", inside, "up");
            in(i, "ip", "link", "set", "lo", "up");
        }
        return this;
    }

    /** Node {@code cut} and the others drop what they send each other ({@code action} add), or again not (del). */
    public void cut(int cut, String action) throws Exception {
        for (int i = 0; i < size; i++) {
            if (i != cut) {
                in(cut, "ip", "route", action, "blackhole", ip(i) + "/32");
                in(i, "ip", "route", action, "blackhole", ip(cut) + "/32");
            }
        }
    }

    public void in(int i, String... command) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(i)));
        all.addAll(List.of(command));
        run(all);
    }

    public static void ip(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip"));
        all.addAll(List.of(args));
        run(all);
    }

    static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    /** Whether this process may make network namespaces (root with CAP_NET_ADMIN): tried, then removed. */
    public static boolean possible(String prefix) {
        try {
            String probe = prefix + "n-probe-" + ProcessHandle.current().pid();
            ip("netns", "add", probe);
            ip("netns", "del", probe);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            for (String[] command : List.of(new String[] {"link", "del", prefix + "v" + id + i}, new String[] {"netns", "del", ns(i)})) {
                try {
                    ip(command);
                } catch (Exception ignored) {
                    // not made
                }
            }
        }
        try {
            ip("link", "del", bridge);
        } catch (Exception ignored) {
            // not made
        }
    }
}
