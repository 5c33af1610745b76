package dev.sigil.api.signing;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Signs digests with keys of any registered backend. Provided by {@code core}; used by the
 * transports. Thread-safe.
 *
 * <pre>{@code
 * byte[] sig = signing.signDigest(new KeyRef("default", "demo"), SignatureAlgorithm.ECDSA_SHA256, digest);
 * }</pre>
 */
@ProviderType
public interface SigningService {
    /**
     * Signs one digest.
     *
     * @throws SigilException {@link ErrorCode#BACKEND_NOT_FOUND}, {@link ErrorCode#INVALID_DIGEST}
     *                        (wrong length for the algorithm), {@link ErrorCode#UNSUPPORTED_ALGORITHM}
     *                        and whatever the backend reports; unexpected backend failures come out
     *                        as {@link ErrorCode#INTERNAL} with the detail logged
     */
    byte[] signDigest(KeyRef key, SignatureAlgorithm algorithm, byte[] digest) throws SigilException;

    /**
     * Signs several digests with one key for one request, in one call to the backend (which may
     * sign them in parallel): all signatures in the order of {@code digests}, or an exception and
     * none. Never retries a signature.
     *
     * @param context the request's id and deadline; not null
     * @throws SigilException as {@link #signDigest}; {@link ErrorCode#INVALID_REQUEST} for an empty list
     * @since api.signing 1.1
     */
    List<byte[]> signDigests(KeyRef key, SignatureAlgorithm algorithm, List<byte[]> digests, CallContext context)
            throws SigilException;

    /** One key of a backend. */
    KeyInfo key(KeyRef key) throws SigilException;

    /** The keys of one backend instance. */
    List<KeyInfo> keys(String backendId) throws SigilException;

    /** Generates a key in a backend instance. */
    KeyInfo generateKey(String backendId, KeySpec spec, String label) throws SigilException;

    /** The union of the algorithms of the registered backends; empty if there are none. */
    Set<SignatureAlgorithm> algorithms();

    /** The registered backends and their health, ordered by id. */
    List<BackendStatus> backends();
}
