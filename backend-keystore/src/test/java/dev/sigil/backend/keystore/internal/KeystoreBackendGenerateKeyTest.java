package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.BACKEND_ID;
import static dev.sigil.backend.keystore.internal.Fixtures.BC;
import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generating keys: listed, written to the file, usable after a reload. */
class KeystoreBackendGenerateKeyTest {
    @TempDir
    Path dir;

    Path keystore;

    @BeforeEach
    void writeKeystore() throws Exception {
        keystore = Fixtures.sharedPki().write(dir.resolve("keys.p12"), "PKCS12", PASSWORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384", "ec-p521"})
    void generatedKeyIsListedPersistedAndSignsAfterAReload(String specText) throws Exception {
        KeySpec spec = KeySpec.parse(specText);
        KeystoreBackend backend = Fixtures.open(keystore);

        KeyInfo info = backend.generateKey(spec, "Test " + specText);

        assertEquals(new KeyRef(BACKEND_ID, "test-" + specText), info.ref());
        assertEquals(spec.type(), info.type());
        assertEquals(spec.bits(), info.bits());
        assertEquals(spec.curve(), info.curve());
        assertEquals(SignatureAlgorithm.forKeyType(spec.type()), info.algorithms());
        X509Certificate placeholder = info.chain().get(0);
        assertEquals(1, info.chain().size());
        assertEquals("CN=Test " + specText, placeholder.getSubjectX500Principal().getName());
        placeholder.verify(info.publicKey(), BC);
        assertTrue(backend.keys().stream().anyMatch(k -> k.ref().equals(info.ref())));

        KeystoreBackend reloaded = Fixtures.open(keystore);

        KeyInfo again = reloaded.key(info.ref());
        assertArrayEquals(info.publicKey().getEncoded(), again.publicKey().getEncoded());
        assertEquals(info.chain(), again.chain(), "the placeholder is the chain after a reload too");
        assertEquals(5, reloaded.keys().size(), "the four fixture keys and the new one");
        SignatureAlgorithm algorithm = spec.type() == KeyType.RSA
                ? SignatureAlgorithm.RSA_PSS_SHA384 : SignatureAlgorithm.ECDSA_SHA512;
        for (KeystoreBackend b : List.of(backend, reloaded)) {
            byte[] message = ("signed by " + specText).getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance(algorithm.hash().jcaName()).digest(message);
            byte[] signature = b.sign(info.ref(), algorithm, digest);
            assertTrue(verify(algorithm, again, message, signature));
        }
    }

    @Test
    void labelsBecomeLowercaseAliasesMadeUniqueWithASuffix() throws Exception {
        KeystoreBackend backend = Fixtures.open(keystore);
        KeySpec spec = KeySpec.parse("ec-p256");

        assertEquals("signing-key", backend.generateKey(spec, "Signing Key").ref().keyId());
        assertEquals("signing-key-2", backend.generateKey(spec, "signing key").ref().keyId());
        assertEquals("signing-key-3", backend.generateKey(spec, "SIGNING_KEY!").ref().keyId());
        assertEquals("ec-p256-2", backend.generateKey(spec, "EC P256").ref().keyId(), "fixture alias is taken");
        assertEquals("key", backend.generateKey(spec, null).ref().keyId());
        assertEquals("key-2", backend.generateKey(spec, " ** ").ref().keyId());
    }

    @Test
    void aliasForKeepsLettersDigitsAndSingleDashes() {
        assertEquals("elodie-s-prod-key-1", KeystoreBackend.aliasFor("Élodie's  Prod/Key #1"));
        assertEquals("a-b", KeystoreBackend.aliasFor("--a__b--"));
        assertEquals("key", KeystoreBackend.aliasFor(""));
        assertEquals(48, KeystoreBackend.aliasFor("x".repeat(100)).length());
        assertTrue(KeystoreBackend.aliasFor("Ünïcödé 名前 ok").matches("[a-z0-9-]+"));
    }

    @Test
    void keystoreFileIsReplacedAtomicallyOwnerOnlyWithoutLeftovers() throws Exception {
        assertTrue(keystore.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "this test checks POSIX permissions and needs a POSIX file system");
        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-r--r--"));
        KeystoreBackend backend = Fixtures.open(keystore);

        backend.generateKey(KeySpec.parse("ec-p384"), "perm");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("keys.p12", "keystore.pass"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void signingGoesOnWhileKeysAreGenerated() throws Exception {
        KeystoreBackend backend = Fixtures.open(keystore);
        KeyInfo p256 = backend.key(new KeyRef(BACKEND_ID, "ec-p256"));
        byte[] message = "concurrent".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Callable<Boolean> signer = () -> {
                for (int i = 0; i < 25; i++) {
                    byte[] sig = backend.sign(p256.ref(), SignatureAlgorithm.ECDSA_SHA256, digest);
                    if (!verify(SignatureAlgorithm.ECDSA_SHA256, p256, message, sig)) {
                        return false;
                    }
                }
                return true;
            };
            List<Future<Boolean>> signers = List.of(pool.submit(signer), pool.submit(signer), pool.submit(signer));
            Future<?> generator = pool.submit(() -> {
                for (int i = 0; i < 3; i++) {
                    backend.generateKey(KeySpec.parse("ec-p256"), "parallel");
                }
                return null;
            });
            for (Future<Boolean> f : signers) {
                assertTrue(f.get());
            }
            assertNull(generator.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(7, backend.keys().size());
        assertEquals(7, Fixtures.open(keystore).keys().size());
    }

    private static boolean verify(SignatureAlgorithm algorithm, KeyInfo key, byte[] message, byte[] signature)
            throws Exception {
        String hash = algorithm.hash().jcaName().replace("-", "");
        Signature verifier;
        if (algorithm.scheme() == SignatureAlgorithm.Scheme.PSS) {
            verifier = Signature.getInstance(hash + "withRSAandMGF1", BC);
            String name = algorithm.hash().jcaName();
            verifier.setParameter(new PSSParameterSpec(name, "MGF1", new MGF1ParameterSpec(name),
                    algorithm.digestLength(), 1));
        } else if (algorithm.scheme() == SignatureAlgorithm.Scheme.ECDSA) {
            verifier = Signature.getInstance(hash + "withECDSA", BC);
        } else {
            verifier = Signature.getInstance(hash + "withRSA", BC);
        }
        verifier.initVerify(key.publicKey());
        verifier.update(message);
        return verifier.verify(signature);
    }
}
