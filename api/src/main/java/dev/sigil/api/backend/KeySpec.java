package dev.sigil.api.backend;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyType;

import java.util.Objects;

/**
 * The type and size of a key to generate. Use {@link #rsa(int)} or {@link #ec(EcCurve)}.
 *
 * @param type  RSA or EC
 * @param bits  the RSA modulus length (2048, 3072, 4096) or the curve's field size
 * @param curve the curve of an EC key; null for RSA
 */
public record KeySpec(KeyType type, int bits, EcCurve curve) {
    public KeySpec {
        Objects.requireNonNull(type, "type");
        if (type == KeyType.RSA) {
            if (curve != null || (bits != 2048 && bits != 3072 && bits != 4096)) {
                throw new IllegalArgumentException("RSA keys are 2048, 3072 or 4096 bits, not " + bits);
            }
        } else if (curve == null || curve.bits() != bits) {
            throw new IllegalArgumentException("an EC key spec needs its curve");
        }
    }

    /** An RSA key of 2048, 3072 or 4096 bits. */
    public static KeySpec rsa(int bits) {
        return new KeySpec(KeyType.RSA, bits, null);
    }

    /** An EC key on a named curve. */
    public static KeySpec ec(EcCurve curve) {
        return new KeySpec(KeyType.EC, curve.bits(), curve);
    }

    /**
     * Parses the command-line form: {@code rsa-2048}, {@code rsa-3072}, {@code rsa-4096},
     * {@code ec-p256}, {@code ec-p384}, {@code ec-p521}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static KeySpec parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "rsa-2048": return rsa(2048);
            case "rsa-3072": return rsa(3072);
            case "rsa-4096": return rsa(4096);
            case "ec-p256": return ec(EcCurve.P256);
            case "ec-p384": return ec(EcCurve.P384);
            case "ec-p521": return ec(EcCurve.P521);
            default:
                throw new IllegalArgumentException("unknown key type '" + text
                        + "'; use rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384 or ec-p521");
        }
    }
}
