package io.herald.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Random and mutated inputs for {@code FuzzIT}, all drawn from one {@link Random} so that a seed
 * replays them: bridge frames (valid ones, mutations of valid ones, JSON of every wrong shape, text
 * that is no JSON at all, invalid UTF-8, frames sized around the frame limit, deep nesting), HTTP
 * publish bodies and history queries. Values that cannot travel in a text frame as they are (lone
 * surrogates) are written as JSON escapes, which is how a hostile client would send them.
 */
public final class FuzzInputs {
    /** The shipped catalog's types (conf/catalog.json). */
    public static final List<String> TYPES = List.of(
            "order:created", "order:updated", "order:status_changed", "order:deleted",
            "customer:created", "customer:updated", "customer:activity", "customer:viewing_product",
            "customer:added_to_cart", "customer:online", "customer:offline",
            "product:created", "product:updated", "product:deleted", "product:price_changed",
            "inventory:updated", "inventory:low_stock", "inventory:out_of_stock", "inventory:restocked",
            "payment:received", "payment:failed", "payment:refunded",
            "system:notification", "system:alert", "system:maintenance", "system:status");
    /** Types browsers of some role may publish (conf/roles.json). */
    public static final List<String> BROWSER_PUBLISHABLE = List.of(
            "customer:viewing_product", "customer:added_to_cart", "customer:activity",
            "system:notification", "system:alert", "system:maintenance", "system:status");
    static final List<String> CONTROLS = List.of("herald:token", "herald:join", "herald:leave", "herald:presence",
            "herald:", "herald:tokens", "herald:token ", "HERALD:TOKEN", "herald:token\u0000");
    static final List<String> FRAME_TYPES = List.of("register", "unregister", "publish", "send", "ping");
    public static final List<String> ROLES = List.of("admin", "manager", "staff", "customer", "guest");

    private final Random r;
    private final int maxFrameBytes;
    private final int maxAddressLength;
    /** User ids the target games and event data name, among them the well-behaved clients'. */
    private final List<String> targetUsers;
    /** Tokens (valid, expired, of other users, garbage) a herald:token refresh may carry. */
    private final Supplier<String> tokens;
    /**
     * Whether to send the inputs that hit the bugs the fuzzer found and that are not fixed yet (see the
     * disabled reproducers in {@code FuzzIT}): event data nested hundreds of levels deep, malformed
     * percent escapes in URLs, request lines over 4 KB, signed tokens whose exp or nbf is not a number, a
     * history since of 2^63 - 2.
     * (FuzzIT leaves out form and multipart content types likewise.) Off by default, so the rest is checked.
     */
    private final boolean knownBugs;

    public FuzzInputs(Random random, int maxFrameBytes, int maxAddressLength, List<String> targetUsers, Supplier<String> tokens,
                      boolean knownBugs) {
        this.knownBugs = knownBugs;
        this.r = random;
        this.maxFrameBytes = maxFrameBytes;
        this.maxAddressLength = maxAddressLength;
        this.targetUsers = targetUsers;
        this.tokens = tokens;
    }

