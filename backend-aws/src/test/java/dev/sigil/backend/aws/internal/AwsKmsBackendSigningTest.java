package dev.sigil.backend.aws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;

/** Signatures from local-kms through the backend, verified with the public key by the JDK. */
class AwsKmsBackendSigningTest {
    static LocalKms localKms;
    static KmsClient admin;
    static AwsKmsBackend backend;
    static String rsa;
    static String p256;
    static String p384;
    static String p521;

    @BeforeAll
    static void start() throws Exception {
        localKms = LocalKms.start();
        admin = localKms.client();
        String prefix = Fixtures.uniquePrefix();
        rsa = Fixtures.createKey(admin, KeySpec.RSA_2048, prefix + "rsa");
        p256 = Fixtures.createKey(admin, KeySpec.ECC_NIST_P256, prefix + "p256");
        p384 = Fixtures.createKey(admin, KeySpec.ECC_NIST_P384, prefix + "p384");
        p521 = Fixtures.createKey(admin, KeySpec.ECC_NIST_P521, prefix + "p521");
        // Not served: outside the prefix.
        Fixtures.createKey(admin, KeySpec.ECC_NIST_P256, "alias/elsewhere-" + ProcessHandle.current().pid());
        backend = Fixtures.open(Fixtures.config("kms", localKms.endpoint(), prefix));
    }

    @AfterAll
    static void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (localKms != null) {
            localKms.close();
        }
    }

    @Test
    void discoversTheKeysUnderThePrefixWithWhatKmsAllowsEachToDo() throws Exception {
        List<KeyInfo> keys = backend.keys();
        assertEquals(4, keys.size(), keys.toString());
        KeyInfo r = backend.key(new KeyRef("kms", rsa));
        assertEquals(KeyType.RSA, r.type());
        assertEquals(2048, r.bits());
        assertEquals(EnumSet.range(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PSS_SHA512), r.algorithms());
        // KMS ties ECDSA's hash to the curve.
        assertEquals(Set.of(SignatureAlgorithm.ECDSA_SHA256), backend.key(new KeyRef("kms", p256)).algorithms());
        assertEquals(Set.of(SignatureAlgorithm.ECDSA_SHA384), backend.key(new KeyRef("kms", p384)).algorithms());
        assertEquals(Set.of(SignatureAlgorithm.ECDSA_SHA512), backend.key(new KeyRef("kms", p521)).algorithms());
        assertEquals(EcCurve.P521, backend.key(new KeyRef("kms", p521)).curve());
        assertNull(r.curve());
        assertTrue(r.chain().isEmpty());
        assertEquals(EnumSet.allOf(SignatureAlgorithm.class), backend.algorithms());
    }

    @Test
    void anAliasOrArnNamesTheSameKeyAsItsId() throws Exception {
        AwsKmsBackend.AwsKey k = backend.awsKey(new KeyRef("kms", p256));
        String alias = k.aliases().get(0);
        assertEquals(p256, backend.key(new KeyRef("kms", alias)).ref().keyId());
        assertEquals(p256, backend.key(new KeyRef("kms", k.arn())).ref().keyId());
    }

    @Test
    void everyAlgorithmSignsAndVerifiesWithThePublicKey() throws Exception {
        byte[] message = "a document signed in AWS KMS".getBytes(StandardCharsets.UTF_8);
        int checked = 0;
        for (String keyId : List.of(rsa, p256, p384, p521)) {
            KeyInfo key = backend.key(new KeyRef("kms", keyId));
            for (SignatureAlgorithm a : key.algorithms()) {
                byte[] signature = backend.sign(key.ref(), a, Fixtures.digest(a, message));
                assertTrue(Fixtures.verify(a, key.publicKey(), message, signature), a + " with " + keyId);
                if (a.scheme() == SignatureAlgorithm.Scheme.ECDSA) {
                    assertEquals(0x30, signature[0] & 0xff, "KMS returns ECDSA as a DER SEQUENCE");
                } else {
                    assertEquals(256, signature.length, a.toString());
                }
                checked++;
            }
        }
        assertEquals(9, checked);
    }

    @Test
    void pssUsesASaltAsLongAsTheDigest() throws Exception {
        // Verified above with the salt length fixed to the digest length; a signature made with the
        // longest salt (Go's default without FIPS mode) would fail that check, and passes this one.
        byte[] message = "salt".getBytes(StandardCharsets.UTF_8);
        KeyInfo key = backend.key(new KeyRef("kms", rsa));
        for (SignatureAlgorithm a : List.of(SignatureAlgorithm.RSA_PSS_SHA256, SignatureAlgorithm.RSA_PSS_SHA512)) {
            byte[] sig = backend.sign(key.ref(), a, Fixtures.digest(a, message));
            java.security.Signature v = java.security.Signature.getInstance("RSASSA-PSS");
            String h = a.hash().jcaName();
            int longest = 256 - a.digestLength() - 2;
            v.setParameter(new java.security.spec.PSSParameterSpec(h, "MGF1",
                    new java.security.spec.MGF1ParameterSpec(h), longest, 1));
            v.initVerify(key.publicKey());
            v.update(message);
            assertTrue(!v.verify(sig), a + ": not signed with the maximum salt length");
        }
    }

    @Test
    void aBatchSignsEveryDigestInOrder() throws Exception {
        KeyInfo key = backend.key(new KeyRef("kms", p384));
        List<byte[]> messages = new ArrayList<>();
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] m = ("document " + i).getBytes(StandardCharsets.UTF_8);
            messages.add(m);
            digests.add(Fixtures.digest(SignatureAlgorithm.ECDSA_SHA384, m));
        }
        List<byte[]> signatures = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA384, digests, "req-batch",
                Instant.now().plusSeconds(10));
        assertEquals(12, signatures.size());
        for (int i = 0; i < 12; i++) {
            assertTrue(Fixtures.verify(SignatureAlgorithm.ECDSA_SHA384, key.publicKey(), messages.get(i),
                    signatures.get(i)), "signature " + i);
        }
    }
}
