package dev.sigil.cli.sign;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * The signature algorithms {@code sigil-sign} can put into CMS, with the CSC OIDs that select them
 * in {@code credentials/info}'s {@code key.algo} and in {@code signatures/signHash}.
 *
 * <p>RSASSA-PSS has one OID for every hash ({@code 1.2.840.113549.1.1.10}); the hash travels in
 * {@code signAlgoParams}. Its three entries here use MGF1 with the same hash and a salt as long as
 * the digest, which is what the server accepts. Immutable; thread-safe.
 */
enum SignatureAlgorithm {
    SHA256_WITH_RSA("sha256WithRSAEncryption", "1.2.840.113549.1.1.11", "SHA256withRSA", Digest.SHA256),
    SHA384_WITH_RSA("sha384WithRSAEncryption", "1.2.840.113549.1.1.12", "SHA384withRSA", Digest.SHA384),
    SHA512_WITH_RSA("sha512WithRSAEncryption", "1.2.840.113549.1.1.13", "SHA512withRSA", Digest.SHA512),
    ECDSA_WITH_SHA256("ecdsa-with-SHA256", "1.2.840.10045.4.3.2", "SHA256withECDSA", Digest.SHA256),
    ECDSA_WITH_SHA384("ecdsa-with-SHA384", "1.2.840.10045.4.3.3", "SHA384withECDSA", Digest.SHA384),
    ECDSA_WITH_SHA512("ecdsa-with-SHA512", "1.2.840.10045.4.3.4", "SHA512withECDSA", Digest.SHA512),
    RSASSA_PSS_SHA256("rsassa-pss-sha256", "1.2.840.113549.1.1.10", "SHA256withRSAandMGF1", Digest.SHA256),
    RSASSA_PSS_SHA384("rsassa-pss-sha384", "1.2.840.113549.1.1.10", "SHA384withRSAandMGF1", Digest.SHA384),
    RSASSA_PSS_SHA512("rsassa-pss-sha512", "1.2.840.113549.1.1.10", "SHA512withRSAandMGF1", Digest.SHA512);

    /** The hash algorithms, with the OIDs CSC's {@code hashAlgorithmOID} takes. */
    enum Digest {
        SHA256("SHA-256", "2.16.840.1.101.3.4.2.1", 32),
        SHA384("SHA-384", "2.16.840.1.101.3.4.2.2", 48),
        SHA512("SHA-512", "2.16.840.1.101.3.4.2.3", 64);

        final String jcaName;
        final String oid;
        final int length;

        Digest(String jcaName, String oid, int length) {
            this.jcaName = jcaName;
            this.oid = oid;
            this.length = length;
        }

        /** A fresh digest; every JDK has these three. */
        MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(jcaName + " is missing from this Java runtime", e);
            }
        }
    }

    /** The name users type and the tool prints. */
    final String displayName;
    /** The OID CSC uses for it ({@code key.algo}, {@code signAlgo}). */
    final String cscOid;
    /** The JCA-style name BouncyCastle's algorithm finder knows. */
    final String jcaName;
    final Digest digest;

    SignatureAlgorithm(String displayName, String cscOid, String jcaName, Digest digest) {
        this.displayName = displayName;
        this.cscOid = cscOid;
        this.jcaName = jcaName;
        this.digest = digest;
    }

    boolean isPss() {
        return cscOid.equals("1.2.840.113549.1.1.10");
    }

    /** The AlgorithmIdentifier that goes into the SignerInfo (with the PSS parameters for PSS). */
    AlgorithmIdentifier algorithmIdentifier() {
        return new DefaultSignatureAlgorithmIdentifierFinder().find(jcaName);
    }

    /**
     * {@code signAlgoParams} for {@code signatures/signHash}: the base64 DER RSASSA-PSS-params for
     * PSS, empty for the others.
     */
    Optional<String> signAlgoParams() {
        if (!isPss()) {
            return Optional.empty();
        }
        try {
            byte[] der = algorithmIdentifier().getParameters().toASN1Primitive().getEncoded(ASN1Encoding.DER);
            return Optional.of(Base64.getEncoder().encodeToString(der));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the RSASSA-PSS parameters", e);
        }
    }

    @Override
    public String toString() {
        return displayName;
    }

    /**
     * The algorithm a user named: the display name, the JCA name (SHA256withRSA) or the CSC OID,
     * case-insensitively; the PSS OID alone means PSS with SHA-256.
     *
     * @throws IllegalArgumentException naming the accepted values, if none matches
     */
    static SignatureAlgorithm parse(String name) {
        String n = name.trim();
        for (SignatureAlgorithm a : values()) {
            if (a.displayName.equalsIgnoreCase(n) || a.jcaName.equalsIgnoreCase(n) || a.cscOid.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown signature algorithm '" + name + "'; use one of "
                + String.join(", ", Arrays.stream(values()).map(a -> a.displayName).toList()));
    }

    /**
     * The algorithm to sign with, given the credential's {@code key.algo} (in the server's order).
     *
     * <p>With {@code requested} present: that algorithm, if the credential allows it. Otherwise
     * sha256WithRSAEncryption or ecdsa-with-SHA256 when the credential allows one of them (they are
     * what every verifier accepts), else the first entry of {@code key.algo} this client supports.
     * Entries this client does not know (rsaEncryption, id-ecPublicKey, future OIDs) are skipped.
     *
     * @throws IllegalArgumentException (a one-line reason) if nothing fits
     */
    static SignatureAlgorithm choose(List<String> keyAlgos, Optional<SignatureAlgorithm> requested) {
        List<SignatureAlgorithm> supported = supported(keyAlgos);
        if (requested.isPresent()) {
            SignatureAlgorithm r = requested.get();
            if (!keyAlgos.contains(r.cscOid)) {
                throw new IllegalArgumentException("the credential does not allow " + r.displayName
                        + (supported.isEmpty() ? "" : "; it allows " + names(supported)));
            }
            return r;
        }
        for (SignatureAlgorithm preferred : List.of(SHA256_WITH_RSA, ECDSA_WITH_SHA256)) {
            if (supported.contains(preferred)) {
                return preferred;
            }
        }
        if (supported.isEmpty()) {
            throw new IllegalArgumentException("none of the credential's algorithms " + keyAlgos
                    + " is one sigil-sign supports (" + names(List.of(values())) + ")");
        }
        return supported.get(0);
    }

    /** The algorithms of {@code keyAlgos} this client supports, in that order (PSS: SHA-256 first). */
    private static List<SignatureAlgorithm> supported(List<String> keyAlgos) {
        List<SignatureAlgorithm> out = new ArrayList<>();
        for (String oid : keyAlgos) {
            for (SignatureAlgorithm a : values()) {
                if (a.cscOid.equals(oid) && !out.contains(a)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static String names(List<SignatureAlgorithm> algorithms) {
        return String.join(", ", algorithms.stream().map(a -> a.displayName).toList());
    }
}
