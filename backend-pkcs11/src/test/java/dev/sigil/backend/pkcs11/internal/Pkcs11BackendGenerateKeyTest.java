package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIVATE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;

import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;

/** Keys generated on the token: the attributes the token holds, read back independently, and signing. */
class Pkcs11BackendGenerateKeyTest {
    static String label;
    static Pkcs11Backend backend;

    @BeforeAll
    static void token() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("gen");
        SoftHsm.initToken(label);
        backend = SoftHsm.open(SoftHsm.config("gen", label));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384", "ec-p521"})
    void generatedKeyIsSensitiveNonExtractableOnTheTokenAndSigns(String specText) throws Exception {
        KeySpec spec = KeySpec.parse(specText);
        String keyLabel = "alice " + specText;

        KeyInfo info = backend.generateKey(spec, keyLabel);

        assertEquals("gen", info.ref().backendId());
        assertTrue(info.ref().keyId().matches("[0-9a-f]{32}"), "16 random bytes of CKA_ID: " + info.ref().keyId());
        assertEquals(spec.type(), info.type());
        assertEquals(spec.bits(), info.bits());
        assertEquals(spec.curve(), info.curve());
        assertTrue(info.chain().isEmpty());
        assertEquals(SignatureAlgorithm.forKeyType(spec.type()), info.algorithms());
        if (spec.type() == KeyType.RSA) {
            assertEquals(BigInteger.valueOf(65537), ((RSAPublicKey) info.publicKey()).getPublicExponent());
            assertEquals(spec.bits(), ((RSAPublicKey) info.publicKey()).getModulus().bitLength());
        } else {
            assertEquals(spec.bits(), ((ECPublicKey) info.publicKey()).getParams().getCurve().getField().getFieldSize());
        }

        byte[] ckaId = TokenKeys.ckaId(info.ref().keyId());
        Session session = openSession();
        try {
            long[] privates = session.findObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY).id(ckaId), 2);
            long[] publics = session.findObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).id(ckaId), 2);
            assertEquals(1, privates.length);
            assertEquals(1, publics.length);
            AttributeVector priv = session.getAttrValues(privates[0], CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
                    CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE, CKA_SIGN, CKA_LABEL, CKA_ID);
            assertEquals(Boolean.TRUE, priv.token());
            assertEquals(Boolean.TRUE, priv.private_());
            assertEquals(Boolean.TRUE, priv.sensitive());
            assertEquals(Boolean.FALSE, priv.extractable());
            assertEquals(Boolean.TRUE, priv.neverExtractable());
            assertEquals(Boolean.TRUE, priv.sign());
            assertEquals(keyLabel, priv.label());
            assertArrayEquals(ckaId, priv.id());
            AttributeVector pub = session.getAttrValues(publics[0], CKA_TOKEN, CKA_PRIVATE, CKA_LABEL);
            assertEquals(Boolean.TRUE, pub.token());
            assertEquals(Boolean.FALSE, pub.private_());
            assertEquals(keyLabel, pub.label());
            if (spec.type() == KeyType.RSA) {
                assertEquals(BigInteger.valueOf(65537),
                        session.getAttrValues(publics[0], CKA_PUBLIC_EXPONENT).publicExponent());
            }
        } finally {
            session.closeSession();
        }

        SignatureAlgorithm algorithm = spec.type() == KeyType.RSA
                ? SignatureAlgorithm.RSA_PSS_SHA256 : SignatureAlgorithm.ECDSA_SHA512;
        byte[] message = ("signed by " + specText).getBytes(StandardCharsets.UTF_8);
        byte[] signature = backend.sign(info.ref(), algorithm, SoftHsm.digest(algorithm, message));
        assertTrue(SoftHsm.verify(algorithm, info.publicKey(), message, signature));
        assertTrue(backend.keys().stream().anyMatch(k -> k.ref().equals(info.ref())));
    }

    @Test
    void blankLabelBecomesSigilAndTheKeyId() throws Exception {
        KeyInfo info = backend.generateKey(KeySpec.parse("ec-p256"), "  ");

        Session session = openSession();
        try {
            long[] privates = session.findObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY)
                    .id(TokenKeys.ckaId(info.ref().keyId())), 1);
            assertEquals("sigil-" + info.ref().keyId(), session.getAttrValues(privates[0], CKA_LABEL).label());
        } finally {
            session.closeSession();
        }
    }

    @Test
    void generatedKeyIsOnTheTokenForAnotherBackendInstance() throws Exception {
        KeyInfo info = backend.generateKey(KeySpec.parse("ec-p384"), "shared");

        try (Pkcs11Backend second = SoftHsm.open(SoftHsm.config("gen", label))) {
            KeyInfo again = second.key(new KeyRef("gen", info.ref().keyId()));
            assertArrayEquals(info.publicKey().getEncoded(), again.publicKey().getEncoded());
            byte[] message = "from the second instance".getBytes(StandardCharsets.UTF_8);
            byte[] signature = second.sign(again.ref(), SignatureAlgorithm.ECDSA_SHA384,
                    SoftHsm.digest(SignatureAlgorithm.ECDSA_SHA384, message));
            assertTrue(SoftHsm.verify(SignatureAlgorithm.ECDSA_SHA384, info.publicKey(), message, signature));
        }
    }

    /** A session of the test's own, logged in through the backend's login state. */
    private static Session openSession() throws Exception {
        for (Slot slot : backend.sharedModule().module().getSlotList(true)) {
            if (slot.getToken().getTokenInfo().getLabel().strip().equals(label)) {
                return slot.getToken().openSession(false);
            }
        }
        throw new AssertionError("no slot holds token " + label);
    }
}
