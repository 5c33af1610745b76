package dev.sigil.backend.keystore.internal;

import dev.sigil.backend.testkit.ComponentConfigs;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test keys, certificates, keystore files and configurations. */
final class Fixtures {
    /** The tests' own BouncyCastle instance, for building fixtures and verifying signatures. */
    static final Provider BC = new BouncyCastleProvider();
    static final String PASSWORD = "correct horse battery staple";
    static final String BACKEND_ID = "default";

    /** A CA and four leaf keys it certified, written into a PKCS#12 file. */
    static final class Pki {
        final KeyPair ca = ec("secp256r1");
        final X509Certificate caCert;
        final Map<String, KeyPair> keys = new HashMap<>();
        final Map<String, X509Certificate> certs = new HashMap<>();

        Pki() throws Exception {
            X500Name caName = new X500Name("CN=Sigil Test CA");
            caCert = certificate(caName, ca.getPublic(), caName, ca.getPrivate(), "SHA256withECDSA", true);
            add("rsa-2048", rsa(2048));
            add("ec-p256", ec("secp256r1"));
            add("ec-p384", ec("secp384r1"));
            add("ec-p521", ec("secp521r1"));
        }

        private void add(String alias, KeyPair pair) throws Exception {
            keys.put(alias, pair);
            certs.put(alias, certificate(new X500Name("CN=" + alias), pair.getPublic(),
                    new X500Name("CN=Sigil Test CA"), ca.getPrivate(), "SHA256withECDSA", false));
        }

        /** Writes the keystore: the four keys with chain [leaf, CA], and the CA as a trusted entry. */
        Path write(Path file, String type, String password) throws Exception {
            return write(file, KeyStore.getInstance(type), password);
        }

        /** Writes the keystore as {@link #write(Path, String, String)} with a type of this provider. */
        Path write(Path file, String type, Provider provider, String password) throws Exception {
            return write(file, KeyStore.getInstance(type, provider), password);
        }

        private Path write(Path file, KeyStore ks, String password) throws Exception {
            ks.load(null, null);
            for (Map.Entry<String, KeyPair> e : keys.entrySet()) {
                ks.setKeyEntry(e.getKey(), e.getValue().getPrivate(), password.toCharArray(),
                        new Certificate[] {certs.get(e.getKey()), caCert});
            }
            ks.setCertificateEntry("trusted-ca", caCert);
            store(ks, file, password);
            return file;
        }
    }

    private static Pki shared;

    /** One Pki for all test classes: generating its keys is the slow part. */
    static synchronized Pki sharedPki() throws Exception {
        if (shared == null) {
            shared = new Pki();
        }
        return shared;
    }

    static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", BC);
        g.initialize(bits);
        return g.generateKeyPair();
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate certificate(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                       String algorithm, boolean ca) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(30))), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(algorithm).setProvider(BC).build(issuerKey)));
    }

    static void store(KeyStore ks, Path file, String password) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }

    static Path passwordFile(Path dir, String content) throws IOException {
        Path file = dir.resolve("keystore.pass");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** The configuration for a keystore file whose password is in a file next to it. */
    static Map<String, String> fileConfig(Path keystore) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put("sigil.backend.id", BACKEND_ID);
        props.put("keystore.path", keystore.toString());
        props.put("keystore.password.file", passwordFile(keystore.getParent(), PASSWORD + "\n").toString());
        return props;
    }

    static KeystoreBackend open(Path keystore) throws Exception {
        return open(fileConfig(keystore));
    }

    static KeystoreBackend open(Map<String, String> props) throws Exception {
        KeystoreSettings settings = KeystoreSettings.from(config(props), name -> null);
        try {
            return new KeystoreBackend(settings);
        } finally {
            settings.clearPassword();
        }
    }

    /**
     * The configuration annotation as Declarative Services builds it: a property's value, else the
     * element's default, else null.
     */
    static KeystoreBackendConfig config(Map<String, String> props) {
        return ComponentConfigs.of(KeystoreBackendConfig.class, props);
    }

    private Fixtures() {
    }
}
