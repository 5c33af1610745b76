package dev.sigil.api.admin;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.KeySpec;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What an administrator does. Every change is audited. Secrets passed in are read, not kept; the
 * caller zeroes them. Thread-safe.
 *
 * <pre>{@code
 * admin.addUser("alice", "Alice Example", password);
 * TotpEnrollment t = admin.enrollTotp("alice", "Sigil");      // show t.uri() as a QR code, once
 * NewCredential c = admin.createCredential(new CredentialRequest("alice-sign", "alice", "default",
 *         KeySpec.ec(EcCurve.P256), pin, 10, "CN=Alice Example"));
 * admin.importCertificate("alice-sign", chainFromTheCa);
 * }</pre>
 */
@ProviderType
public interface AdminService {
    /**
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} if the id is taken or invalid, or the
     *                        password breaks the rules
     */
    void addUser(String userId, String displayName, char[] password) throws SigilException;

    /** Enables or disables a user; a disabled user cannot log in and their tokens stop working. */
    void setUserEnabled(String userId, boolean enabled) throws SigilException;

    /** Replaces a user's password; the user's access tokens and SADs stop working. */
    void setPassword(String userId, char[] password) throws SigilException;

    List<UserSummary> users() throws SigilException;

    /**
     * Enrolls (or replaces) the user's TOTP seed, generated here; the user's access tokens and SADs
     * stop working.
     *
     * @param issuer the name the authenticator app shows
     * @return the seed and the {@code otpauth://} URI, to be shown once
     */
    TotpEnrollment enrollTotp(String userId, String issuer) throws SigilException;

    /**
     * Generates a key in a backend and registers it as a credential of the user, with a PIN. The
     * credential has no certificate until {@link #importCertificate}; if the request names a subject,
     * the answer carries a PKCS#10 request signed by the new key.
     */
    NewCredential createCredential(CredentialRequest request) throws SigilException;

    /**
     * Imports the certificate chain (signer first) of a credential.
     *
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} if the signer certificate's public key
     *                        is not the credential's
     */
    void importCertificate(String credentialId, List<X509Certificate> chain) throws SigilException;

    /** Enables or disables a credential. */
    void setCredentialEnabled(String credentialId, boolean enabled) throws SigilException;

    /**
     * Unblocks a credential's PIN: clears its attempt counter (and the owner's one-time-code counter,
     * which counted the same failures), so that a PIN blocked after repeated lockouts, or locked now,
     * can be tried again at once.
     *
     * @return whether the PIN had failed attempts, a lockout or a block to clear
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} if there is no such credential
     * @since 1.1
     */
    boolean unblockPin(String credentialId) throws SigilException;

    /** All credentials, or one user's. */
    List<CredentialSummary> credentials(Optional<String> userId) throws SigilException;

    /**
     * Verifies the audit log's hash chain.
     *
     * @return empty if intact, else a sentence naming the first broken record
     */
    Optional<String> verifyAudit() throws SigilException;

    /**
     * A checkpoint of the audit log's head now, signed with the audit key, as a line of the
     * checkpoint file ({@code sigil-audit-checkpoint-v1 <seq> <link> <epoch ms> <signature>}): what an
     * export ends with, so that the exported records can later be matched against the log.
     *
     * @since 1.1
     */
    String signedAuditHead() throws SigilException;

    /** The number of audit records. */
    long auditSize() throws SigilException;

    /** Audit records with a sequence number above {@code afterSeq}, oldest first, at most {@code max}. */
    List<AuditRecord> audit(long afterSeq, int max) throws SigilException;
}
