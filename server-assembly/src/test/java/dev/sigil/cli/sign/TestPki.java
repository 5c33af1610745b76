package dev.sigil.cli.sign;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and signer key for the unit tests, and "remote" signing functions that sign a
 * digest the way the server does (PKCS#1 v1.5 over a DigestInfo, PSS over the digest, ECDSA in DER).
 */
final class TestPki {
    private static final Provider BC = new BouncyCastleProvider();

    final KeyPair key;
    final List<X509Certificate> chain;

    private TestPki(KeyPair key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = chain;
    }

    static TestPki rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return issue(g.generateKeyPair());
    }

    static TestPki ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return issue(g.generateKeyPair());
    }

    private static TestPki issue(KeyPair signerKey) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair caKey = g.generateKeyPair();
        X500Name caName = new X500Name("CN=Test CA,O=Sigil");
        Date from = Date.from(Instant.now().minus(Duration.ofDays(1)));
        Date to = Date.from(Instant.now().plus(Duration.ofDays(30)));
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        X509Certificate ca = conv.getCertificate(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName,
                caKey.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        X509Certificate signer = conv.getCertificate(new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, to,
                new X500Name("CN=Test Signer,OU=Unit,O=Sigil"), signerKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        return new TestPki(signerKey, List.of(signer, ca));
    }

    /** Signs a digest as the server does for {@code algorithm}. */
    byte[] signDigest(SignatureAlgorithm algorithm, byte[] hash) throws Exception {
        PrivateKey k = key.getPrivate();
        if (algorithm.isPss()) {
            Signature s = Signature.getInstance("NONEwithRSASSA-PSS", BC);
            MGF1ParameterSpec mgf = new MGF1ParameterSpec(algorithm.digest.jcaName);
            s.setParameter(new PSSParameterSpec(algorithm.digest.jcaName, "MGF1", mgf, algorithm.digest.length, 1));
            s.initSign(k);
            s.update(hash);
            return s.sign();
        }
        if (algorithm.jcaName.endsWith("ECDSA")) {
            Signature s = Signature.getInstance("NONEwithECDSA");
            s.initSign(k);
            s.update(hash);
            return s.sign();
        }
        AlgorithmIdentifier digestId = new AlgorithmIdentifier(switch (algorithm.digest) {
            case SHA256 -> NISTObjectIdentifiers.id_sha256;
            case SHA384 -> NISTObjectIdentifiers.id_sha384;
            case SHA512 -> NISTObjectIdentifiers.id_sha512;
        }, DERNull.INSTANCE);
        Signature s = Signature.getInstance("NONEwithRSA");
        s.initSign(k);
        s.update(new DigestInfo(digestId, hash).getEncoded("DER"));
        return s.sign();
    }
}
