package dev.sigil.api;

import java.util.Optional;

/** The named elliptic curves Sigil supports. */
public enum EcCurve {
    P256("1.2.840.10045.3.1.7", "secp256r1", 256),
    P384("1.3.132.0.34", "secp384r1", 384),
    P521("1.3.132.0.35", "secp521r1", 521);

    private final String oid;
    private final String standardName;
    private final int bits;

    EcCurve(String oid, String standardName, int bits) {
        this.oid = oid;
        this.standardName = standardName;
        this.bits = bits;
    }

    /** The curve's OID, as CSC's {@code key.curve} reports it. */
    public String oid() {
        return oid;
    }

    /** The SEC 2 name that JCA providers accept in {@code ECGenParameterSpec}. */
    public String standardName() {
        return standardName;
    }

    /** The field size in bits (the "length" of the key). */
    public int bits() {
        return bits;
    }

    /** The curve with this field size, if Sigil supports one. */
    public static Optional<EcCurve> ofBits(int bits) {
        for (EcCurve c : values()) {
            if (c.bits == bits) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The curve with this OID, if Sigil supports it. */
    public static Optional<EcCurve> ofOid(String oid) {
        for (EcCurve c : values()) {
            if (c.oid.equals(oid)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
