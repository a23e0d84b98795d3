package io.herald.bridge;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.delivery.RegisterFrame;
import io.herald.delivery.Utf8;
import io.herald.delivery.filter.EventFilter;
import io.herald.event.JsonDepth;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * From the text of one bridge frame (what {@link WebSocketClientSocket} and vertx-web's fallback transports
 * hand over) to a typed {@link Frame} or a {@link Bad} frame naming its error code; pure, no I/O, no state.
 * The checks and their order are the protocol's: size, JSON, then (answered in the frame's turn) address,
 * address length, type, reply address, nesting depth, frame type.
 */
public final class FrameDecoder {
    /** Addresses with this prefix are control requests answered by the policies, never events. */
    public static final String CONTROL_PREFIX = "herald:";
    static final String HEADER_SINCE = "since";
    static final String HEADER_EPOCH = "epoch";
    static final String HEADER_FILTER = "filter";

    private final int maxFrameBytes;
    private final int maxAddressLength;

    public FrameDecoder(int maxFrameBytes, int maxAddressLength) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxAddressLength = maxAddressLength;
    }

    /** What a frame decodes to. {@link #kind()} is what the policies' frame rules count it as. */
    public sealed interface Decoded {
        String kind();
    }

    /** A typed frame, to handle in its turn. */
    public sealed interface Frame extends Decoded {
        String address();
    }

    /** {@code {"type":"ping"}}: needs no turn and no answer. */
    public record Ping() implements Decoded {
        public String kind() {
            return "ping";
        }
    }

    /**
     * {@code register}; {@code resume} from headers {@code since}/{@code epoch}, or null; {@code filter} from header
     * {@code filter} (docs/filters.md), or null. A bad header is kept in {@code badResume} or {@code badFilter} rather
     * than refused at once: the type is checked against the catalog first.
     */
    public record Register(String address, RegisterFrame.Resume resume, HeraldException badResume, EventFilter filter,
                           HeraldException badFilter) implements Frame {
        public Register(String address, RegisterFrame.Resume resume, HeraldException badResume) {
            this(address, resume, badResume, null, null);
        }

        public String kind() {
            return "register";
        }
    }

    public record Unregister(String address) implements Frame {
        public String kind() {
            return "unregister";
        }
    }

    /** {@code publish}; the body as sent (the bridge refuses one that is not an object, after the access check). */
    public record Publish(String address, Object body) implements Frame {
        public String kind() {
            return "publish";
        }
    }

    /** {@code send}: an event, or a control request when the address starts with {@link #CONTROL_PREFIX}; replyAddress may be null. */
    public record Send(String address, Object body, String replyAddress) implements Frame {
        public String kind() {
            return "send";
        }

        public boolean control() {
            return address.startsWith(CONTROL_PREFIX);
        }
    }

    /**
     * A refused frame: its {@code err} goes to {@code address} (null: none) with {@code code}. {@code onArrival}: answered
     * as it arrives (too large, not JSON); otherwise in its turn, after the frames before it.
     */
    public record Bad(String kind, boolean onArrival, String address, ErrorCode code, String message) implements Decoded {
    }

    /** Decodes {@code text}, whose UTF-8 length is {@code bytes}. */
    public Decoded decode(String text, int bytes) {
        if (bytes > maxFrameBytes) {
            return new Bad(ConnectionPolicy.KIND_INVALID, true, null, ErrorCode.FRAME_TOO_LARGE, "frames are limited to " + maxFrameBytes + " bytes");
        }
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            return new Bad(ConnectionPolicy.KIND_INVALID, true, null, ErrorCode.INVALID_JSON, "a frame must be a JSON object");
        }
        Object type = frame.getValue("type");
        String kind = type instanceof String k ? k : ConnectionPolicy.KIND_INVALID;
        if ("ping".equals(type)) {
            return new Ping();
        }
        if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
            return type instanceof String
                    ? new Bad(kind, false, null, ErrorCode.MISSING_ADDRESS, "a " + type + " frame needs an address")
                    : new Bad(kind, false, null, ErrorCode.INVALID_FRAME, "a frame needs a type");
        }
        if (address.length() > maxAddressLength) {
            return new Bad(kind, false, null, ErrorCode.INVALID_FRAME, "addresses are limited to " + maxAddressLength + " characters");
        }
        if (!(type instanceof String frameType)) {
            return new Bad(kind, false, address, ErrorCode.INVALID_FRAME, "a frame needs a type");
        }
        String replyAddress = frame.getValue("replyAddress") instanceof String r ? r : null;
        if (replyAddress != null && replyAddress.length() > maxAddressLength) {
            return new Bad(kind, false, null, ErrorCode.INVALID_FRAME, "reply addresses are limited to " + maxAddressLength + " characters");
        }
        if (JsonDepth.exceeds(frame, JsonDepth.MAX)) {
            return new Bad(kind, false, replyAddress != null && "send".equals(frameType) ? replyAddress : address, ErrorCode.INVALID_FRAME,
                    "frames may nest at most " + JsonDepth.MAX + " levels");
        }
        return switch (frameType) {
            case "register" -> {
                Object headers = frame.getValue("headers");
                RegisterFrame.Resume resume = null;
                HeraldException badResume = null;
                try {
                    resume = resume(headers);
                } catch (HeraldException bad) {
                    badResume = bad;
                }
                EventFilter filter = null;
                HeraldException badFilter = null;
                try {
                    filter = filter(headers);
                } catch (HeraldException bad) {
                    badFilter = bad;
                }
                yield new Register(address, resume, badResume, filter, badFilter);
            }
            case "unregister" -> new Unregister(address);
            case "publish" -> new Publish(address, frame.getValue("body"));
            case "send" -> new Send(address, frame.getValue("body"), replyAddress);
            default -> new Bad(kind, false, address, ErrorCode.INVALID_FRAME, "unknown frame type '" + frameType + "'");
        };
    }

    /** Decodes {@code text}, counting its UTF-8 length. */
    public Decoded decode(String text) {
        return decode(text, Utf8.length(text));
    }

    /** The filter a register asks for: header {@code filter}, a JSON filter in a string (or the object itself); null when none. */
    static EventFilter filter(Object headers) {
        if (!(headers instanceof JsonObject json) || json.getValue(HEADER_FILTER) == null) {
            return null;
        }
        Object filter = json.getValue(HEADER_FILTER);
        if (filter instanceof String text && text.isBlank()) {
            return null; // an empty header: no filter, as clients that always send the header mean
        }
        return EventFilter.parse(filter);
    }

    /** The recovery a register asks for: header {@code since} (a seq, as a string or a number) and optional {@code epoch}. */
    static RegisterFrame.Resume resume(Object headers) {
        if (!(headers instanceof JsonObject json) || json.getValue(HEADER_SINCE) == null) {
            return null;
        }
        Object since = json.getValue(HEADER_SINCE);
        long seq;
        try {
            seq = since instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : Long.parseLong(String.valueOf(since).trim());
        } catch (NumberFormatException e) {
            seq = -1;
        }
        if (seq < 0) {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "header since must be a seq (a whole number from 0), not '" + since + "'");
        }
        Object epoch = json.getValue(HEADER_EPOCH);
        if (epoch != null && !(epoch instanceof String)) {
            throw new HeraldException(ErrorCode.INVALID_FRAME, "header epoch must be a string");
        }
        return new RegisterFrame.Resume(seq, epoch == null || ((String) epoch).isEmpty() ? null : (String) epoch);
    }
}
