package io.herald.delivery.filter;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A subscription filter (docs/filters.md): a tree of conditions on an event's envelope, parsed and checked once
 * ({@link #parse}), then evaluated per event ({@link #matches}) without regex and without allocating, on an
 * envelope parsed at most once however many filters look at it ({@link Input}).
 * <pre>
 * node  := {"field": path, "op": "eq"|"ne"|"in"|"gt"|"gte"|"lt"|"lte"|"exists", "value": …}
 *        | {"and": [node, …]} | {"or": [node, …]} | {"not": node}
 * path  := "storeId" | "userId" | "type" | "data.&lt;key&gt;[.&lt;key&gt;…]"   (a key of digits also indexes an array)
 * </pre>
 * {@code eq}/{@code ne}: a string, number, boolean or null; {@code in}: a non-empty array of those; {@code gt},
 * {@code gte}, {@code lt}, {@code lte}: a number or a string; {@code exists}: true (the default) or false. Numbers
 * compare as numbers (5 equals 5.0), never with strings ("5" is not 5); strings compare by UTF-16 code units (as
 * JavaScript does); a field that is absent or null has no value: only {@code ne}, {@code exists: false} and
 * {@code eq null} match it. Limits: {@link #MAX_BYTES} of JSON, {@link #MAX_DEPTH} levels of and/or/not,
 * {@link #MAX_NODES} nodes. A filter is immutable and may be shared across threads; equal filters have the same
 * {@link #normalized()} text.
 */
public final class EventFilter {
    /** The most UTF-8 bytes of a filter's JSON. */
    public static final int MAX_BYTES = 4096;
    /** The most levels of and/or/not, one inside the other. */
    public static final int MAX_DEPTH = 8;
    /** The most nodes (conditions and and/or/not) in one filter. */
    public static final int MAX_NODES = 64;
    /** The envelope fields a path may name besides {@code data.…}. */
    private static final List<String> ENVELOPE_FIELDS = List.of("storeId", "userId", "type");
    private static final double EXACT_LONG = 9.007199254740992E15; // 2^53

    private final Node root;
    private final String normalized;

    private EventFilter(Node root) {
        this.root = root;
        StringBuilder text = new StringBuilder();
        root.normalize(text);
        this.normalized = text.toString();
    }

    /**
     * The filter a {@code register}'s {@code filter} header holds: a string of JSON (bridge headers are strings), or
     * the JSON object itself. Throws a {@link HeraldException} with {@link ErrorCode#INVALID_FILTER} saying what is
     * wrong.
     */
    public static EventFilter parse(Object header) {
        if (header instanceof String text) {
            return parse(text);
        }
        if (header instanceof JsonObject json) {
            return parse(json.encode());
        }
        throw invalid("a filter is a JSON object in a string");
    }

    /** Parses the JSON text of a filter; throws a {@link HeraldException} with {@link ErrorCode#INVALID_FILTER}. */
    public static EventFilter parse(String json) {
        if (json == null) {
            throw invalid("a filter is a JSON object in a string");
        }
        if (json.length() > MAX_BYTES || json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("a filter is at most " + MAX_BYTES + " bytes");
        }
        Object tree;
        try {
            tree = Json.decodeValue(json);
        } catch (DecodeException | IllegalStateException e) {
            throw invalid("a filter must be JSON");
        }
        return new EventFilter(new Parser().node(tree, 0, "filter"));
    }

    /** The filter that matches what any of {@code filters} matches (herald.js subscribes with this for handlers with different filters). */
    public static EventFilter or(List<EventFilter> filters) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("or of no filters");
        }
        if (filters.size() == 1) {
            return filters.get(0);
        }
        return new EventFilter(new Any(filters.stream().map(f -> f.root).toArray(Node[]::new)));
    }

    /** Whether the event passes; {@code input} parses the envelope the first time a filter needs more than its type. */
    public boolean matches(Input input) {
        return root.test(input);
    }

    /** Whether an envelope (as delivered: {@code {"id","type","ts","seq","epoch","data",…}}) passes. */
    public boolean matches(JsonObject envelope) {
        return root.test(new Input(envelope));
    }

    /** Whether the envelope whose JSON text this is passes; {@code type} is its type (known without parsing), or null. */
    public boolean matches(String type, String envelopeJson) {
        return root.test(new Input(type, envelopeJson));
    }

    /** The filter's canonical JSON: equal for filters that mean the same as written (key order, 5.0 for 5, exists true by default). */
    public String normalized() {
        return normalized;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventFilter filter && filter.normalized.equals(normalized);
    }

    @Override
    public int hashCode() {
        return normalized.hashCode();
    }

    @Override
    public String toString() {
        return normalized;
    }

    private static HeraldException invalid(String message) {
        return new HeraldException(ErrorCode.INVALID_FILTER, message);
    }

    /**
     * One event as filters read it: its type (known without parsing) and its envelope, parsed the first time a
     * filter reads another field, then shared by every filter that looks at the same event. One per event; not
     * thread-safe.
     */
    public static final class Input {
        private final String type;
        private final String json;
        private Map<String, Object> envelope;

        /** An event of {@code type} (null: read it from the envelope) whose envelope is this JSON text. */
        public Input(String type, String envelopeJson) {
            this.type = type;
            this.json = envelopeJson;
        }

        /** An envelope already parsed. */
        public Input(JsonObject envelope) {
            this.type = null;
            this.json = null;
            this.envelope = envelope.getMap();
        }

        /** Whether the envelope was parsed (by this input's first read of a field other than type). */
        public boolean parsed() {
            return envelope != null;
        }

        Object envelopeField(String name) {
            if (type != null && name.equals("type")) {
                return type;
            }
            return envelope().get(name);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> envelope() {
            if (envelope == null) {
                Object parsed;
                try {
                    parsed = Json.decodeValue(json);
                } catch (RuntimeException e) {
                    parsed = null;
                }
                envelope = parsed instanceof JsonObject object ? object.getMap() : parsed instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
            }
            return envelope;
        }
    }

    // ---- the tree

    private abstract static sealed class Node permits Condition, All, Any, Not {
        abstract boolean test(Input input);

        abstract void normalize(StringBuilder out);
    }

    private static final class All extends Node {
        private final Node[] nodes;

        All(Node[] nodes) {
            this.nodes = nodes;
        }

        @Override
        boolean test(Input input) {
            for (Node node : nodes) {
                if (!node.test(input)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void normalize(StringBuilder out) {
            list(out, "and", nodes);
        }
    }

    private static final class Any extends Node {
        private final Node[] nodes;

        Any(Node[] nodes) {
            this.nodes = nodes;
        }

        @Override
        boolean test(Input input) {
            for (Node node : nodes) {
                if (node.test(input)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        void normalize(StringBuilder out) {
            list(out, "or", nodes);
        }
    }

    private static void list(StringBuilder out, String key, Node[] nodes) {
        out.append("{\"").append(key).append("\":[");
        for (int i = 0; i < nodes.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            nodes[i].normalize(out);
        }
        out.append("]}");
    }

    private static final class Not extends Node {
        private final Node node;

        Not(Node node) {
            this.node = node;
        }

        @Override
        boolean test(Input input) {
            return !node.test(input);
        }

        @Override
        void normalize(StringBuilder out) {
            out.append("{\"not\":");
            node.normalize(out);
            out.append('}');
        }
    }

    private enum Op {
        EQ, NE, IN, GT, GTE, LT, LTE, EXISTS;

        final String id = name().toLowerCase(java.util.Locale.ROOT);

        static Op of(String id) {
            for (Op op : values()) {
                if (op.id.equals(id)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** {@code {"field","op","value"}}: the value is canonical (a Long, a Double, a String, a Boolean, or null). */
    private static final class Condition extends Node {
        private final String field;
        /** The envelope field read, or null for a data path. */
        private final String envelopeField;
        /** The keys under {@code data}, for a data path. */
        private final String[] dataPath;
        private final Op op;
        private final Object value;
        private final Object[] values;

        Condition(String field, Op op, Object value, Object[] values) {
            this.field = field;
            this.op = op;
            this.value = value;
            this.values = values;
            if (field.startsWith("data.")) {
                this.envelopeField = null;
                this.dataPath = split(field.substring(5));
            } else {
                this.envelopeField = field;
                this.dataPath = null;
            }
        }

        @Override
        boolean test(Input input) {
            Object actual = envelopeField != null ? input.envelopeField(envelopeField) : dataValue(input.envelope().get("data"));
            return switch (op) {
                case EQ -> same(actual, value);
                case NE -> !same(actual, value);
                case IN -> {
                    for (Object candidate : values) {
                        if (same(actual, candidate)) {
                            yield true;
                        }
                    }
                    yield false;
                }
                case GT -> order(actual) > 0;
                case GTE -> { int c = order(actual); yield c >= 0 && c != NO_ORDER; }
                case LT -> { int c = order(actual); yield c < 0 && c != NO_ORDER; }
                case LTE -> { int c = order(actual); yield c <= 0 && c != NO_ORDER; }
                case EXISTS -> (actual != null) == (Boolean) value;
            };
        }

        private static final int NO_ORDER = Integer.MIN_VALUE;

        /** The actual value against {@code value}: below 0, 0, above 0; {@link #NO_ORDER} (below every result) when they do not compare. */
        private int order(Object actual) {
            if (value instanceof String expected) {
                return actual instanceof String text ? Integer.signum(text.compareTo(expected)) : NO_ORDER;
            }
            return actual instanceof Number number && isPlainNumber(number) ? compare(number, (Number) value) : NO_ORDER;
        }

        private Object dataValue(Object data) {
            Object at = data;
            for (String key : dataPath) {
                if (at instanceof Map<?, ?> map) {
                    at = map.get(key);
                } else if (at instanceof JsonObject object) {
                    at = object.getMap().get(key);
                } else if (at instanceof List<?> list) {
                    at = element(list, key);
                } else if (at instanceof JsonArray array) {
                    at = element(array.getList(), key);
                } else {
                    return null;
                }
            }
            return at;
        }

        private static Object element(List<?> list, String key) {
            int index = 0;
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c < '0' || c > '9' || i > 8) {
                    return null;
                }
                index = index * 10 + (c - '0');
            }
            return index < list.size() ? list.get(index) : null;
        }

        @Override
        void normalize(StringBuilder out) {
            out.append("{\"field\":").append(Json.encode(field)).append(",\"op\":\"").append(op.id).append("\",\"value\":");
            if (op == Op.IN) {
                out.append('[');
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append(Json.encode(values[i]));
                }
                out.append(']');
            } else {
                out.append(Json.encode(value));
            }
            out.append('}');
        }
    }

    /** JSON equality of an actual value and a canonical one: numbers by value, no conversion between kinds. */
    private static boolean same(Object actual, Object expected) {
        if (expected == null) {
            return actual == null;
        }
        if (expected instanceof Number number) {
            return actual instanceof Number a && isPlainNumber(a) && compare(a, number) == 0;
        }
        return expected.equals(actual);
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    /** Numbers as JSON parsing yields them (a BigInteger or BigDecimal compares by its double). */
    private static boolean isPlainNumber(Number n) {
        return !(n instanceof Double d && d.isNaN()) && !(n instanceof Float f && f.isNaN());
    }

    private static int compare(Number a, Number b) {
        if (isIntegral(a) && isIntegral(b)) {
            return Long.compare(a.longValue(), b.longValue());
        }
        double x = a.doubleValue();
        double y = b.doubleValue();
        return x < y ? -1 : x > y ? 1 : 0;
    }

    private static String[] split(String path) {
        List<String> keys = new ArrayList<>();
        int from = 0;
        while (true) {
            int dot = path.indexOf('.', from);
            keys.add(dot < 0 ? path.substring(from) : path.substring(from, dot));
            if (dot < 0) {
                return keys.toArray(String[]::new);
            }
            from = dot + 1;
        }
    }

    /** Checks a parsed JSON tree against the grammar and the limits while it builds the nodes. */
    private static final class Parser {
        private int nodes;

        Node node(Object json, int depth, String at) {
            if (++nodes > MAX_NODES) {
                throw invalid("a filter has at most " + MAX_NODES + " nodes");
            }
            if (!(json instanceof JsonObject object)) {
                throw invalid(at + " must be a JSON object");
            }
            if (object.containsKey("and") || object.containsKey("or")) {
                String key = object.containsKey("and") ? "and" : "or";
                only(object, key, at);
                if (depth + 1 > MAX_DEPTH) {
                    throw invalid("a filter nests at most " + MAX_DEPTH + " levels of and/or/not");
                }
                if (!(object.getValue(key) instanceof JsonArray array) || array.isEmpty()) {
                    throw invalid(at + "." + key + " must be a non-empty array of filters");
                }
                Node[] children = new Node[array.size()];
                for (int i = 0; i < children.length; i++) {
                    children[i] = node(array.getValue(i), depth + 1, at + "." + key + "[" + i + "]");
                }
                return key.equals("and") ? new All(children) : new Any(children);
            }
            if (object.containsKey("not")) {
                only(object, "not", at);
                if (depth + 1 > MAX_DEPTH) {
                    throw invalid("a filter nests at most " + MAX_DEPTH + " levels of and/or/not");
                }
                return new Not(node(object.getValue("not"), depth + 1, at + ".not"));
            }
            return condition(object, at);
        }

        private static void only(JsonObject object, String key, String at) {
            if (object.size() != 1) {
                throw invalid(at + " with " + key + " may hold nothing else");
            }
        }

        private static Node condition(JsonObject object, String at) {
            for (String key : object.fieldNames()) {
                if (!key.equals("field") && !key.equals("op") && !key.equals("value")) {
                    throw invalid(at + " has an unknown key '" + shorten(key) + "' (a condition is {\"field\",\"op\",\"value\"}, or and/or/not)");
                }
            }
            if (!(object.getValue("field") instanceof String field)) {
                throw invalid(at + " needs a field (storeId, userId, type or data.<path>)");
            }
            if (!validPath(field)) {
                throw invalid(at + ": unknown field '" + shorten(field) + "' (storeId, userId, type or data.<path>)");
            }
            if (!(object.getValue("op") instanceof String opId)) {
                throw invalid(at + " needs an op (eq, ne, in, gt, gte, lt, lte, exists)");
            }
            Op op = Op.of(opId);
            if (op == null) {
                throw invalid(at + ": unknown op '" + shorten(opId) + "' (eq, ne, in, gt, gte, lt, lte, exists)");
            }
            boolean hasValue = object.containsKey("value");
            Object value = object.getValue("value");
            switch (op) {
                case EQ, NE -> {
                    if (!hasValue || !scalar(value)) {
                        throw invalid(at + ": " + opId + " needs a value that is a string, number, boolean or null");
                    }
                    return new Condition(field, op, canonical(value), null);
                }
                case IN -> {
                    if (!(value instanceof JsonArray array) || array.isEmpty()) {
                        throw invalid(at + ": in needs a non-empty array of strings, numbers, booleans or nulls");
                    }
                    Object[] values = new Object[array.size()];
                    for (int i = 0; i < values.length; i++) {
                        Object item = array.getValue(i);
                        if (!scalar(item)) {
                            throw invalid(at + ": in needs a non-empty array of strings, numbers, booleans or nulls");
                        }
                        values[i] = canonical(item);
                    }
                    return new Condition(field, op, null, values);
                }
                case GT, GTE, LT, LTE -> {
                    if (!(value instanceof String) && !(value instanceof Number)) {
                        throw invalid(at + ": " + opId + " needs a value that is a number or a string");
                    }
                    return new Condition(field, op, canonical(value), null);
                }
                default -> {
                    if (hasValue && !(value instanceof Boolean)) {
                        throw invalid(at + ": exists takes true or false as its value");
                    }
                    return new Condition(field, op, hasValue ? value : Boolean.TRUE, null);
                }
            }
        }

        private static boolean scalar(Object value) {
            return value == null || value instanceof String || value instanceof Number || value instanceof Boolean;
        }

        /** Numbers as a Long when whole and exact, else a Double; other values as they are. */
        private static Object canonical(Object value) {
            if (value instanceof Number number) {
                if (isIntegral(number)) {
                    return number.longValue();
                }
                if (number instanceof BigInteger big && big.bitLength() < 64) {
                    return big.longValue();
                }
                double d = number.doubleValue();
                if (Double.isInfinite(d) || Double.isNaN(d)) {
                    throw invalid("a filter's number must be finite");
                }
                return d == Math.rint(d) && Math.abs(d) <= EXACT_LONG ? (Object) (long) d : (Object) d;
            }
            return value;
        }

        private static boolean validPath(String field) {
            if (ENVELOPE_FIELDS.contains(field)) {
                return true;
            }
            if (!field.startsWith("data.") || field.length() > 256) {
                return false;
            }
            // no empty key: not "data.", "data..x", "data.x."
            for (int i = 4; i < field.length(); i++) {
                if (field.charAt(i) == '.' && (i + 1 == field.length() || field.charAt(i + 1) == '.')) {
                    return false;
                }
            }
            return true;
        }

        private static String shorten(String text) {
            return text.length() > 40 ? text.substring(0, 40) + "…" : text;
        }
    }
}
