package dev.sigil.api.session;

import dev.sigil.api.SigilException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Lets a transport record the requests it refuses itself (a missing token, malformed JSON or
 * base64, an unknown algorithm OID) in the same audit log as core's own decisions. Core already
 * audits what it refuses; transports report only what never reaches core. Thread-safe.
 */
@ProviderType
public interface AuditTrail {
    /**
     * Appends a refusal; returns once it is stored.
     *
     * @param event        the method, e.g. {@code csc.signatures/signHash}
     * @param userId       the caller, if known; may be null
     * @param credentialId the credential named in the request, if any; may be null
     * @param reason       the error description sent to the client (never a secret)
     */
    void refused(String event, String userId, String credentialId, RequestContext context, String reason)
            throws SigilException;
}
