package dev.sigil.core.internal.store;

import dev.sigil.api.Identifiers;
import dev.sigil.api.session.RequestContext;

import java.util.Objects;

/**
 * One thing that happened, for the audit log. Never holds a password, PIN, OTP, SAD or token: the
 * {@code detail} is a short operator-readable sentence (for example the number of hashes, the
 * algorithm, the reason of a refusal). Identifiers longer than their column (64 characters) are cut
 * and marked, so that no request, however long its fields, can keep its refusal out of the log.
 *
 * @param event         what: {@code auth.login}, {@code credentials.authorize}, {@code signatures.signHash}, ...
 * @param outcome       success or refusal
 * @param userId        the user, if known
 * @param credentialId  the credential, if any
 * @param requestId     the HTTP request id, if any
 * @param clientAddress the client's address ({@code local} for the administrator's own tools), if known
 * @param detail        a short sentence; not null
 */
public record AuditEvent(String event, Outcome outcome, String userId, String credentialId, String requestId,
                         String clientAddress, String detail) {
    /** How it ended. */
    public enum Outcome {
        SUCCESS, REFUSED, ERROR
    }

    /** The longest identifier the log keeps as it is: the columns' width, the identifiers' rule. */
    static final int MAX_ID = Identifiers.MAX_LENGTH;

    public AuditEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        userId = cut(userId);
        credentialId = cut(credentialId);
        requestId = cut(requestId);
        clientAddress = cut(clientAddress);
        if (detail.length() > 2048) {
            detail = detail.substring(0, 2045) + "...";
        }
    }

    /** An event of a request: its id and client address from the context (null: none). */
    public AuditEvent(String event, Outcome outcome, String userId, String credentialId, RequestContext context,
                      String detail) {
        this(event, outcome, userId, credentialId, context == null ? null : context.requestId(),
                context == null ? null : context.clientAddress(), detail);
    }

    private static String cut(String id) {
        return id == null || id.length() <= MAX_ID ? id : id.substring(0, MAX_ID - 3) + "...";
    }
}
