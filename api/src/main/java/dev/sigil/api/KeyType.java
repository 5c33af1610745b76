package dev.sigil.api;

/** The public-key families Sigil signs with. */
public enum KeyType {
    RSA("1.2.840.113549.1.1.1"),
    EC("1.2.840.10045.2.1");

    private final String oid;

    KeyType(String oid) {
        this.oid = oid;
    }

    /** The key's algorithm OID (rsaEncryption, id-ecPublicKey), as CSC's {@code key.algo} uses it. */
    public String oid() {
        return oid;
    }
}
