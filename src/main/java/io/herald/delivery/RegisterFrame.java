package io.herald.delivery;

import io.herald.auth.Access;
import io.herald.catalog.EventCatalog;
import io.herald.delivery.filter.EventFilter;

/**
 * A {@code register} of a catalog type as the policies see it. The access starts at {@link Access#NONE}
 * (deny by default): the access policy grants what the role allows. {@code resume} is the stream
 * position the client asked to recover from (headers {@code since} and {@code epoch}), or null; {@code filter} the
 * register's filter (header {@code filter}), or null.
 */
public final class RegisterFrame {
    private final String type;
    private final EventCatalog.Namespace namespace;
    private final Resume resume;
    private final EventFilter filter;
    private Access access = Access.NONE;

    /** Recover the events after {@code since}; {@code epoch}, when given, must be the stream's. */
    public record Resume(long since, String epoch) {
    }

    public RegisterFrame(String type, EventCatalog.Namespace namespace, Resume resume) {
        this(type, namespace, resume, null);
    }

    public RegisterFrame(String type, EventCatalog.Namespace namespace, Resume resume, EventFilter filter) {
        this.type = type;
        this.namespace = namespace;
        this.resume = resume;
        this.filter = filter;
    }

    /** The filter the register asked for (it only narrows what the access allows), or null. */
    public EventFilter filter() {
        return filter;
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
