package dev.sigil.api.backend;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a backend knows about one of its keys.
 *
 * @param ref        the key's reference; not null
 * @param type       RSA or EC; not null
 * @param bits       the modulus length (RSA) or field size (EC)
 * @param curve      the named curve of an EC key; null for RSA
 * @param publicKey  the public key; not null
 * @param chain      the certificate chain, signer first; empty where the backend keeps none
 * @param algorithms the algorithms this key can perform in this backend; not empty
 * @param state      whether the key may sign, as the backend last saw it; not null
 */
public record KeyInfo(KeyRef ref, KeyType type, int bits, EcCurve curve, PublicKey publicKey,
                      List<X509Certificate> chain, Set<SignatureAlgorithm> algorithms, KeyState state) {
    public KeyInfo {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(publicKey, "publicKey");
        if ((type == KeyType.EC) != (curve != null)) {
            throw new IllegalArgumentException("an EC key needs a curve, an RSA key none");
        }
        chain = List.copyOf(chain);
        algorithms = Set.copyOf(algorithms);
        for (SignatureAlgorithm a : algorithms) {
            if (a.keyType() != type) {
                throw new IllegalArgumentException(a + " does not fit a " + type + " key");
            }
        }
    }

    /** An {@link KeyState#ENABLED enabled} key: a local keystore's keys are always enabled. */
    public KeyInfo(KeyRef ref, KeyType type, int bits, EcCurve curve, PublicKey publicKey,
                   List<X509Certificate> chain, Set<SignatureAlgorithm> algorithms) {
        this(ref, type, bits, curve, publicKey, chain, algorithms, KeyState.ENABLED);
    }

    /**
     * This key in another state.
     *
     * @since api.backend 1.2
     */
    public KeyInfo withState(KeyState newState) {
        return new KeyInfo(ref, type, bits, curve, publicKey, chain, algorithms, newState);
    }

    /** Whether this key can sign with {@code algorithm}. */
    public boolean supports(SignatureAlgorithm algorithm) {
        return algorithms.contains(algorithm);
    }
}
