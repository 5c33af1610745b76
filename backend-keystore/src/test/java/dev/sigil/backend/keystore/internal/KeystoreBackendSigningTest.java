package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.BACKEND_ID;
import static dev.sigil.backend.keystore.internal.Fixtures.BC;
import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading a PKCS#12 file made elsewhere, and signing digests that standard verifiers accept. */
class KeystoreBackendSigningTest {
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

    static Stream<Arguments> everyAlgorithmWithEverySuitableKey() {
        List<Arguments> out = new ArrayList<>();
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            if (a.keyType() == KeyType.RSA) {
                out.add(Arguments.of(a, "rsa-2048"));
            } else {
                out.add(Arguments.of(a, "ec-p256"));
                out.add(Arguments.of(a, "ec-p384"));
                out.add(Arguments.of(a, "ec-p521"));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("everyAlgorithmWithEverySuitableKey")
    void signatureOverTheDigestVerifiesOverTheMessageWithBouncyCastleAndTheJdk(
            SignatureAlgorithm algorithm, String alias) throws Exception {
        byte[] message = ("a document for " + algorithm + " and " + alias).getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance(algorithm.hash().jcaName()).digest(message);

        byte[] signature = backend.sign(new KeyRef(BACKEND_ID, alias), algorithm, digest);

        PublicKey publicKey = pki.certs.get(alias).getPublicKey();
        assertTrue(verify(bouncyCastleVerifier(algorithm), publicKey, message, signature), "BouncyCastle");
        assertTrue(verify(jdkVerifier(algorithm), publicKey, message, signature), "JDK");
        byte[] otherMessage = "another document".getBytes(StandardCharsets.UTF_8);
        assertFalse(verify(bouncyCastleVerifier(algorithm), publicKey, otherMessage, signature));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec-p256", "ec-p384", "ec-p521"})
    void ecdsaSignatureIsTheDerSequenceOfRAndS(String alias) throws Exception {
        byte[] digest = new byte[48];
        digest[0] = 1;
        byte[] signature = backend.sign(new KeyRef(BACKEND_ID, alias), SignatureAlgorithm.ECDSA_SHA384, digest);

        ASN1Sequence sequence = ASN1Sequence.getInstance(signature);
        assertEquals(2, sequence.size());
        BigInteger order = ((ECPublicKey) pki.certs.get(alias).getPublicKey()).getParams().getOrder();
        for (int i = 0; i < 2; i++) {
            BigInteger value = assertInstanceOf(ASN1Integer.class, sequence.getObjectAt(i)).getValue();
            assertTrue(value.signum() > 0 && value.compareTo(order) < 0, "r and s are in [1, n-1]");
        }
        assertArrayEquals(signature, sequence.getEncoded(ASN1Encoding.DER), "strict DER, no trailing bytes");
    }

    @Test
    void rsaPkcs1SignatureEqualsTheOneOverTheWholeMessage() throws Exception {
        byte[] message = "deterministic".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-512").digest(message);
        Signature whole = Signature.getInstance("SHA512withRSA", BC);
        whole.initSign(pki.keys.get("rsa-2048").getPrivate());
        whole.update(message);

        byte[] signature = backend.sign(new KeyRef(BACKEND_ID, "rsa-2048"), SignatureAlgorithm.RSA_PKCS1_SHA512, digest);

        assertArrayEquals(whole.sign(), signature);
    }

    @Test
    void pssSaltIsAsLongAsTheDigest() throws Exception {
        byte[] message = "salted".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
        byte[] signature = backend.sign(new KeyRef(BACKEND_ID, "rsa-2048"), SignatureAlgorithm.RSA_PSS_SHA256, digest);
        PublicKey publicKey = pki.certs.get("rsa-2048").getPublicKey();

        assertTrue(verify(pss("SHA-256", 32), publicKey, message, signature));
        assertFalse(verify(pss("SHA-256", 20), publicKey, message, signature));
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

    private static boolean verify(Signature verifier, PublicKey key, byte[] message, byte[] signature)
            throws Exception {
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    private static Signature bouncyCastleVerifier(SignatureAlgorithm algorithm) throws Exception {
        String hash = algorithm.hash().jcaName().replace("-", "");
        switch (algorithm.scheme()) {
            case PKCS1_V1_5:
                return Signature.getInstance(hash + "withRSA", BC);
            case PSS:
                Signature pss = Signature.getInstance(hash + "withRSAandMGF1", BC);
                pss.setParameter(pssSpec(algorithm.hash().jcaName(), algorithm.digestLength()));
                return pss;
            default:
                return Signature.getInstance(hash + "withECDSA", BC);
        }
    }

    /** The JDK's own implementations (SunRsaSign, SunEC): a second, independent verifier. */
    private static Signature jdkVerifier(SignatureAlgorithm algorithm) throws Exception {
        String hash = algorithm.hash().jcaName().replace("-", "");
        switch (algorithm.scheme()) {
            case PKCS1_V1_5:
                return Signature.getInstance(hash + "withRSA", "SunRsaSign");
            case PSS:
                Signature pss = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
                pss.setParameter(pssSpec(algorithm.hash().jcaName(), algorithm.digestLength()));
                return pss;
            default:
                return Signature.getInstance(hash + "withECDSA", "SunEC");
        }
    }

    private static Signature pss(String hash, int saltLength) throws Exception {
        Signature pss = Signature.getInstance("RSASSA-PSS", BC);
        pss.setParameter(pssSpec(hash, saltLength));
        return pss;
    }

    private static PSSParameterSpec pssSpec(String hash, int saltLength) {
        return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, 1);
    }
}
