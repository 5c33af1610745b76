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

    /** Replaces a user's password. */
    void setPassword(String userId, char[] password) throws SigilException;

    List<UserSummary> users() throws SigilException;

    /**
     * Enrolls (or replaces) the user's TOTP seed, generated here.
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

    /** All credentials, or one user's. */
    List<CredentialSummary> credentials(Optional<String> userId) throws SigilException;

    /**
     * Verifies the audit log's hash chain.
     *
     * @return empty if intact, else a sentence naming the first broken record
     */
    Optional<String> verifyAudit() throws SigilException;

    /** The number of audit records. */
    long auditSize() throws SigilException;

    /** Audit records with a sequence number above {@code afterSeq}, oldest first, at most {@code max}. */
    List<AuditRecord> audit(long afterSeq, int max) throws SigilException;
}
