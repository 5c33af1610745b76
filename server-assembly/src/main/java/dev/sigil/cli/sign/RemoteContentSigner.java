package dev.sigil.cli.sign;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;

/**
 * BouncyCastle's signing seam, answered by a remote signer: BC writes the DER of the signed
 * attributes into {@link #getOutputStream()}; {@link #getSignature()} hashes exactly those bytes
 * with the algorithm's digest and hands the hash to a {@link HashSigner} (in {@code sigil-sign}:
 * {@code credentials/authorize} for that one hash, then {@code signatures/signHash}).
 *
 * <pre>
 * ContentSigner signer = new RemoteContentSigner(SignatureAlgorithm.SHA256_WITH_RSA, hash -&gt; csc.sign(hash));
 * generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(digests).build(signer, certificate));
 * </pre>
 *
 * <p>One instance makes one signature: a second {@code getSignature()} throws, because the remote
 * authorization covers one hash only. Not thread-safe. {@code ContentSigner} cannot throw checked
 * exceptions, so a failure of the hash signer comes out as {@link RemoteSigningException}, whose
 * cause is the original.
 */
final class RemoteContentSigner implements ContentSigner {
    /** Signs a digest remotely; returns the signature as it goes into CMS. */
    @FunctionalInterface
    interface HashSigner {
        byte[] sign(byte[] hash) throws Exception;
    }

    /** The hash signer's failure, carried through BouncyCastle's unchecked seam. */
    static final class RemoteSigningException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RemoteSigningException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final SignatureAlgorithm algorithm;
    private final HashSigner hashSigner;
    private final ByteArrayOutputStream toBeSigned = new ByteArrayOutputStream();
    private boolean signed;

    RemoteContentSigner(SignatureAlgorithm algorithm, HashSigner hashSigner) {
        this.algorithm = algorithm;
        this.hashSigner = hashSigner;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm.algorithmIdentifier();
    }

    @Override
    public OutputStream getOutputStream() {
        return toBeSigned;
    }

    @Override
    public byte[] getSignature() {
        if (signed) {
            throw new IllegalStateException("a RemoteContentSigner makes one signature only");
        }
        signed = true;
        byte[] hash = algorithm.digest.newDigest().digest(toBeSigned.toByteArray());
        try {
            byte[] signature = hashSigner.sign(hash);
            if (signature == null || signature.length == 0) {
                throw new IllegalStateException("the remote signer returned no signature");
            }
            return signature;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RemoteSigningException(e);
        }
    }
}
