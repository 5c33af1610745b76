package dev.sigil.backend.azure.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.backend.kit.EcdsaSignatures;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Sigil's signature algorithms and Key Vault's JWA names, both ways, and what Key Vault returns.
 * Key Vault signs a digest the caller computed: RS* (PKCS#1 v1.5, Key Vault builds the DigestInfo),
 * PS* (PSS, MGF1 with the same hash, salt as long as the digest: what the SPI wants) and ES* on the
 * curve that matches the hash (ES256/P-256, ES384/P-384, ES512/P-521; Key Vault refuses other
 * pairs). ECDSA comes back as raw {@code r||s} and is converted to DER here.
 */
final class AzureAlgorithms {
    private static final Map<SignatureAlgorithm, String> JWA = new EnumMap<>(SignatureAlgorithm.class);

    static {
        JWA.put(SignatureAlgorithm.RSA_PKCS1_SHA256, "RS256");
        JWA.put(SignatureAlgorithm.RSA_PKCS1_SHA384, "RS384");
        JWA.put(SignatureAlgorithm.RSA_PKCS1_SHA512, "RS512");
        JWA.put(SignatureAlgorithm.RSA_PSS_SHA256, "PS256");
        JWA.put(SignatureAlgorithm.RSA_PSS_SHA384, "PS384");
        JWA.put(SignatureAlgorithm.RSA_PSS_SHA512, "PS512");
        JWA.put(SignatureAlgorithm.ECDSA_SHA256, "ES256");
        JWA.put(SignatureAlgorithm.ECDSA_SHA384, "ES384");
        JWA.put(SignatureAlgorithm.ECDSA_SHA512, "ES512");
    }

    /** Every algorithm Key Vault signs with. */
    static final Set<SignatureAlgorithm> ALL = Set.copyOf(JWA.keySet());

    /** Key Vault's name of {@code algorithm}: RS256, PS384, ES512, ... */
    static com.azure.security.keyvault.keys.cryptography.models.SignatureAlgorithm jwa(SignatureAlgorithm algorithm) {
        String name = JWA.get(algorithm);
        if (name == null) {
            throw new IllegalArgumentException("no Key Vault algorithm for " + algorithm);
        }
        return com.azure.security.keyvault.keys.cryptography.models.SignatureAlgorithm.fromString(name);
    }

    /** The algorithms of a key: all RSA ones for RSA, the one ECDSA whose hash matches the curve for EC. */
    static Set<SignatureAlgorithm> forKey(KeyType type, EcCurve curve) {
        if (type == KeyType.RSA) {
            return EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PKCS1_SHA384,
                    SignatureAlgorithm.RSA_PKCS1_SHA512, SignatureAlgorithm.RSA_PSS_SHA256,
                    SignatureAlgorithm.RSA_PSS_SHA384, SignatureAlgorithm.RSA_PSS_SHA512);
        }
        return switch (curve) {
            case P256 -> EnumSet.of(SignatureAlgorithm.ECDSA_SHA256);
            case P384 -> EnumSet.of(SignatureAlgorithm.ECDSA_SHA384);
            case P521 -> EnumSet.of(SignatureAlgorithm.ECDSA_SHA512);
        };
    }

    /**
     * The signature as the SPI wants it, checked against the key's size: ECDSA is raw r||s of
     * exactly twice the curve's field length (converted to DER); RSA exactly as long as the modulus
     * (RFC 7518: the JWS signature is the k-octet RSASSA output).
     *
     * @throws AzureErrors.MalformedAnswer if Key Vault's answer cannot be this key's signature
     */
    static byte[] toSpi(KeyInfo key, SignatureAlgorithm algorithm, byte[] signature) {
        int length = signature == null ? 0 : signature.length;
        if (algorithm.keyType() == KeyType.EC) {
            int expected = 2 * ((key.curve().bits() + 7) / 8);
            if (length != expected) {
                throw new AzureErrors.MalformedAnswer("an " + algorithm + " signature of " + length
                        + " bytes, not " + expected);
            }
            return EcdsaSignatures.rawToDer(signature);
        }
        int modulus = (key.bits() + 7) / 8;
        if (length != modulus) {
            throw new AzureErrors.MalformedAnswer("an RSA signature of " + length + " bytes for a " + modulus
                    + "-byte modulus");
        }
        return signature;
    }

    private AzureAlgorithms() {
    }
}
