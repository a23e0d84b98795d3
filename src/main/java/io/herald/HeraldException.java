package io.herald;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

/** A refusal with a code from {@link ErrorCode} and a message fit to show the client. */
public final class HeraldException extends RuntimeException {
    private final ErrorCode code;

    public HeraldException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Fails a bus request so that {@link #from(Throwable)} on the other side restores the code. */
    public static void failReply(Message<?> request, Throwable failure) {
        HeraldException e = from(failure);
        request.fail(e.code.status(), e.code.id() + ":" + e.getMessage());
    }

    /** The failure as a HeraldException: itself, a code carried through a bus reply, or internal_error. */
    public static HeraldException from(Throwable failure) {
        if (failure instanceof HeraldException e) {
            return e;
        }
        if (failure instanceof ReplyException reply && reply.getMessage() != null) {
            String text = reply.getMessage();
            int colon = text.indexOf(':');
            if (colon > 0) {
                ErrorCode code = ErrorCode.fromId(text.substring(0, colon));
                return new HeraldException(code, text.substring(colon + 1));
            }
        }
        return new HeraldException(ErrorCode.INTERNAL_ERROR, "internal error");
    }
}
