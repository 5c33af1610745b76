package dev.sigil.core.internal.store;

import java.util.Objects;

/**
 * One thing that happened, for the audit log. Never holds a password, PIN, OTP, SAD or token: the
 * {@code detail} is a short operator-readable sentence (for example the number of hashes, the
 * algorithm, the reason of a refusal).
 *
 * @param event        what: {@code auth.login}, {@code credentials.authorize}, {@code signatures.signHash}, ...
 * @param outcome      success or refusal
 * @param userId       the user, if known
 * @param credentialId the credential, if any
 * @param requestId    the HTTP request id, if any
 * @param detail       a short sentence; not null
 */
public record AuditEvent(String event, Outcome outcome, String userId, String credentialId, String requestId,
                         String detail) {
    /** How it ended. */
    public enum Outcome {
        SUCCESS, REFUSED, ERROR
    }

    public AuditEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        if (detail.length() > 2048) {
            detail = detail.substring(0, 2045) + "...";
        }
    }
}
