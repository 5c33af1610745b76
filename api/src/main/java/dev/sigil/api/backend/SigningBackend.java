package dev.sigil.api.backend;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A place where private keys live and sign digests: a PKCS#12 file, a PKCS#11 token, a cloud key
 * service. Backends never see HTTP, users or policy; {@code core} decides whether a signature may be
 * made and then calls {@link #sign}.
 *
 * <p>Register one service per backend instance with the service property {@value #PROPERTY_ID}
 * equal to {@link #id()}. Implementations must be thread-safe; {@link #sign} may block (network,
 * HSM session pool) and must then fail with {@link ErrorCode#BUSY} or
 * {@link ErrorCode#BACKEND_UNAVAILABLE} rather than wait without bound.
 *
 * <pre>{@code
 * KeyInfo key = backend.keys().get(0);
 * byte[] digest = MessageDigest.getInstance("SHA-256").digest(document);
 * byte[] signature = backend.sign(key.ref(), SignatureAlgorithm.RSA_PKCS1_SHA256, digest);
 * }</pre>
 */
@ConsumerType
public interface SigningBackend {
    /** The service property that carries the backend instance id. */
    String PROPERTY_ID = "sigil.backend.id";

    /** This instance's id, equal to its {@value #PROPERTY_ID} service property. */
    String id();

    /** The algorithms this backend can perform with keys of a suitable type. Never null. */
    Set<SignatureAlgorithm> algorithms();

    /**
     * The keys that can sign, with their public keys and (where the backend stores them)
     * certificate chains.
     *
     * @throws SigilException {@link ErrorCode#BACKEND_UNAVAILABLE} if the backend cannot be read
     */
    List<KeyInfo> keys() throws SigilException;

    /**
     * One key.
     *
     * @throws SigilException {@link ErrorCode#KEY_NOT_FOUND} if there is no such key
     */
    KeyInfo key(KeyRef ref) throws SigilException;

    /**
     * Signs a digest that the caller computed.
     *
     * <p>For RSASSA-PKCS1-v1_5 the backend wraps the digest in a DigestInfo itself; for PSS it uses
     * MGF1 with the same hash and a salt of the digest's length; ECDSA signatures are returned
     * DER-encoded.
     *
     * @param ref       the key; its backend id is this backend's
     * @param algorithm the algorithm; must fit the key's type
     * @param digest    the digest, exactly {@code algorithm.digestLength()} bytes; not modified
     * @return the signature, newly allocated
     * @throws SigilException {@link ErrorCode#KEY_NOT_FOUND}, {@link ErrorCode#UNSUPPORTED_ALGORITHM},
     *                        {@link ErrorCode#INVALID_DIGEST}, {@link ErrorCode#BUSY},
     *                        {@link ErrorCode#BACKEND_UNAVAILABLE}
     */
    byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException;

    /**
     * Signs a digest for a request: as {@link #sign(KeyRef, SignatureAlgorithm, byte[])}, knowing
     * the request's id (for the backend's log) and its deadline. A backend that waits (a session
     * pool, a remote call, a retry after throttling) must give up by the deadline with
     * {@link ErrorCode#BUSY} or {@link ErrorCode#BACKEND_UNAVAILABLE}.
     *
     * <p>The default ignores the context.
     *
     * @param context the request's id and deadline; not null
     * @since api.backend 1.2
     */
    default byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest, CallContext context)
            throws SigilException {
        return sign(ref, algorithm, digest);
    }

    /**
     * Signs several digests with one key, for one request: all of them or none. The result lists the
     * signatures in the order of {@code digests}.
     *
     * <p>The default signs one digest after the other and stops at the first failure or once the
     * deadline has passed. A backend whose calls take time of their own (a key service 10–100 ms
     * away) signs the digests in parallel under a bounded number of permits; one with a session pool
     * may sign them on one session. The caller never retries a signature, so a backend retries only
     * what it knows to be safe (a throttled call) and only within the deadline.
     *
     * @param digests the digests, each exactly {@code algorithm.digestLength()} bytes; not empty;
     *                not modified
     * @param context the request's id and deadline; not null
     * @return the signatures, one per digest, newly allocated
     * @throws SigilException as {@link #sign(KeyRef, SignatureAlgorithm, byte[])}; {@link ErrorCode#BUSY}
     *                        once the deadline has passed
     * @since api.backend 1.2
     */
    default List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests,
                              CallContext context) throws SigilException {
        List<byte[]> out = new ArrayList<>(digests.size());
        for (byte[] digest : digests) {
            if (context.expired()) {
                throw new SigilException(ErrorCode.BUSY, "The signing deadline passed after "
                        + out.size() + " of " + digests.size() + " signatures");
            }
            out.add(sign(ref, algorithm, digest, context));
        }
        return out;
    }

    /**
     * Generates a new key pair inside the backend. The private key never leaves it.
     *
     * @param spec  key type and size
     * @param label a human-readable label, used to derive the key id where the backend allows
     * @return the new key; its chain is whatever the backend keeps for it (a keystore holds a
     *         self-signed placeholder until the CA-issued certificate is imported into Sigil's store;
     *         an HSM backend returns none)
     * @throws SigilException {@link ErrorCode#UNSUPPORTED_OPERATION} if the backend cannot generate keys
     */
    default KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION,
                "Backend " + id() + " does not generate keys");
    }

    /**
     * Whether the backend can sign now; cheap, never blocks on the network. A backend of a remote
     * service builds it from the results of its recent calls and reports
     * {@link BackendHealth.State#DEGRADED} while it is throttled or some calls fail.
     */
    default BackendHealth health() {
        return BackendHealth.UP;
    }
}
