package dev.sigil.api;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A signature scheme applied to a digest: what a client asks for in CSC's {@code signAlgo} (plus
 * {@code hashAlgorithmOID} where the OID does not name the hash).
 *
 * <p>Example: a v1 client sends {@code signAlgo=1.2.840.113549.1.1.1} (rsaEncryption) and
 * {@code hashAlgo=2.16.840.1.101.3.4.2.1}; {@code fromCsc} resolves that to {@link #RSA_PKCS1_SHA256}.
 */
public enum SignatureAlgorithm {
    RSA_PKCS1_SHA256("1.2.840.113549.1.1.11", KeyType.RSA, Scheme.PKCS1_V1_5, HashAlgorithm.SHA256),
    RSA_PKCS1_SHA384("1.2.840.113549.1.1.12", KeyType.RSA, Scheme.PKCS1_V1_5, HashAlgorithm.SHA384),
    RSA_PKCS1_SHA512("1.2.840.113549.1.1.13", KeyType.RSA, Scheme.PKCS1_V1_5, HashAlgorithm.SHA512),
    RSA_PSS_SHA256(SignatureAlgorithm.RSASSA_PSS_OID, KeyType.RSA, Scheme.PSS, HashAlgorithm.SHA256),
    RSA_PSS_SHA384(SignatureAlgorithm.RSASSA_PSS_OID, KeyType.RSA, Scheme.PSS, HashAlgorithm.SHA384),
    RSA_PSS_SHA512(SignatureAlgorithm.RSASSA_PSS_OID, KeyType.RSA, Scheme.PSS, HashAlgorithm.SHA512),
    ECDSA_SHA256("1.2.840.10045.4.3.2", KeyType.EC, Scheme.ECDSA, HashAlgorithm.SHA256),
    ECDSA_SHA384("1.2.840.10045.4.3.3", KeyType.EC, Scheme.ECDSA, HashAlgorithm.SHA384),
    ECDSA_SHA512("1.2.840.10045.4.3.4", KeyType.EC, Scheme.ECDSA, HashAlgorithm.SHA512);

    /** RSASSA-PSS (RFC 8017): one OID for every hash; the hash travels in the parameters. */
    public static final String RSASSA_PSS_OID = "1.2.840.113549.1.1.10";

    /** How the digest becomes a signature. */
    public enum Scheme {
        /** RSASSA-PKCS1-v1_5 over a DER DigestInfo. */
        PKCS1_V1_5,
        /** RSASSA-PSS with MGF1 over the same hash and a salt as long as the digest. */
        PSS,
        /** ECDSA; the signature is the DER SEQUENCE of r and s. */
        ECDSA
    }

    private final String oid;
    private final KeyType keyType;
    private final Scheme scheme;
    private final HashAlgorithm hash;

    SignatureAlgorithm(String oid, KeyType keyType, Scheme scheme, HashAlgorithm hash) {
        this.oid = oid;
        this.keyType = keyType;
        this.scheme = scheme;
        this.hash = hash;
    }

    /** The OID CSC uses in {@code signAlgo} and {@code signAlgorithms.algos}. Shared by the PSS variants. */
    public String oid() {
        return oid;
    }

    /** The key family this algorithm needs. */
    public KeyType keyType() {
        return keyType;
    }

    /** The padding or signature scheme. */
    public Scheme scheme() {
        return scheme;
    }

    /** The hash whose digest is signed. */
    public HashAlgorithm hash() {
        return hash;
    }

    /** The digest length in bytes that a request must carry. */
    public int digestLength() {
        return hash.digestLength();
    }

    /** The one algorithm with this key type, scheme and hash. */
    public static SignatureAlgorithm of(KeyType keyType, Scheme scheme, HashAlgorithm hash) {
        for (SignatureAlgorithm a : values()) {
            if (a.keyType == keyType && a.scheme == scheme && a.hash == hash) {
                return a;
            }
        }
        throw new IllegalArgumentException("no algorithm " + keyType + "/" + scheme + "/" + hash);
    }

    /**
     * Resolves CSC's {@code signAlgo} and optional hash OID to an algorithm.
     *
     * <p>Accepted: a combined OID (sha256WithRSAEncryption, ecdsa-with-SHA384, ...), whose hash must
     * match {@code hashOid} if one is given; rsaEncryption, id-ecPublicKey or RSASSA-PSS together with
     * {@code hashOid}.
     *
     * @param signAlgoOid the {@code signAlgo} value; may be null (gives empty)
     * @param hashOid     the {@code hashAlgorithmOID} / {@code hashAlgo} value; may be null
     * @return the algorithm, or empty if the combination is unknown or inconsistent
     */
    public static Optional<SignatureAlgorithm> fromCsc(String signAlgoOid, String hashOid) {
        if (signAlgoOid == null) {
            return Optional.empty();
        }
        Optional<HashAlgorithm> hash = hashOid == null ? Optional.empty() : HashAlgorithm.ofOid(hashOid);
        if (hashOid != null && hash.isEmpty()) {
            return Optional.empty();
        }
        for (SignatureAlgorithm a : values()) {
            if (a.scheme != Scheme.PSS && a.oid.equals(signAlgoOid)) {
                return hash.isEmpty() || hash.get() == a.hash ? Optional.of(a) : Optional.empty();
            }
        }
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        if (signAlgoOid.equals(KeyType.RSA.oid())) {
            return Optional.of(of(KeyType.RSA, Scheme.PKCS1_V1_5, hash.get()));
        }
        if (signAlgoOid.equals(KeyType.EC.oid())) {
            return Optional.of(of(KeyType.EC, Scheme.ECDSA, hash.get()));
        }
        if (signAlgoOid.equals(RSASSA_PSS_OID)) {
            return Optional.of(of(KeyType.RSA, Scheme.PSS, hash.get()));
        }
        return Optional.empty();
    }

    /** The distinct {@code signAlgo} OIDs of these algorithms, in declaration order. */
    public static List<String> oids(Collection<SignatureAlgorithm> algorithms) {
        Set<String> out = new LinkedHashSet<>();
        for (SignatureAlgorithm a : values()) {
            if (algorithms.contains(a)) {
                out.add(a.oid);
            }
        }
        return List.copyOf(out);
    }

    /** The algorithms a key of this type can perform. */
    public static Set<SignatureAlgorithm> forKeyType(KeyType keyType) {
        Set<SignatureAlgorithm> out = new LinkedHashSet<>();
        for (SignatureAlgorithm a : values()) {
            if (a.keyType == keyType) {
                out.add(a);
            }
        }
        return Set.copyOf(out);
    }
}
