package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.catalog.EventCatalog;

/**
 * A {@code register} of a catalog type as the policies see it. The access starts at {@link Access#NONE}
 * (deny by default): the access policy grants what the role allows. {@code resume} is the stream
 * position the client asked to recover from (headers {@code since} and {@code epoch}), or null.
 */
public final class RegisterFrame {
    private final String type;
    private final EventCatalog.Namespace namespace;
    private final Resume resume;
    private Access access = Access.NONE;

    /** Recover the events after {@code since}; {@code epoch}, when given, must be the stream's. */
    public record Resume(long since, String epoch) {
    }

    public RegisterFrame(String type, EventCatalog.Namespace namespace, Resume resume) {
        this.type = type;
        this.namespace = namespace;
        this.resume = resume;
    }

    public String type() {
        return type;
    }

    public EventCatalog.Namespace namespace() {
        return namespace;
    }

    public Resume resume() {
        return resume;
    }

    public Access access() {
        return access;
    }

    public void grant(Access access) {
        this.access = access;
    }
}
