package dev.sigil.backend.aws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.backend.testkit.LocalKms;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;

/**
 * Discovery by alias prefix: which keys are served, with what KMS allows each to do, and the names
 * a key is found by. Signing itself is the contract's (AwsKmsBackendContractTest).
 */
class AwsKmsBackendDiscoveryTest {
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
        KmsKeys.AwsKey k = backend.awsKey(new KeyRef("kms", p256));
        String alias = k.aliases().get(0);
        assertEquals(p256, backend.key(new KeyRef("kms", alias)).ref().keyId());
        assertEquals(p256, backend.key(new KeyRef("kms", k.arn())).ref().keyId());
    }
}
