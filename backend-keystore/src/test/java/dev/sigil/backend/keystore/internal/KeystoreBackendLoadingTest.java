package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.BACKEND_ID;
import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading a PKCS#12 file made elsewhere: which entries become keys and how they are described.
 * Signing, verification and the refusals are the backend contract's
 * ({@link KeystoreBackendContractTest}).
 */
class KeystoreBackendLoadingTest {
    @TempDir
    static Path dir;

    static Fixtures.Pki pki;
    static KeystoreBackend backend;

    @BeforeAll
    static void loadKeystore() throws Exception {
        pki = Fixtures.sharedPki();
        backend = Fixtures.open(pki.write(dir.resolve("keys.p12"), "PKCS12", PASSWORD));
    }

    @Test
    void listsOnlyTheEntriesThatHoldPrivateKeysOrderedByAlias() throws Exception {
        List<String> aliases = new ArrayList<>();
        for (KeyInfo k : backend.keys()) {
            aliases.add(k.ref().keyId());
            assertEquals(BACKEND_ID, k.ref().backendId());
        }
        assertEquals(List.of("ec-p256", "ec-p384", "ec-p521", "rsa-2048"), aliases);
    }

    @Test
    void trustedCertificateEntryIsNotAKey() {
        SigilException e = assertThrows(SigilException.class, () -> backend.key(new KeyRef(BACKEND_ID, "trusted-ca")));
        assertEquals(ErrorCode.KEY_NOT_FOUND, e.code());
    }

    @Test
    void describesAnRsaKeyFromItsCertificateChainSignerFirst() throws Exception {
        KeyInfo rsa = backend.key(new KeyRef(BACKEND_ID, "rsa-2048"));
        assertEquals(KeyType.RSA, rsa.type());
        assertEquals(2048, rsa.bits());
        assertNull(rsa.curve());
        assertArrayEquals(pki.keys.get("rsa-2048").getPublic().getEncoded(), rsa.publicKey().getEncoded());
        assertEquals(2, rsa.chain().size());
        assertArrayEquals(pki.certs.get("rsa-2048").getEncoded(), rsa.chain().get(0).getEncoded());
        assertArrayEquals(pki.caCert.getEncoded(), rsa.chain().get(1).getEncoded());
        assertEquals(SignatureAlgorithm.forKeyType(KeyType.RSA), rsa.algorithms());
    }

    @ParameterizedTest
    @ValueSource(strings = {"P256", "P384", "P521"})
    void describesAnEcKeyWithItsNamedCurveAndFieldSize(String curveName) throws Exception {
        EcCurve curve = EcCurve.valueOf(curveName);
        String alias = "ec-" + curveName.toLowerCase();
        KeyInfo ec = backend.key(new KeyRef(BACKEND_ID, alias));
        assertEquals(KeyType.EC, ec.type());
        assertEquals(curve, ec.curve());
        assertEquals(curve.bits(), ec.bits());
        assertArrayEquals(pki.certs.get(alias).getEncoded(), ec.chain().get(0).getEncoded());
        assertEquals(SignatureAlgorithm.forKeyType(KeyType.EC), ec.algorithms());
    }

    @Test
    void advertisesAllNineAlgorithmsWhenSigningWithBouncyCastle() {
        assertEquals(EnumSet.allOf(SignatureAlgorithm.class), backend.algorithms());
        assertEquals(BackendHealth.UP, backend.health());
    }

    @Test
    void onlyTheSupportedNamedCurvesAreRecognised() throws Exception {
        assertEquals(EcCurve.P256, KeystoreBackend.NamedCurves.match(params(Fixtures.ec("secp256r1"))));
        assertEquals(EcCurve.P521, KeystoreBackend.NamedCurves.match(params(Fixtures.ec("secp521r1"))));
        // 256-bit fields too, but other curves: a field-size lookup alone would call them P-256.
        assertNull(KeystoreBackend.NamedCurves.match(params(Fixtures.ec("brainpoolP256r1"))));
        assertNull(KeystoreBackend.NamedCurves.match(params(Fixtures.ec("secp256k1"))));
        assertNull(KeystoreBackend.NamedCurves.match(params(Fixtures.ec("secp224r1"))));
    }

    @Test
    void keysOfAnUnsupportedCurveAreSkippedAndTheOthersStillLoad() throws Exception {
        KeyPair other = Fixtures.ec("secp256k1");
        X509Certificate cert = Fixtures.certificate(new X500Name("CN=k1"),
                other.getPublic(), new X500Name("CN=k1"), other.getPrivate(),
                "SHA256withECDSA", false);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k1", other.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert});
        ks.setKeyEntry("good", pki.keys.get("ec-p256").getPrivate(), PASSWORD.toCharArray(),
                new Certificate[] {pki.certs.get("ec-p256")});
        Path file = dir.resolve("mixed.p12");
        Fixtures.store(ks, file, PASSWORD);

        KeystoreBackend mixed = Fixtures.open(file);

        assertEquals(List.of("good"), mixed.keys().stream().map(k -> k.ref().keyId()).toList());
    }

    private static ECParameterSpec params(KeyPair pair) {
        return ((ECPublicKey) pair.getPublic()).getParams();
    }
}
