package dev.sigil.api;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The hash algorithms whose digests Sigil signs, with the constants a signer needs: the OID CSC
 * uses in {@code hashAlgorithmOID}, the digest length, and the DER prefix of a PKCS#1 v1.5
 * {@code DigestInfo}.
 */
public enum HashAlgorithm {
    SHA256("2.16.840.1.101.3.4.2.1", "SHA-256", 32,
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
    SHA384("2.16.840.1.101.3.4.2.2", "SHA-384", 48,
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
    SHA512("2.16.840.1.101.3.4.2.3", "SHA-512", 64,
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40);

    private final String oid;
    private final String jcaName;
    private final int digestLength;
    private final byte[] digestInfoPrefix;

    HashAlgorithm(String oid, String jcaName, int digestLength, int... prefix) {
        this.oid = oid;
        this.jcaName = jcaName;
        this.digestLength = digestLength;
        this.digestInfoPrefix = new byte[prefix.length];
        for (int i = 0; i < prefix.length; i++) {
            digestInfoPrefix[i] = (byte) prefix[i];
        }
    }

    /** The OID, as in CSC's {@code hashAlgorithmOID} (v2) and {@code hashAlgo} (v1). */
    public String oid() {
        return oid;
    }

    /** The JCA {@code MessageDigest} name. */
    public String jcaName() {
        return jcaName;
    }

    /** The digest length in bytes. */
    public int digestLength() {
        return digestLength;
    }

    /**
     * Encodes {@code digest} as the DER {@code DigestInfo} that RSASSA-PKCS1-v1_5 signs
     * (RFC 8017, section 9.2, note 1).
     *
     * @param digest the digest; its length must be {@link #digestLength()}
     * @return a new array: the fixed prefix followed by the digest
     * @throws IllegalArgumentException if the digest has the wrong length
     */
    public byte[] digestInfo(byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        if (digest.length != digestLength) {
            throw new IllegalArgumentException(
                    name() + " digest must be " + digestLength + " bytes, not " + digest.length);
        }
        byte[] out = Arrays.copyOf(digestInfoPrefix, digestInfoPrefix.length + digest.length);
        System.arraycopy(digest, 0, out, digestInfoPrefix.length, digest.length);
        return out;
    }

    /** The hash algorithm with this OID, if Sigil supports it. */
    public static Optional<HashAlgorithm> ofOid(String oid) {
        for (HashAlgorithm h : values()) {
            if (h.oid.equals(oid)) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
