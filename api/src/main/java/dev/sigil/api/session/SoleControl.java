package dev.sigil.api.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The sole-control rules (SCAL2): a credential signs only the hashes its owner authorized with PIN
 * and one-time code, each at most once, before the authorization expires, and only for the user who
 * authorized them, in the session in which they authorized them. Every authorization and signature, success or refusal, is in the audit log
 * before the method returns. Thread-safe; safe with several server nodes on one database.
 *
 * <pre>{@code
 * Session s = sessions.authenticate(bearerToken);
 * Authorization a = soleControl.authorize(s, credId, 1, List.of(digest), HashAlgorithm.SHA256, pin, otp, ctx);
 * List<byte[]> sigs = soleControl.signHashes(s, credId, a.sad(), List.of(digest),
 *         SignatureAlgorithm.RSA_PKCS1_SHA256, ctx);
 * }</pre>
 */
@ProviderType
public interface SoleControl {
    /**
     * Authorizes a credential for exactly these hashes.
     *
     * @param numSignatures how many signatures; equal to the number of hashes and at most the
     *                      credential's {@code multisign}
     * @param pin           the credential PIN; read, not kept; the caller zeroes it
     * @param otp           the one-time code; read, not kept; the caller zeroes it
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} (unknown credential, counts, digest
     *                        lengths), {@link ErrorCode#AUTHENTICATION_FAILED} (PIN or OTP),
     *                        {@link ErrorCode#FACTOR_LOCKED}, {@link ErrorCode#NOT_AUTHORIZED}
     *                        (disabled credential)
     */
    Authorization authorize(Session session, String credentialId, int numSignatures, List<byte[]> hashes,
                            HashAlgorithm hashAlgorithm, char[] pin, char[] otp, RequestContext context)
            throws SigilException;

    /**
     * Extends an authorization's life without a new one-time code, within policy; the old SAD
     * stops working.
     *
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} if the SAD is not valid for this
     *                        session and credential, or may not be extended further
     */
    Authorization extend(Session session, String credentialId, String sad, RequestContext context)
            throws SigilException;

    /**
     * Signs hashes that {@code sad} authorizes, each at most once.
     *
     * @return the signatures, in the order of {@code hashes}; ECDSA DER-encoded
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} when the SAD is unknown, expired, of
     *                        another user, session or credential, or a hash is not (or no longer) authorized,
     *                        or the algorithm does not fit; nothing is signed then
     */
    List<byte[]> signHashes(Session session, String credentialId, String sad, List<byte[]> hashes,
                            SignatureAlgorithm algorithm, RequestContext context) throws SigilException;
}
