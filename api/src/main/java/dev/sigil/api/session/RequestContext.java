package dev.sigil.api.session;

/**
 * Where a call comes from, for the audit log.
 *
 * @param requestId     the transport's request id (also in the answer); may be null
 * @param clientAddress the client's address; may be null
 */
public record RequestContext(String requestId, String clientAddress) {
    /** For calls that do not come over the network (the admin CLI). */
    public static final RequestContext LOCAL = new RequestContext(null, "local");
}
