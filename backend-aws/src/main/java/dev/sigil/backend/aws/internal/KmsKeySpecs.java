package dev.sigil.backend.aws.internal;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.KeyState;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * What KMS's names mean in Sigil's terms, and back: signing algorithms, key specs, key states, and
 * the alias a label becomes. Pure functions; no calls.
 */
final class KmsKeySpecs {
    private static final Map<SignatureAlgorithm, SigningAlgorithmSpec> SPECS = new EnumMap<>(SignatureAlgorithm.class);

    static {
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA256, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256);
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA384, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_384);
        SPECS.put(SignatureAlgorithm.RSA_PKCS1_SHA512, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA256, SigningAlgorithmSpec.RSASSA_PSS_SHA_256);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA384, SigningAlgorithmSpec.RSASSA_PSS_SHA_384);
        SPECS.put(SignatureAlgorithm.RSA_PSS_SHA512, SigningAlgorithmSpec.RSASSA_PSS_SHA_512);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA256, SigningAlgorithmSpec.ECDSA_SHA_256);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA384, SigningAlgorithmSpec.ECDSA_SHA_384);
        SPECS.put(SignatureAlgorithm.ECDSA_SHA512, SigningAlgorithmSpec.ECDSA_SHA_512);
    }

    /** Every algorithm some KMS key can sign with: what the backend advertises, whatever keys it serves. */
    static final Set<SignatureAlgorithm> ALGORITHMS = Collections.unmodifiableSet(EnumSet.copyOf(SPECS.keySet()));

    /** A key's type, size and curve from its KMS KeySpec. */
    record KeyFacts(KeyType type, int bits, EcCurve curve) {
    }

    /** The KMS SigningAlgorithmSpec of an algorithm. */
    static SigningAlgorithmSpec spec(SignatureAlgorithm algorithm) {
        return SPECS.get(algorithm);
    }

    /** Sigil's algorithms among KMS's SigningAlgorithms of a key of {@code type}. */
    static Set<SignatureAlgorithm> algorithms(Collection<String> kmsAlgorithms, KeyType type) {
        Set<SignatureAlgorithm> out = EnumSet.noneOf(SignatureAlgorithm.class);
        for (String a : kmsAlgorithms) {
            for (Map.Entry<SignatureAlgorithm, SigningAlgorithmSpec> s : SPECS.entrySet()) {
                if (s.getValue().toString().equals(a) && s.getKey().keyType() == type) {
                    out.add(s.getKey());
                }
            }
        }
        return out;
    }

    /** The facts of a KMS KeySpec, or null if Sigil does not sign with it. */
    static KeyFacts facts(String keySpec) {
        if (keySpec == null) {
            return null;
        }
        return switch (keySpec) {
            case "RSA_2048" -> new KeyFacts(KeyType.RSA, 2048, null);
            case "RSA_3072" -> new KeyFacts(KeyType.RSA, 3072, null);
            case "RSA_4096" -> new KeyFacts(KeyType.RSA, 4096, null);
            case "ECC_NIST_P256" -> new KeyFacts(KeyType.EC, 256, EcCurve.P256);
            case "ECC_NIST_P384" -> new KeyFacts(KeyType.EC, 384, EcCurve.P384);
            case "ECC_NIST_P521" -> new KeyFacts(KeyType.EC, 521, EcCurve.P521);
            default -> null;
        };
    }

    /** Whether a decoded public key is of the type and size its KeySpec says. */
    static boolean fits(PublicKey key, KeyFacts facts) {
        if (facts.type() == KeyType.RSA) {
            return key instanceof RSAPublicKey r && r.getModulus().bitLength() == facts.bits();
        }
        return key instanceof ECPublicKey e && e.getParams().getCurve().getField().getFieldSize() == facts.bits();
    }

    /** The KMS KeySpec for a key to generate. */
    static String kmsKeySpec(KeySpec spec) {
        if (spec.type() == KeyType.RSA) {
            return "RSA_" + spec.bits();
        }
        return switch (spec.curve()) {
            case P256 -> "ECC_NIST_P256";
            case P384 -> "ECC_NIST_P384";
            case P521 -> "ECC_NIST_P521";
        };
    }

    /** Sigil's state of a KMS KeyState. */
    static KeyState state(String kmsState) {
        if (kmsState == null) {
            return KeyState.UNAVAILABLE;
        }
        return switch (kmsState) {
            case "Enabled" -> KeyState.ENABLED;
            case "Disabled" -> KeyState.DISABLED;
            case "PendingDeletion", "PendingReplicaDeletion" -> KeyState.PENDING_DELETION;
            default -> KeyState.UNAVAILABLE; // PendingImport, Unavailable, Creating, Updating
        };
    }

    /** The alias part from a label: alias characters only, at most 64, else the key id. */
    static String aliasName(String label, String keyId) {
        String s = label == null ? "" : label.strip().replaceAll("[^A-Za-z0-9/_-]", "-").replaceAll("-{2,}", "-");
        s = s.replaceAll("^[-/]+", "").replaceAll("[-/]+$", "");
        if (s.length() > 64) {
            s = s.substring(0, 64);
        }
        return s.isEmpty() ? keyId : s;
    }

    private KmsKeySpecs() {
    }
}
