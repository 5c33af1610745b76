package dev.sigil.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The embedded default's key material, made on first start in the data directory and never
 * overwritten: a development CA, a TLS certificate for localhost issued by it, and a keystore with
 * one demo signing key and its certificate. Each keystore has its own random password in a file
 * under {@code secrets/} (owner-only), which the shipped configuration refers to; so do the key that
 * encrypts TOTP seeds and the pepper of password and PIN verifiers. The data directory and every
 * directory made in it are {@code 0700}, every file {@code 0600} (the launcher script's umask does
 * the same for what the server writes there: the database, the OSGi cache).
 *
 * <p>For development and tests only: the CA key sits in a file next to the server. Keys are made
 * with the JDK's providers (BouncyCastle builds the certificates but its provider is not loaded:
 * that alone costs 0.4 s of the start).
 */
final class DevelopmentPki {
    static final String DEMO_ALIAS = "demo";
    static final String DEMO_EC_ALIAS = "demo-ec";

    private final Path data;
    private final SecureRandom random = new SecureRandom();

    /** @param data the data directory; created if missing */
    DevelopmentPki(Path data) {
        this.data = data;
    }

    Path caCertificatePem() {
        return data.resolve("ca/dev-ca.pem");
    }

    Path caKeystore() {
        return data.resolve("ca/dev-ca.p12");
    }

    Path tlsKeystore() {
        return data.resolve("tls/server.p12");
    }

    Path signingKeystore() {
        return data.resolve("keys/default.p12");
    }

    /** The key that encrypts TOTP seeds in the store: base64 of 32 random bytes. */
    Path totpKek() {
        return data.resolve("secrets/totp-kek.key");
    }

    /** The key of the audit log's chain and checkpoints: base64 of 32 random bytes, not in the database. */
    Path auditKey() {
        return data.resolve("secrets/audit.key");
    }

    /** The key that every password and PIN verifier is keyed with: base64 of 32 random bytes. */
    Path pepper() {
        return data.resolve("secrets/pepper.key");
    }

    /** The token of the local admin API (sigil-admin). */
    Path adminToken() {
        return data.resolve("secrets/admin.token");
    }

    /** The demo account's secrets, written by the server on the first start. */
    Path demoAccount() {
        return data.resolve("demo-account.properties");
    }

    Path secret(String name) {
        return data.resolve("secrets/" + name + ".pass");
    }

