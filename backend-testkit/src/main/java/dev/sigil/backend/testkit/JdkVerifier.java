package dev.sigil.backend.testkit;

import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * Verifies a backend's signatures as a relying party would, with the JDK's own providers
 * ({@code SunRsaSign}, {@code SunEC}) and never with the provider a backend signs with: a signature
 * is checked over the original message, not over the digest the backend saw.
 *
 * <ul>
 *   <li>RSASSA-PKCS1-v1_5: {@code SHA256withRSA} (384, 512) over the message;</li>
 *   <li>RSASSA-PSS: {@code RSASSA-PSS} with an explicit {@link PSSParameterSpec}: the same hash,
 *       MGF1 with that hash, trailer field 1 and a salt of the given length (the digest's length
 *       for Sigil's algorithms);</li>
 *   <li>ECDSA: {@code SHA256withECDSA} (384, 512) over the message, which accepts only the DER
 *       SEQUENCE of r and s.</li>
 * </ul>
 *
 * <p>The public key is re-decoded from its X.509 encoding by the JDK's key factory, so that a key
 * object of another provider is verified the same way and its encoding is checked on the way.
 */
public final class JdkVerifier {
    private static final String RSA_PROVIDER = "SunRsaSign";
    private static final String EC_PROVIDER = "SunEC";

    /** The digest of {@code message} with the algorithm's hash: what a client sends to be signed. */
    public static byte[] digest(SignatureAlgorithm algorithm, byte[] message) throws GeneralSecurityException {
        return MessageDigest.getInstance(algorithm.hash().jcaName()).digest(message);
    }

    /**
     * Whether {@code signature} is a valid signature of {@code message} with {@code algorithm}
     * (for PSS, with a salt as long as the digest).
     */
    public static boolean verify(SignatureAlgorithm algorithm, PublicKey key, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        if (algorithm.scheme() == SignatureAlgorithm.Scheme.PSS) {
            return verifyPss(algorithm, key, message, signature, algorithm.digestLength());
        }
        String hash = algorithm.hash().jcaName().replace("-", "");
        Signature verifier = algorithm.scheme() == SignatureAlgorithm.Scheme.ECDSA
                ? Signature.getInstance(hash + "withECDSA", EC_PROVIDER)
                : Signature.getInstance(hash + "withRSA", RSA_PROVIDER);
        return run(verifier, jdkKey(algorithm.keyType(), key), message, signature);
    }

    /**
     * Whether {@code signature} is a valid RSASSA-PSS signature of {@code message} with the
     * algorithm's hash, MGF1 of the same hash and exactly {@code saltLength} bytes of salt.
     */
    public static boolean verifyPss(SignatureAlgorithm algorithm, PublicKey key, byte[] message, byte[] signature,
                                    int saltLength) throws GeneralSecurityException {
        if (algorithm.scheme() != SignatureAlgorithm.Scheme.PSS) {
            throw new IllegalArgumentException(algorithm + " is not a PSS algorithm");
        }
        String hash = algorithm.hash().jcaName();
        Signature verifier = Signature.getInstance("RSASSA-PSS", RSA_PROVIDER);
        verifier.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength,
                PSSParameterSpec.TRAILER_FIELD_BC));
        return run(verifier, jdkKey(KeyType.RSA, key), message, signature);
    }

    /**
     * The longest PSS salt a key of this size allows with this algorithm's hash:
     * {@code emLen - hLen - 2} (RFC 8017, 9.1.1).
     */
    public static int maxPssSaltLength(SignatureAlgorithm algorithm, PublicKey key) {
        int modBits = ((RSAPublicKey) key).getModulus().bitLength();
        int emLen = (modBits - 1 + 7) / 8;
        return emLen - algorithm.digestLength() - 2;
    }

    private static boolean run(Signature verifier, PublicKey key, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        verifier.initVerify(key);
        verifier.update(message);
        try {
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            // Malformed encodings (a raw r||s, a wrong length) are failed verifications, not errors.
            return false;
        }
    }

    private static PublicKey jdkKey(KeyType type, PublicKey key) throws GeneralSecurityException {
        KeyFactory factory = type == KeyType.RSA
                ? KeyFactory.getInstance("RSA", RSA_PROVIDER)
                : KeyFactory.getInstance("EC", EC_PROVIDER);
        return factory.generatePublic(new X509EncodedKeySpec(key.getEncoded()));
    }

    private JdkVerifier() {
    }
}
