package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevelopmentPkiTest {
    @TempDir
    Path data;

    private KeyStore load(DevelopmentPki pki, Path file, String secret) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, pki.password(secret));
        }
        return ks;
    }

    private static void assertChainValid(X509Certificate[] chain, X509Certificate ca, String purpose) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(chain[0])), params);
        assertTrue(chain[0].getExtendedKeyUsage().contains(purpose), purpose);
    }

    @Test
    void firstStartCreatesACaATlsCertificateForLocalhostAndADemoKey() throws Exception {
        DevelopmentPki pki = new DevelopmentPki(data);
        assertEquals(7, pki.ensure().size());
        assertEquals(32, java.util.Base64.getDecoder().decode(Files.readString(pki.totpKek()).strip()).length);
        assertEquals(32, java.util.Base64.getDecoder().decode(Files.readString(pki.auditKey()).strip()).length);
        assertEquals(32, java.util.Base64.getDecoder().decode(Files.readString(pki.pepper()).strip()).length);

        X509Certificate ca;
        try (InputStream in = Files.newInputStream(pki.caCertificatePem())) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(0, ca.getBasicConstraints());

        KeyStore tls = load(pki, pki.tlsKeystore(), "tls");
        X509Certificate[] tlsChain = Arrays.stream(tls.getCertificateChain("server"))
                .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        assertChainValid(tlsChain, ca, "1.3.6.1.5.5.7.3.1");
        Collection<List<?>> sans = tlsChain[0].getSubjectAlternativeNames();
        assertTrue(sans.contains(List.of(2, "localhost")), sans.toString());
        assertTrue(sans.contains(List.of(2, "127.0.0.1")), sans.toString());
        assertTrue(sans.contains(List.of(7, "127.0.0.1")), sans.toString());

        KeyStore keys = load(pki, pki.signingKeystore(), "keystore-default");
        X509Certificate[] demo = Arrays.stream(keys.getCertificateChain(DevelopmentPki.DEMO_ALIAS))
                .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        assertChainValid(demo, ca, "1.3.6.1.5.5.7.3.3");
        assertEquals("RSA", demo[0].getPublicKey().getAlgorithm());
        assertTrue(demo[0].getKeyUsage()[0], "digitalSignature");
        X509Certificate[] ec = Arrays.stream(keys.getCertificateChain(DevelopmentPki.DEMO_EC_ALIAS))
                .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        assertChainValid(ec, ca, "1.3.6.1.5.5.7.3.3");
        assertEquals("EC", ec[0].getPublicKey().getAlgorithm());
    }

    @Test
    void secretsAreOwnerOnlyAndNothingIsRecreatedOnTheNextStart() throws Exception {
        DevelopmentPki pki = new DevelopmentPki(data);
        pki.ensure();
        byte[] before = Files.readAllBytes(pki.signingKeystore());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.secret("tls"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.signingKeystore())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.totpKek())));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.pepper())));

        byte[] pepper = Files.readAllBytes(pki.pepper());
        assertEquals(List.of(), new DevelopmentPki(data).ensure());
        assertArrayEquals(before, Files.readAllBytes(pki.signingKeystore()));
        assertArrayEquals(pepper, Files.readAllBytes(pki.pepper()), "the pepper is never replaced");
    }

    @Test
    void aPepperIsAddedToADataDirectoryMadeBeforeThereWasOne() throws Exception {
        DevelopmentPki pki = new DevelopmentPki(data);
        pki.ensure();
        Files.delete(pki.pepper());

        List<String> created = new DevelopmentPki(data).ensure();

        assertEquals(1, created.size(), created.toString());
        assertTrue(created.get(0).startsWith("pepper for password and PIN verifiers"), created.toString());
        assertTrue(Files.isRegularFile(pki.pepper()));
    }

    @Test
    void theDataDirectoryAndEveryDirectoryMadeInItAreOwnerOnlyEvenWhenTheDataDirectoryWasWider() throws Exception {
        Path wide = Files.createDirectory(data.resolve("wide"));
        Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rwxr-xr-x"));

        new DevelopmentPki(wide).ensure();

        try (var all = Files.walk(wide)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", perms, wide.relativize(p).toString());
            }
        }
    }
}