    /**
     * Creates what is missing. Existing files are kept as they are.
     *
     * @return the names of what was created, for the first-start message; empty if nothing was
     */
    List<String> ensure() throws IOException, GeneralSecurityException {
        // The data directory holds the database and every secret: owner-only, even if it existed
        // before with wider permissions (made by hand, or by a version that did not restrict it).
        ownerOnlyDirectory(data);
        ownerOnlyDirectory(data.resolve("secrets"));
        List<String> created = new java.util.ArrayList<>();
        if (!Files.exists(totpKek())) {
            writeRandomKey(totpKek());
            created.add("key-encryption key for TOTP seeds " + totpKek());
        }
        if (!Files.exists(auditKey())) {
            writeRandomKey(auditKey());
            created.add("audit key " + auditKey());
        }
        if (!Files.exists(pepper())) {
            // Also on the first start of a version that did not have one: existing unkeyed records
            // still verify and are replaced by keyed ones at their next successful check.
            writeRandomKey(pepper());
            created.add("pepper for password and PIN verifiers " + pepper());
        }
        if (!Files.exists(adminToken())) {
            byte[] t = new byte[32];
            random.nextBytes(t);
            writeOwnerOnly(adminToken(), (Base64.getUrlEncoder().withoutPadding().encodeToString(t) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            created.add("admin token " + adminToken());
        }
        if (Files.exists(caKeystore()) && Files.exists(caCertificatePem()) && Files.exists(tlsKeystore())
                && Files.exists(signingKeystore())) {
            return created; // every later start: nothing to open, nothing to decrypt
        }
        KeyStore.PrivateKeyEntry ca;
        if (Files.exists(caKeystore())) {
            ca = load(caKeystore(), password("dev-ca"), "ca");
        } else {
            KeyPair kp = ec();
            X500Name name = new X500Name("CN=Sigil Development CA,O=Sigil,OU=Development only");
            X509Certificate cert = issue(name, kp.getPublic(), name, kp.getPrivate(), Duration.ofDays(3650),
                    b -> {
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                        b.addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                    });
            ca = new KeyStore.PrivateKeyEntry(kp.getPrivate(), new Certificate[] {cert});
            store(caKeystore(), "ca", ca, password("dev-ca"));
            writePem(caCertificatePem(), cert);
            created.add("development CA " + caCertificatePem());
        }
        if (!Files.exists(caCertificatePem())) {
            writePem(caCertificatePem(), (X509Certificate) ca.getCertificate());
        }
        if (!Files.exists(tlsKeystore())) {
            KeyPair kp = ec();
            X509Certificate cert = issueBy(ca, new X500Name("CN=localhost,O=Sigil"), kp, Duration.ofDays(397), b -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                // Wine's WinHTTP matches DNS names only, so 127.0.0.1 is also given as a DNS name.
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.dNSName, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            });
            store(tlsKeystore(), "server", new KeyStore.PrivateKeyEntry(kp.getPrivate(),
                    new Certificate[] {cert, ca.getCertificate()}), password("tls"));
            created.add("TLS certificate for localhost " + tlsKeystore());
        }
        if (!Files.exists(signingKeystore())) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, random);
            KeyPair kp = g.generateKeyPair();
            X509Certificate cert = issueBy(ca, new X500Name("CN=Sigil Demo Signer,O=Sigil,OU=Development only"), kp,
                    Duration.ofDays(730), b -> {
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                        b.addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
                        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                            KeyPurposeId.id_kp_codeSigning, KeyPurposeId.id_kp_emailProtection}));
                    });
            KeyPair ec = ec();
            X509Certificate ecCert = issueBy(ca, new X500Name("CN=Sigil Demo Signer (EC),O=Sigil,OU=Development only"),
                    ec, Duration.ofDays(730), b -> {
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                        b.addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
                        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                            KeyPurposeId.id_kp_codeSigning, KeyPurposeId.id_kp_emailProtection}));
                    });
            char[] pw = password("keystore-default");
            store(signingKeystore(), pw, new String[] {DEMO_ALIAS, DEMO_EC_ALIAS}, new KeyStore.PrivateKeyEntry[] {
                new KeyStore.PrivateKeyEntry(kp.getPrivate(), new Certificate[] {cert, ca.getCertificate()}),
                new KeyStore.PrivateKeyEntry(ec.getPrivate(), new Certificate[] {ecCert, ca.getCertificate()})});
            created.add("demo signing keys '" + DEMO_ALIAS + "' (RSA 2048) and '" + DEMO_EC_ALIAS + "' (EC P-256) "
                    + signingKeystore());
        }
        return created;
    }

    /**
     * Issues a signing certificate for a key generated elsewhere (an HSM, the keystore backend),
     * with the development CA: digitalSignature and nonRepudiation, code signing and e-mail
     * protection, two years.
     *
     * @return the certificate and the CA certificate (the chain to import)
     */
    List<X509Certificate> issueSigningCertificate(java.security.PublicKey key, String subject)
            throws IOException, GeneralSecurityException {
        KeyStore.PrivateKeyEntry ca = load(caKeystore(), password("dev-ca"), "ca");
        X509Certificate caCert = (X509Certificate) ca.getCertificate();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509Certificate cert = issue(new X500Name(subject), key,
                X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), ca.getPrivateKey(),
                Duration.ofDays(730), b -> {
                    b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    b.addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_codeSigning, KeyPurposeId.id_kp_emailProtection}));
                });
        return List.of(cert, caCert);
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws IOException, GeneralSecurityException;
    }

    private X509Certificate issueBy(KeyStore.PrivateKeyEntry ca, X500Name subject, KeyPair kp, Duration validity,
                                    Extensions extensions) throws IOException, GeneralSecurityException {
        X509Certificate caCert = (X509Certificate) ca.getCertificate();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        return issue(subject, kp.getPublic(), X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                ca.getPrivateKey(), validity, b -> {
                    b.addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(caCert));
                    extensions.add(b);
                });
    }

    private X509Certificate issue(X500Name subject, java.security.PublicKey key, X500Name issuer, PrivateKey signer,
                                  Duration validity, Extensions extensions) throws IOException, GeneralSecurityException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, key);
        b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key));
        extensions.add(b);
        String alg = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    /** The password in {@code secrets/<name>.pass}, created at random if missing. */
    char[] password(String name) throws IOException {
        Path file = secret(name);
        if (!Files.exists(file)) {
            byte[] raw = new byte[24];
            random.nextBytes(raw);
            writeOwnerOnly(file, (Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
    }

    private KeyStore.PrivateKeyEntry load(Path file, char[] password, String alias)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        KeyStore.Entry e = ks.getEntry(alias, new KeyStore.PasswordProtection(password));
        if (!(e instanceof KeyStore.PrivateKeyEntry)) {
            throw new GeneralSecurityException(file + " has no key '" + alias + "'");
        }
        return (KeyStore.PrivateKeyEntry) e;
    }

    private void store(Path file, String alias, KeyStore.PrivateKeyEntry entry, char[] password)
            throws IOException, GeneralSecurityException {
        store(file, password, new String[] {alias}, new KeyStore.PrivateKeyEntry[] {entry});
    }

    private void store(Path file, char[] password, String[] aliases, KeyStore.PrivateKeyEntry[] entries)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < aliases.length; i++) {
            ks.setEntry(aliases[i], entries[i], new KeyStore.PasswordProtection(password));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password);
        writeOwnerOnly(file, out.toByteArray());
    }

    /** Base64 of 32 random bytes, as the TOTP KEK and the pepper are read. */
    private void writeRandomKey(Path file) throws IOException {
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] text = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            writeOwnerOnly(file, text);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
            java.util.Arrays.fill(text, (byte) 0);
        }
    }

    private static void writePem(Path file, X509Certificate cert) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(cert);
        }
        ownerOnlyDirectory(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".tmp", ".pem");
        Files.writeString(tmp, s.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes through a temporary file so that a crash never leaves half a keystore behind. */
    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        ownerOnlyDirectory(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".tmp", ".part");
        try {
            ownerOnly(tmp);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(content);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
            if (!Files.getPosixFilePermissions(dir).equals(ownerOnly)) {
                Files.setPosixFilePermissions(dir, ownerOnly);
            }
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user's profile ACLs apply
        }
    }

    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user's profile ACLs apply
        }
    }
}
