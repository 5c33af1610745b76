package dev.sigil.backend.aws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.backend.testkit.FaultProxy;
import dev.sigil.backend.testkit.LocalKms;
import dev.sigil.backend.testkit.JdkVerifier;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Key generation (CreateKey + CreateAlias) and discovery over several ListAliases pages. */
class AwsKmsBackendGenerateKeyTest {
    static LocalKms localKms;
    static FaultProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        localKms = LocalKms.start();
        proxy = new FaultProxy(localKms.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        localKms.close();
    }

    @Test
    void generatedKeysGetAnAliasUnderThePrefixAndAreFoundAgainPageByPage() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        Map<String, Object> c = Fixtures.config("gen", proxy.endpoint(), prefix);
        c.put("list.page.size", "2");
        Set<String> ids = new HashSet<>();
        try (AwsKmsBackend backend = Fixtures.open(c)) {
            assertTrue(backend.keys().isEmpty());
            KeyInfo rsa = backend.generateKey(KeySpec.rsa(2048), "Alice's signing key");
            assertEquals(KeyType.RSA, rsa.type());
            assertEquals(2048, rsa.bits());
            assertEquals(List.of(prefix + "Alice-s-signing-key"), backend.awsKey(rsa.ref()).aliases());
            ids.add(rsa.ref().keyId());
            for (EcCurve curve : EcCurve.values()) {
                KeyInfo k = backend.generateKey(KeySpec.ec(curve), "ec");
                assertEquals(curve, k.curve());
                assertEquals(1, k.algorithms().size(), k.algorithms().toString());
                ids.add(k.ref().keyId());
            }
            // The label "ec" was taken after the first: the others get a suffix of their key id.
            KeyInfo p384 = backend.key(new dev.sigil.api.KeyRef("gen", List.copyOf(ids).get(0)));
            assertTrue(p384 != null);
            byte[] message = "generated".getBytes(StandardCharsets.UTF_8);
            byte[] sig = backend.sign(rsa.ref(), SignatureAlgorithm.RSA_PSS_SHA256,
                    JdkVerifier.digest(SignatureAlgorithm.RSA_PSS_SHA256, message));
            assertTrue(JdkVerifier.verify(SignatureAlgorithm.RSA_PSS_SHA256, rsa.publicKey(), message, sig));
        }
        // Some noise outside the prefix, so that the prefix's aliases span pages among others.
        for (int i = 0; i < 3; i++) {
            Fixtures.createKey(localKms.client(), software.amazon.awssdk.services.kms.model.KeySpec.ECC_NIST_P256,
                    "alias/other-" + i + "-" + ProcessHandle.current().pid());
        }
        proxy.resetCounts();
        try (AwsKmsBackend again = Fixtures.open(c)) {
            List<KeyInfo> keys = again.keys();
            Set<String> found = new HashSet<>();
            keys.forEach(k -> found.add(k.ref().keyId()));
            assertEquals(ids, found);
            assertTrue(proxy.count("ListAliases") >= 8, "pages of 2: " + proxy.count("ListAliases") + " ListAliases calls");
        }
    }

    @Test
    void aliasNamesComeFromTheLabel() {
        assertEquals("bob-hsm-rsa", KmsKeySpecs.aliasName("bob-hsm-rsa", "k"));
        assertEquals("a-b/c_d", KmsKeySpecs.aliasName("  a b/c_d ", "k"));
        assertEquals("k", KmsKeySpecs.aliasName("***", "k"));
        assertEquals("k", KmsKeySpecs.aliasName(null, "k"));
        assertEquals(64, KmsKeySpecs.aliasName("x".repeat(100), "k").length());
    }
}
