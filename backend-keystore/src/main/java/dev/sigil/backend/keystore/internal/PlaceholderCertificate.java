package dev.sigil.backend.keystore.internal;

import dev.sigil.api.KeyType;
import dev.sigil.api.backend.KeySpec;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate that a generated key is stored with. A keystore keeps a private key
 * only together with a certificate; this one holds the public key until a CA-issued certificate
 * replaces it. It is an end-entity certificate for signing (digitalSignature, nonRepudiation).
 */
final class PlaceholderCertificate {
    /** The upper bound of a CN in RFC 5280 (ub-common-name). */
    private static final int MAX_COMMON_NAME = 64;

    /**
     * @param pair       the key pair; its private key signs the certificate
     * @param commonName the subject's CN; cut to 64 characters
     * @param spec       the key's type and size, which choose the signature algorithm
     * @param provider   the provider that signs (the backend's signing provider)
     * @throws GeneralSecurityException if signing or encoding fails
     */
    static X509Certificate create(KeyPair pair, String commonName, KeySpec spec, Provider provider,
                                  SecureRandom random, long validityDays) throws GeneralSecurityException {
        String cn = commonName.length() > MAX_COMMON_NAME ? commonName.substring(0, MAX_COMMON_NAME) : commonName;
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
        Instant now = Instant.now();
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(validityDays))),
                    name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(signatureAlgorithm(spec))
                            .setProvider(provider)
                            .setSecureRandom(random)
                            .build(pair.getPrivate())));
        } catch (OperatorCreationException | CertIOException e) {
            throw new GeneralSecurityException("cannot create the placeholder certificate", e);
        }
    }

    private static String signatureAlgorithm(KeySpec spec) {
        if (spec.type() == KeyType.RSA) {
            return "SHA256withRSA";
        }
        switch (spec.curve()) {
            case P384:
                return "SHA384withECDSA";
            case P521:
                return "SHA512withECDSA";
            default:
                return "SHA256withECDSA";
        }
    }

    private PlaceholderCertificate() {
    }
}