    <T> T pick(List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    boolean chance(double p) {
        return r.nextDouble() < p;
    }

    // ---------------------------------------------------------------- strings and values

    /** A short string of characters from everywhere: ASCII, controls, Latin, '€', CJK, emoji (pairs), lone surrogates. */
    public String string(int maxLength) {
        int length = r.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (r.nextInt(12)) {
                case 0 -> s.append((char) r.nextInt(0x20));
                case 1 -> s.append("\"\\/{}[]:,".charAt(r.nextInt(9)));
                case 2 -> s.append('€');
                case 3 -> s.append((char) (0x00A0 + r.nextInt(0x700)));
                case 4 -> s.append((char) (0x4E00 + r.nextInt(0x5000)));
                case 5 -> s.appendCodePoint(0x1F300 + r.nextInt(0x300)); // a surrogate pair
                case 6 -> s.append((char) (0xD800 + r.nextInt(0x800))); // a lone surrogate
                case 7 -> s.append('\uFFFF');
                default -> s.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return s.toString();
    }

    /** A value of a kind nobody expects where it goes. */
    public Object weird() {
        return switch (r.nextInt(22)) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextInt();
            case 3 -> Long.MAX_VALUE;
            case 4 -> Long.MIN_VALUE;
            case 5 -> -1;
            case 6 -> 0;
            case 7 -> r.nextDouble() * 1e6 - 5e5;
            case 8 -> 1e308;
            case 9 -> -0.0;
            case 10 -> new java.math.BigInteger("123456789012345678901234567890123456789");
            case 11 -> "";
            case 12 -> " ";
            case 13 -> string(20);
            case 14 -> "x".repeat(r.nextInt(maxAddressLength * 2 + 2));
            case 15 -> new JsonArray();
            case 16 -> new JsonObject();
            case 17 -> new JsonArray().add(string(5)).add(r.nextInt()).addNull();
            case 18 -> new JsonObject().put(string(5), string(5));
            case 19 -> pick(TYPES);
            case 20 -> pick(FRAME_TYPES);
            default -> json(3);
        };
    }

    /** Any JSON value, nested up to {@code depth}. */
    public Object json(int depth) {
        int kind = r.nextInt(depth <= 0 ? 6 : 8);
        switch (kind) {
            case 0:
                return null;
            case 1:
                return r.nextBoolean();
            case 2:
                return r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1000);
            case 3:
                return r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            case 4:
            case 5:
                return string(12);
            case 6: {
                JsonArray array = new JsonArray();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    array.add(json(depth - 1));
                }
                return array;
            }
            default: {
                JsonObject object = new JsonObject();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    object.put(chance(0.5) ? pick(List.of("id", "customerId", "type", "seq", "data", "userId", "storeId", "target", "__proto__"))
                            : string(8), json(depth - 1));
                }
                return object;
            }
        }
    }

    /** An address, mostly plausible: catalog types, their near misses, control addresses, long and odd ones. */
    public String address() {
        return switch (r.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5 -> pick(TYPES);
            case 6 -> pick(CONTROLS);
            case 7 -> pick(TYPES).toUpperCase();
            case 8 -> pick(TYPES) + pick(List.of(" ", "\u0000", "*", ".*", ":x", "/", "€"));
            case 9 -> pick(List.of("orders", "order:*", ".*", "order:", ":", "#", "sync:1", "rec", "err", "__proto__", "$"));
            case 10 -> "x".repeat(maxAddressLength - 1 + r.nextInt(3)); // around the address limit
            case 11 -> "€".repeat(maxAddressLength / 3 + r.nextInt(3)); // few chars, many bytes
            case 12 -> "x".repeat(1000 + r.nextInt(10_000));
            case 13 -> string(30);
            case 14 -> "\uD83D\uDE00".repeat(1 + r.nextInt(maxAddressLength)); // pairs
            case 15 -> "\uD800" + pick(TYPES); // lone surrogate
            case 16 -> "order:created";
            case 17 -> "";
            default -> pick(List.of("product", "inventory", "payment", "customer", "system", "order")) + ":" + string(8);
        };
    }

    /** Headers of a register: since and epoch of every kind, or no object at all. */
    Object headers() {
        if (chance(0.1)) {
            return weird();
        }
        JsonObject headers = new JsonObject();
        if (chance(0.85)) {
            headers.put("since", pick(List.of(
                    "0", "1", "5", "-1", "-0", " 3 ", "3 ", "+3", "0x10", "1e3", "1.5", "abc", "", "null",
                    "9223372036854775807", "9223372036854775806", "9223372036854775808", "-9223372036854775808",
                    "99999999999999999999999", "١٢", "\uD800", "\u0000")));
            if (chance(0.5)) {
                headers.put("since", weird());
            }
            if (chance(0.2)) {
                headers.put("since", pick(List.of(9.223372036854776E18, 1e19, -1e19, 4.5, 1e-300, 123L, 0L, Long.MAX_VALUE - 1)));
            }
        }
        if (chance(0.6)) {
            headers.put("epoch", chance(0.5) ? weird() : string(40));
        }
        if (chance(0.2)) {
            headers.put(string(6), weird());
        }
        return headers;
    }

    /** A body for a send to herald:token (or another control address). */
    Object controlBody() {
        return switch (r.nextInt(9)) {
            case 0 -> weird();
            case 1 -> new JsonObject();
            case 2 -> new JsonObject().put("token", weird());
            case 3 -> new JsonObject().put("room", weird());
            case 4 -> new JsonObject().put("room", string(10)).put("token", string(10));
            case 5 -> new JsonObject().put("limit", chance(0.5) ? weird() : r.nextInt(1000) - 200).put("next", chance(0.5) ? weird() : string(10)); // presence pages
            default -> new JsonObject().put("token", tokens.get());
        };
    }

    // ---------------------------------------------------------------- bridge frames

    /** A frame as the protocol allows it. */
    public JsonObject validFrame() {
        String type = pick(FRAME_TYPES);
        JsonObject frame = new JsonObject().put("type", type);
        if ("ping".equals(type)) {
            return frame;
        }
        boolean control = "send".equals(type) && chance(0.3);
        frame.put("address", control ? "herald:token" : chance(0.7) ? pick(TYPES) : pick(BROWSER_PUBLISHABLE));
        switch (type) {
            case "register" -> {
                if (chance(0.3)) {
                    frame.put("headers", new JsonObject().put("since", String.valueOf(r.nextInt(50))));
                }
            }
            case "publish", "send" -> {
                frame.put("body", control ? new JsonObject().put("token", tokens.get())
                        : new JsonObject().put("productId", "p-" + r.nextInt(100)).put("customerId", string(6)));
                if ("send".equals(type) && chance(0.7)) {
                    frame.put("replyAddress", "reply-" + r.nextInt(1_000_000));
                }
            }
            default -> { }
        }
        return frame;
    }

    /** A valid frame with one to four things wrong with it. */
    public JsonObject mutatedFrame() {
        JsonObject frame = validFrame();
        int mutations = 1 + r.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            switch (r.nextInt(14)) {
                case 0 -> frame.put("type", weird());
                case 1 -> frame.put("type", pick(List.of("REGISTER", "Register", "register ", "rec", "err", "close", "subscribe",
                        "", "unregister\u0000", "send\uD800", "pong", "auth", "publish\n")));
                case 2 -> frame.remove(pick(List.of("type", "address", "body", "headers", "replyAddress")));
                case 3 -> frame.put("address", address());
                case 4 -> frame.put("address", weird());
                case 5 -> frame.put("headers", headers());
                case 6 -> frame.put("body", chance(0.5) ? weird() : json(4));
                case 7 -> frame.put("replyAddress", chance(0.5) ? weird() : address());
                case 8 -> frame.put(chance(0.5) ? string(8) : pick(List.of("id", "seq", "__proto__", "token", "userId", "role")), weird());
                case 9 -> {
                    frame.put("type", "send").put("address", pick(CONTROLS)).put("body", controlBody());
                    if (chance(0.7)) {
                        frame.put("replyAddress", chance(0.8) ? "reply-" + r.nextInt(1000) : address());
                    }
                }
                case 10 -> frame.put("type", pick(List.of("publish", "send"))).put("address", pick(TYPES))
                        .put("body", new JsonObject().put("customerId", weird()).put("userId", "admin").put("seq", 1).put("id", "forged"));
                case 11 -> frame.put("type", "register").put("address", pick(TYPES)).put("headers", headers());
                case 12 -> frame.put("body", chance(0.7) ? nested(1 + r.nextInt(50), chance(0.5))
                        : new JsonObject().put("deep", deep(knownBugs ? pick(List.of(500, 900, 997, 998, 999, 1000, 1001, 1200))
                        : pick(List.of(60, 100, 999, 1000, 1001, 1200))))); // past 998 the parser refuses the frame
                default -> frame.put("type", "send").put("address", address()).put("replyAddress", address()).put("body", json(2));
            }
        }
        return frame;
    }

    /** Nested arrays or objects, {@code depth} deep. */
    public Object nested(int depth, boolean arrays) {
        Object value = string(3);
        for (int i = 0; i < depth; i++) {
            value = arrays ? new JsonArray().add(value) : new JsonObject().put("a", value);
        }
        return value;
    }

    private static final String DEEP = "@@deep:";
    private static final java.util.regex.Pattern DEEP_VALUE = java.util.regex.Pattern.compile("\"@@deep:(\\d+):([ao])\"");

    /**
     * A placeholder that {@link #encodeValue} replaces with {@code depth} levels of nesting as text: a
     * value that deep would overflow the stack of whoever encoded it as an object (the test included).
     */
    public String deep(int depth) {
        return DEEP + depth + ":" + (chance(0.5) ? "a" : "o");
    }

    private static String expandDeep(String json) {
        if (!json.contains(DEEP)) {
            return json;
        }
        java.util.regex.Matcher m = DEEP_VALUE.matcher(json);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int depth = Integer.parseInt(m.group(1));
            boolean arrays = m.group(2).equals("a");
            String nested = (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(nested));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Nesting as text, as deep as wanted (the JSON parser's limit is 1,000 levels); may be unbalanced. */
    public String nestedText(int depth) {
        String open = chance(0.5) ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        StringBuilder s = new StringBuilder(depth * (open.length() + 1) + 2);
        s.append(open.repeat(depth)).append(chance(0.5) ? "1" : "\"x\"");
        s.append(close.repeat(chance(0.8) ? depth : r.nextInt(depth + 1)));
        return s.toString();
    }

    /** A frame payload (the text of one bridge frame), of any of the kinds. */
    public String frameText() {
        int kind = r.nextInt(100);
        if (kind < 45) {
            return encode(mutatedFrame());
        }
        if (kind < 55) {
            return encode(validFrame());
        }
        if (kind < 63) {
            return encodeValue(chance(0.3) ? weird() : json(4)); // JSON, but not a frame
        }
        if (kind < 70) {
            return garbleText(encode(chance(0.5) ? validFrame() : mutatedFrame()));
        }
        if (kind < 76) {
            return escapeLoneSurrogates(string(60)); // no JSON at all
        }
        if (kind < 80) {
            return nestedText(pick(List.of(2, 50, 999, 1000, 1001, 2000, 5000, maxFrameBytes / 6)));
        }
        if (kind < 84) {
            return sizedFrame();
        }
        if (kind < 88) {
            return numbersFrame();
        }
        if (kind < 92) {
            return duplicateKeys();
        }
        return encode(new JsonObject().put("type", pick(FRAME_TYPES)).put("address", address())
                .put("headers", headers()).put("body", weird()).put("replyAddress", weird()));
    }

    /** A frame of text valid or not, cut, spliced, or with a character replaced, inserted or doubled. */
    String garbleText(String text) {
        return escapeLoneSurrogates(garble(text)); // a cut may fall between the two halves of a surrogate pair
    }

    private String garble(String text) {
        if (text.isEmpty()) {
            return "{";
        }
        int at = r.nextInt(text.length());
        return switch (r.nextInt(7)) {
            case 0 -> text.substring(0, at);
            case 1 -> text.substring(at);
            case 2 -> text.substring(0, at) + pick(List.of("\"", "{", "}", "[", "]", ",", ":", "\\", "\\u", "\\uD800", "\u0000", "€", "NaN", "Infinity", "//", "/*")) + text.substring(at);
            case 3 -> text + pick(List.of(" x", "}", "{}", ",", " ", "\n", "[]", "null"));
            case 4 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + r.nextInt(5)));
            case 5 -> "'" + text.replace('"', '\'') + "'";
            default -> text + text;
        };
    }

    /**
     * A frame whose UTF-8 size is close to the frame limit (just under, at, just over) or to four times
     * it (past which the transport closes the socket), padded with ASCII, '€' (3 bytes) or emoji (4 bytes).
     */
    String sizedFrame() {
        String[] pads = {"x", "€", "\uD83D\uDE00"};
        int padIndex = r.nextInt(pads.length);
        String pad = pads[padIndex];
        int padBytes = new int[] {1, 3, 4}[padIndex];
        long target;
        int choice = r.nextInt(20);
        if (choice == 0) {
            target = 4L * maxFrameBytes + 1 + r.nextInt(64); // closes the socket (1009)
        } else if (choice == 1) {
            target = 4L * maxFrameBytes - r.nextInt(64);
        } else {
            target = maxFrameBytes + r.nextInt(9) - 4;
        }
        String head = "{\"type\":\"" + pick(FRAME_TYPES) + "\",\"address\":\"" + pick(TYPES) + "\",\"body\":{\"p\":\"";
        String tail = "\"}}";
        long room = target - head.length() - tail.length();
        StringBuilder s = new StringBuilder(head);
        for (long filled = 0; filled + padBytes <= room; filled += padBytes) {
            s.append(pad);
        }
        while (utf8Length(s) + tail.length() < target) {
            s.append('x');
        }
        return s.append(tail).toString();
    }

    /** Numbers the parser must cope with: huge, tiny, negative zero, exponents, leading zeros. */
    String numbersFrame() {
        String number = pick(List.of("1e400", "-1e400", "1E-400", "123456789012345678901234567890", "-0", "0.0", "00", "01",
                "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.7976931348623157e308", "4.9e-324",
                "NaN", "Infinity", "-", "1.", ".5", "0x1F", "1_000", "9".repeat(400)));
        return pick(List.of(
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":" + number + "}}",
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"" + number + "\",\"epoch\":" + number + "}}",
                "{\"type\":" + number + ",\"address\":\"order:created\"}",
                "{\"type\":\"publish\",\"address\":" + number + ",\"body\":{}}",
                "{\"type\":\"send\",\"address\":\"customer:activity\",\"replyAddress\":" + number + ",\"body\":{\"n\":" + number + "}}",
                "{\"type\":\"publish\",\"address\":\"customer:activity\",\"body\":{\"customerId\":" + number + "}}",
                "{\"type\":\"send\",\"address\":\"herald:token\",\"replyAddress\":\"r\",\"body\":{\"token\":" + number + "}}"));
    }

    /** The same key more than once (which one wins is the parser's choice). */
    String duplicateKeys() {
        return pick(List.of(
                "{\"type\":\"register\",\"type\":\"publish\",\"address\":\"customer:activity\",\"body\":{}}",
                "{\"type\":\"publish\",\"address\":\"customer:activity\",\"address\":\"order:created\",\"body\":{\"customerId\":\"x\"}}",
                "{\"type\":\"send\",\"address\":\"herald:token\",\"replyAddress\":\"a\",\"replyAddress\":{},\"body\":{\"token\":\"x\",\"token\":1}}",
                "{\"type\":\"register\",\"address\":\"order:created\",\"headers\":{\"since\":\"1\",\"since\":\"-1\"},\"headers\":null}",
                "{\"address\":\"order:created\",\"type\":\"register\",\"type\":null}"));
    }

    /** A burst of the same frame kind, to reach the per-kind rate limit and the flood close. */
    public List<String> flood(int n) {
        List<String> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            frames.add("{\"type\":\"unregister\",\"address\":\"" + pick(TYPES) + "\"}");
        }
        return frames;
    }

    /** Bytes that are not UTF-8: stray continuation bytes, overlong forms, encoded surrogates, 0xFE/0xFF, cut sequences. */
    public byte[] invalidUtf8() {
        List<byte[]> pieces = List.of(
                new byte[] {(byte) 0x80}, new byte[] {(byte) 0xBF}, new byte[] {(byte) 0xC0, (byte) 0x80},
                new byte[] {(byte) 0xC1, (byte) 0xBF}, new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xFE}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xF0, (byte) 0x9F},
                new byte[] {0});
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String around = chance(0.5) ? encode(validFrame()) : "";
        int cut = around.isEmpty() ? 0 : r.nextInt(around.length());
        out.writeBytes(around.substring(0, cut).getBytes(StandardCharsets.UTF_8));
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            out.writeBytes(pick(pieces));
            if (chance(0.3)) {
                byte[] noise = new byte[r.nextInt(8)];
                r.nextBytes(noise);
                out.writeBytes(noise);
            }
        }
        out.writeBytes(around.substring(cut).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Random bytes (mostly not UTF-8). */
    public byte[] randomBytes(int max) {
        byte[] bytes = new byte[r.nextInt(max + 1)];
        r.nextBytes(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- HTTP

    /** An event for POST /api/events, valid or mutated; the target games name the well-behaved client's user and role. */
    public Object event() {
        JsonObject event = new JsonObject().put("type", chance(0.8) ? pick(TYPES) : address());
        if (chance(0.8)) {
            event.put("data", chance(0.7) ? new JsonObject().put("orderId", "o-" + r.nextInt(1000)).put("customerId", pick(targetUsers))
                    : json(3));
        }
        if (chance(0.3)) {
            event.put("target", target());
        }
        if (chance(0.15)) {
            event.put("userId", chance(0.6) ? string(10) : weird());
        }
        if (chance(0.15)) {
            event.put("storeId", chance(0.6) ? string(10) : weird());
        }
        int mutations = chance(0.5) ? 0 : 1 + r.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            switch (r.nextInt(10)) {
                case 0 -> event.put("type", weird());
                case 1 -> event.remove(pick(List.of("type", "data", "target")));
                case 2 -> event.put("data", weird());
                case 3 -> event.put("data", new JsonObject().put("deep", deep(knownBugs
                        ? pick(List.of(10, 100, 400, 990, 996, 997, 998, 999, 1000, 1500))
                        : pick(List.of(10, 60, 100, 999, 1000, 1500))))); // past 998 the body is refused as JSON
                case 4 -> event.put("data", new JsonObject().put("big", "€".repeat(r.nextInt(30_000))));
                case 5 -> event.put(pick(List.of("id", "seq", "ts", "epoch", string(5))), weird());
                case 6 -> event.put("target", weird());
                case 7 -> event.put("type", pick(TYPES).toUpperCase());
                case 8 -> event.put("target", target()).put("type", "order:created");
                default -> { }
            }
        }
        if (chance(0.03)) {
            return weird(); // not even an object
        }
        return event;
    }

    /** A target: users, roles, rooms of right and wrong shapes. */
    Object target() {
        if (chance(0.1)) {
            return weird();
        }
        JsonObject target = new JsonObject();
        for (String field : List.of("users", "roles", "rooms")) {
            if (!chance(0.5)) {
                continue;
            }
            switch (r.nextInt(7)) {
                case 0 -> target.put(field, weird());
                case 1 -> target.put(field, new JsonArray());
                case 2 -> {
                    JsonArray many = new JsonArray();
                    int n = 990 + r.nextInt(20); // around the 1,000 entries limit
                    for (int i = 0; i < n; i++) {
                        many.add("u" + i);
                    }
                    target.put(field, many);
                }
                case 3 -> target.put(field, new JsonArray().add("").add(1).addNull());
                default -> {
                    JsonArray names = new JsonArray();
                    int n = 1 + r.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        names.add(field.equals("roles") ? pick(ROLES) : field.equals("users") ? pick(targetUsers) : "room-" + r.nextInt(3));
                    }
                    target.put(field, names);
                }
            }
        }
        if (chance(0.1)) {
            target.put(string(5), weird());
        }
        return target;
    }

    /** A body for POST /api/events (as text; sometimes not JSON, or huge). */
    public String eventBody() {
        int kind = r.nextInt(100);
        if (kind < 75) {
            return encodeValue(event());
        }
        if (kind < 83) {
            return garbleText(encodeValue(event()));
        }
        if (kind < 87) {
            return nestedText(pick(List.of(10, 999, 1000, 1001, 5000)));
        }
        if (kind < 90) {
            return "{\"type\":\"order:updated\",\"data\":{\"pad\":\"" + "x".repeat(65536 - 40 + r.nextInt(80)) + "\"}}"; // around the body limit
        }
        if (kind < 93) {
            return pick(List.of("", " ", "null", "[]", "{}", "\"order:created\"", "0", "true", "{\"type\":\"order:created\"} {}",
                    "{\"type\":\"order:created\",}", "{\"type\":\"order:created\"", "\uFEFF{\"type\":\"order:created\"}"));
        }
        if (kind < 96) {
            return numbersEvent();
        }
        return escapeLoneSurrogates(string(200));
    }

    String numbersEvent() {
        String number = pick(List.of("1e400", "-0", "123456789012345678901234567890", "NaN", "9".repeat(1000), "1.7976931348623157e309"));
        return pick(List.of(
                "{\"type\":\"order:updated\",\"data\":{\"n\":" + number + "}}",
                "{\"type\":" + number + "}",
                "{\"type\":\"order:updated\",\"data\":{\"customerId\":" + number + "}}",
                "{\"type\":\"order:updated\",\"target\":{\"users\":[" + number + "]}}"));
    }

    /** A body for POST /api/events/batch. */
    public String batchBody() {
        int kind = r.nextInt(100);
        if (kind < 80) {
            JsonArray events = new JsonArray();
            int n = chance(0.05) ? 495 + r.nextInt(10) : r.nextInt(6); // around the batch limit, or a few
            for (int i = 0; i < n; i++) {
                events.add(n > 100 ? new JsonObject().put("type", pick(TYPES)) : event());
            }
            JsonObject batch = new JsonObject().put("events", events);
            if (chance(0.1)) {
                batch.put("events", weird());
            }
            if (chance(0.1)) {
                batch.put(string(5), weird());
            }
            return encodeValue(chance(0.05) ? events : batch);
        }
        if (kind < 90) {
            return garbleText(batchBodyText());
        }
        return eventBody();
    }

    private String batchBodyText() {
        return encodeValue(new JsonObject().put("events", new JsonArray().add(event()).add(event())));
    }

    /** A query for GET /api/history/{type} (already URL-encoded), with values of every kind. */
    public String historyQuery() {
        StringBuilder q = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            q.append(i == 0 ? "" : "&");
            q.append(pick(List.of("since", "limit", "epoch", "since", "limit", "x", "", "since[]", "LIMIT")));
            if (chance(0.9)) {
                q.append('=').append(urlEncode(pick(List.of(
                        "0", "1", "-1", "10", "1000", "1001", "0x10", "1e3", " 5", "", "abc", "9223372036854775807",
                        knownBugs ? "9223372036854775806" : "1000000", // since=2^63-2: 503 once a type holds ~1,000 events
                        knownBugs ? "3000000000" : "2000000000", // 503 on any type
                        "9223372036854775808", "-9223372036854775808", "2147483648", "99999999999999999999",
                        string(10), "€", "\uD800"))));
            }
        }
        if (chance(0.05)) {
            q.append(pick(knownBugs ? List.of("&&", "=", "%", "%zz", "%E2%82", "%C0%80", "%ED%A0%80", "%00", "+", "#", ";", "a=b=c")
                    : List.of("&&", "=", "%E2%82", "%C0%80", "%ED%A0%80", "%00", "+", "#", ";", "a=b=c")));
        }
        return q.toString();
    }

    /** A {type} path segment for the history API (URL-encoded, or raw bytes that are not). */
    public String historyType() {
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> pick(TYPES);
            case 5 -> urlEncode(string(12));
            case 6 -> pick(knownBugs ? List.of("%", "%zz", "%2F", "..%2F..", "%00", "%ED%A0%80", "%C0%80", "order%3Acreated", "order:created%20")
                    : List.of("%2F", "..%2F..", "%00", "%ED%A0%80", "%C0%80", "order%3Acreated", "order:created%20"));
            case 7 -> urlEncode("x".repeat(1 + r.nextInt(knownBugs ? 6000 : 3000))); // request lines over 4 KB: 414
            case 8 -> pick(List.of("", "order:created/", "order:created/x", "..", "."));
            default -> {
                String address = address();
                yield urlEncode(address.length() > 1000 ? address.substring(0, 1000) : address);
            }
        };
    }

    // ---------------------------------------------------------------- tokens

    /** A JWT that is not quite right: alg none, bad signature, claims of the wrong kinds (signed with the real key or not). */
    public String oddToken(String secret) {
        JsonObject header = new JsonObject().put("alg", pick(List.of("HS256", "HS256", "none", "RS256", "HS512", "")))
                .put("typ", "JWT");
        JsonObject claims = new JsonObject();
        if (chance(0.9)) {
            claims.put("sub", chance(0.7) ? "odd-" + r.nextInt(10) : weird());
        }
        if (chance(0.9)) {
            claims.put("role", chance(0.6) ? pick(ROLES) : pick(List.of("root", "ADMIN", "", "admin ", "superuser")));
            if (chance(0.2)) {
                claims.put("role", weird());
            }
        }
        long now = System.currentTimeMillis() / 1000;
        if (chance(0.9)) {
            claims.put("exp", pick(List.of(now + 600, now - 600, now + 1, 0L, Long.MAX_VALUE, -1L, 1e300, now + 0.5)));
            if (knownBugs && chance(0.3)) {
                claims.put("exp", weird()); // signed, a non-number exp hangs the connection (FuzzIT's reproducer)
            }
        }
        if (chance(0.2)) {
            claims.put("nbf", chance(0.5) || !knownBugs ? now + pick(List.of(600L, -600L)) : weird());
        }
        if (chance(0.2)) {
            claims.put("rooms", chance(0.5) ? new JsonArray().add("room-1").add(1) : weird());
        }
        if (chance(0.2)) {
            claims.put("storeId", weird());
        }
        String body = b64(header.encode()) + "." + b64(escapeLoneSurrogates(claims.encode()));
        return switch (r.nextInt(6)) {
            case 0 -> body + ".";
            case 1 -> body + "." + b64("not a signature");
            case 2 -> pick(List.of("", "x", "a.b", "a.b.c.d", "Bearer x", "...", "%", "€", "eyJ" + string(30).replaceAll("[^A-Za-z0-9]", "")));
            default -> body + "." + hmac(secret, body);
        };
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hmac(String secret, String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- encoding

    /** The JSON text of a frame object; lone surrogates become escapes (a text frame can carry them no other way). */
    public static String encode(JsonObject frame) {
        return expandDeep(escapeLoneSurrogates(frame.encode()));
    }

    public static String encodeValue(Object value) {
        return expandDeep(escapeLoneSurrogates(io.vertx.core.json.Json.encode(value)));
    }

    /** Replaces each lone surrogate with its JSON escape (they only occur inside JSON strings here). */
    public static String escapeLoneSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
            if (Character.isHighSurrogate(c) && !lone) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (lone) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    public static String urlEncode(String text) {
        return java.net.URLEncoder.encode(escapeLoneSurrogates(text), StandardCharsets.UTF_8);
    }

    public static long utf8Length(CharSequence s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
