package io.herald.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One key of {@code herald.json}, declared once in {@link ConfigKeys}: its path, type, default, range, environment
 * names, one-line doc and whether prod mode requires it. The loader ({@link HeraldConfig#fromJson}) reads and
 * validates from it, {@link ConfigReference} writes {@code docs/configuration.md} from it.
 *
 * <p>A pattern key has one path segment in angle brackets ({@code limits.framesPerMinuteByRole.<role>}): any name
 * there, or one of {@link #names()} when the set is closed. Its map ({@link #mapPath()}) is set from the environment
 * as a whole, as one JSON object.
 *
 * <p>Built only while {@link ConfigKeys} initialises (the fluent setters), read-only after.
 */
public final class ConfigKey {
    /** The value types a key can have. */
    public enum Type {
        STRING("string"),
        /** A string that is never logged, printed or echoed in an error. */
        SECRET("secret"),
        INTEGER("integer"),
        BOOLEAN("boolean"),
        /** One of {@link #choices()}, case-insensitive. */
        CHOICE("choice"),
        /** An array of strings in the file; comma-separated in the environment. */
        STRING_LIST("list of strings"),
        /** A file of the configuration: relative to herald.json's folder in the file, to the working directory in the environment. */
        FILE("file"),
        /** A file path taken as written (relative to the working directory). */
        PATH("path"),
        /** An array of objects in the file; a JSON array in the environment. A top-level key of this type is a section of its own. */
        OBJECT_LIST("list of objects");

        final String label;

        Type(String label) {
            this.label = label;
        }
    }

    private final String path;
    private final Type type;
    private final String section;
    private Object defaultValue;
    private String defaultText;
    private long min = Long.MIN_VALUE;
    private long max = Long.MAX_VALUE;
    private List<String> choices = List.of();
    private List<String> names = List.of();
    private String alias;
    private String doc = "";
    private boolean prodRequired;
    private String shipped;

    ConfigKey(String path, Type type) {
        this.path = path;
        this.type = type;
        int dot = path.indexOf('.');
        this.section = dot < 0 ? (type == Type.OBJECT_LIST ? path : "") : path.substring(0, dot);
    }

    // ---- declaration (ConfigKeys only) ----

    ConfigKey def(Object value) {
        this.defaultValue = value;
        return this;
    }

    /** A default that depends on other values (the mode, another key, the machine), said in words. */
    ConfigKey defText(String text) {
        this.defaultText = text;
        return this;
    }

    ConfigKey range(long min, long max) {
        this.min = min;
        this.max = max;
        return this;
    }

    ConfigKey choices(String... values) {
        this.choices = List.of(values);
        return this;
    }

    /** The closed set of names the pattern segment may take. */
    ConfigKey names(String... values) {
        this.names = List.of(values);
        return this;
    }

    /** A short environment name, which wins over the derived one. */
    ConfigKey alias(String envName) {
        this.alias = envName;
        return this;
    }

    ConfigKey doc(String text) {
        this.doc = text;
        return this;
    }

    ConfigKey requiredInProd() {
        this.prodRequired = true;
        return this;
    }

    /** Why the shipped conf/herald.json sets another value than the default. */
    ConfigKey shipped(String why) {
        this.shipped = why;
        return this;
    }

    // ---- reading ----

    public String path() {
        return path;
    }

    public Type type() {
        return type;
    }

    /** The first segment ({@code http}, {@code limits}, …), or "" for a top-level key. */
    public String section() {
        return section;
    }

    /** The default value (Integer, Boolean, String, List), or null: none, or one said by {@link #defaultText()}. */
    public Object defaultValue() {
        return defaultValue;
    }

    public String defaultText() {
        return defaultText;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public List<String> choices() {
        return choices;
    }

    public List<String> names() {
        return names;
    }

    public String alias() {
        return alias;
    }

    public String doc() {
        return doc;
    }

    public boolean prodRequired() {
        return prodRequired;
    }

    public String shipped() {
        return shipped;
    }

    public boolean isPattern() {
        return path.indexOf('<') >= 0;
    }

    /** A pattern key's map: the path before its {@code <name>} segment ({@code limits.framesPerMinuteByRole}). */
    public String mapPath() {
        int at = path.indexOf(".<");
        return at < 0 ? null : path.substring(0, at);
    }

    /** The pattern key's path with its {@code <name>} segment replaced by {@code name}. */
    public String at(String name) {
        int open = path.indexOf('<');
        int close = path.indexOf('>', open);
        return path.substring(0, open) + name + path.substring(close + 1);
    }

    /**
     * The derived environment name ({@code HERALD_} plus the key in upper snake case); for a pattern key, the name
     * that sets its whole map as a JSON object.
     */
    public String envName() {
        return envNameOf(isPattern() ? mapPath() : path);
    }

    /** Every environment name that sets this key: the alias first (it wins), then the derived name. */
    public List<String> envNames() {
        List<String> result = new ArrayList<>(2);
        if (alias != null) {
            result.add(alias);
        }
        if (!result.contains(envName())) {
            result.add(envName());
        }
        return Collections.unmodifiableList(result);
    }

    public int defaultInt() {
        return (Integer) defaultValue;
    }

    /** {@code HERALD_} and the key in upper snake case: {@code bridge.maxFrameBytes} → {@code HERALD_BRIDGE_MAX_FRAME_BYTES}. */
    public static String envNameOf(String key) {
        StringBuilder name = new StringBuilder("HERALD_");
        for (char c : key.toCharArray()) {
            if (c == '.') {
                name.append('_');
            } else if (Character.isUpperCase(c)) {
                name.append('_').append(c);
            } else {
                name.append(Character.toUpperCase(c));
            }
        }
        return name.toString();
    }

    /** The range in words, for messages and the docs: {@code 1..65535}, {@code dev, prod}, or "". */
    public String rangeText() {
        if (type == Type.CHOICE) {
            return String.join(", ", choices);
        }
        if (type == Type.INTEGER && (min != Long.MIN_VALUE || max != Long.MAX_VALUE)) {
            return min + ".." + max;
        }
        return "";
    }

    String typeLabel() {
        return type.label;
    }

    @Override
    public String toString() {
        return path;
    }
}
