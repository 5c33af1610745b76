package dev.sigil.backend.kit;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeyState;

import java.util.List;
import java.util.Objects;

/**
 * The checks every backend makes before it signs, with the same codes and messages in every
 * backend: the key's state, the algorithm's key type, the backend's algorithms for the key, the
 * digest's length. Core checks the digest length and the backend's algorithms too, but a backend
 * is also called directly (tests, tools), so it checks its own parameters.
 *
 * <pre>{@code
 * KeyInfo key = lookup(ref);                  // KEY_NOT_FOUND is the backend's own
 * SignChecks.check(key, algorithm, digests);  // then call the key service
 * }</pre>
 */
public final class SignChecks {
    private SignChecks() {
    }

    /**
     * @param key       the key as the backend knows it; not null
     * @param algorithm the algorithm asked for; not null
     * @param digest    the digest; not null
     * @throws SigilException {@link ErrorCode#KEY_DISABLED} if the key's state is not
     *                        {@link KeyState#ENABLED}; {@link ErrorCode#UNSUPPORTED_ALGORITHM} if the
     *                        algorithm needs another key type or the key cannot do it;
     *                        {@link ErrorCode#INVALID_DIGEST} if the digest's length is not the hash's
     */
    public static void check(KeyInfo key, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        check(key, algorithm, List.of(Objects.requireNonNull(digest, "digest")));
    }

    /** As {@link #check(KeyInfo, SignatureAlgorithm, byte[])}, for every digest of a batch; not empty. */
    public static void check(KeyInfo key, SignatureAlgorithm algorithm, List<byte[]> digests) throws SigilException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(digests, "digests");
        if (key.state() != KeyState.ENABLED) {
            throw disabled(key);
        }
        if (algorithm.keyType() != key.type()) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM, algorithm + " needs an "
                    + algorithm.keyType() + " key; key " + key.ref() + " is " + key.type());
        }
        if (!key.supports(algorithm)) {
            throw new SigilException(ErrorCode.UNSUPPORTED_ALGORITHM,
                    "key " + key.ref() + " cannot sign with " + algorithm);
        }
        if (digests.isEmpty()) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "no digest to sign");
        }
        for (byte[] digest : digests) {
            if (digest == null || digest.length != algorithm.digestLength()) {
                throw new SigilException(ErrorCode.INVALID_DIGEST, algorithm + " needs a "
                        + algorithm.digestLength() + "-byte digest, not "
                        + (digest == null ? 0 : digest.length) + " bytes");
            }
        }
    }

    /** The refusal of a key that is not {@link KeyState#ENABLED}, naming its state. */
    public static SigilException disabled(KeyInfo key) {
        String state = switch (key.state()) {
            case DISABLED -> "disabled";
            case PENDING_DELETION -> "scheduled for deletion";
            default -> "not usable now";
        };
        return new SigilException(ErrorCode.KEY_DISABLED, "key " + key.ref() + " is " + state);
    }
}
