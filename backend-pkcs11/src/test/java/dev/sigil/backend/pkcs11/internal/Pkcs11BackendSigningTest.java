package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;

/**
 * What is PKCS#11's own on a real SoftHSM2 token with keys made by the backend and by pkcs11-tool:
 * discovery, key ids, a key deleted under the backend, a lost login. Signing with every algorithm,
 * verification and the refusals are the backend contract's ({@link Pkcs11BackendContractTest}).
 */
class Pkcs11BackendSigningTest {
    static final String BACKEND_ID = "hsm";
    /** Keys pkcs11-tool makes before the backend starts, by CKA_ID. */
    static final String TOOL_RSA_ID = "0a01";
    static final String TOOL_EC_ID = "0a02";

    static String label;
    static Pkcs11Backend backend;
    /** Every key to sign with: name → key. */
    static final Map<String, KeyInfo> KEYS = new LinkedHashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void tokenWithKeys() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("sign");
        SoftHsm.initToken(label);
        SoftHsm.pkcs11ToolKeyPair(label, "rsa:2048", TOOL_RSA_ID, "tool-rsa");
        // P-256: this OpenSC's --read-object cannot export other curves' public keys for the cross-check.
        SoftHsm.pkcs11ToolKeyPair(label, "EC:prime256v1", TOOL_EC_ID, "tool-ec");
        backend = SoftHsm.open(SoftHsm.config(BACKEND_ID, label));
        KEYS.put("pkcs11-tool rsa:2048", backend.key(new KeyRef(BACKEND_ID, TOOL_RSA_ID)));
        KEYS.put("pkcs11-tool EC:prime256v1", backend.key(new KeyRef(BACKEND_ID, TOOL_EC_ID)));
        KEYS.put("generated ec-p384", backend.generateKey(KeySpec.parse("ec-p384"), "signing ec-p384"));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void advertisedAlgorithmsAreTheOnesSoftHsmListsWithSignFlag() {
        // SoftHSM 2.6 has CKM_RSA_PKCS, CKM_RSA_PKCS_PSS and CKM_ECDSA, all with CKF_SIGN.
        assertEquals(EnumSet.allOf(SignatureAlgorithm.class), backend.algorithms());
        for (KeyInfo key : KEYS.values()) {
            assertEquals(SignatureAlgorithm.forKeyType(key.type()), key.algorithms());
        }
    }

    @Test
    void keysMadeWithPkcs11ToolBeforeTheBackendStartedAreDiscovered() throws Exception {
        List<KeyInfo> keys = backend.keys();
        KeyInfo rsa = keys.stream().filter(k -> k.ref().keyId().equals(TOOL_RSA_ID)).findFirst().orElseThrow();
        KeyInfo ec = keys.stream().filter(k -> k.ref().keyId().equals(TOOL_EC_ID)).findFirst().orElseThrow();

        assertEquals(KeyType.RSA, rsa.type());
        assertEquals(2048, rsa.bits());
        assertEquals(KeyType.EC, ec.type());
        assertEquals(EcCurve.P256, ec.curve());
        assertEquals(256, ec.bits());
        assertTrue(rsa.chain().isEmpty() && ec.chain().isEmpty(), "certificates live in Sigil's store");
        assertSamePublicKey(SoftHsm.pkcs11ToolPublicKey(label, TOOL_RSA_ID, dir), "RSA", rsa.publicKey());
        assertSamePublicKey(SoftHsm.pkcs11ToolPublicKey(label, TOOL_EC_ID, dir), "EC", ec.publicKey());
        assertEquals(KEYS.size(), keys.size(), "two pkcs11-tool keys and one generated");
    }

    @Test
    void keyIdIsTheLowercaseHexOfCkaIdAndRefersToTheBackend() throws Exception {
        for (KeyInfo key : backend.keys()) {
            assertEquals(BACKEND_ID, key.ref().backendId());
            assertTrue(key.ref().keyId().matches("([0-9a-f]{2})+"), key.ref().keyId());
        }
        KeyInfo upper = backend.key(new KeyRef(BACKEND_ID, TOOL_RSA_ID.toUpperCase()));
        assertEquals(TOOL_RSA_ID, upper.ref().keyId());
    }

    @Test
    void keyIdsThatAreNotHexOfACkaIdAreKeyNotFound() {
        // Unknown and foreign references are the backend contract's; these are PKCS#11's own.
        byte[] digest = new byte[32];
        for (KeyRef ref : List.of(new KeyRef(BACKEND_ID, "not-hex"), new KeyRef(BACKEND_ID, "abc"))) {
            SigilException e = assertThrows(SigilException.class,
                    () -> backend.sign(ref, SignatureAlgorithm.RSA_PKCS1_SHA256, digest), ref.toString());
            assertEquals(ErrorCode.KEY_NOT_FOUND, e.code(), ref.toString());
            assertEquals(ErrorCode.KEY_NOT_FOUND,
                    assertThrows(SigilException.class, () -> backend.key(ref)).code());
        }
    }

    @Test
    void keyDeletedOnTheTokenIsKeyNotFoundAndTheBackendStaysUp() throws Exception {
        KeyInfo doomed = backend.generateKey(KeySpec.parse("ec-p256"), "doomed");
        byte[] digest = new byte[32];
        backend.sign(doomed.ref(), SignatureAlgorithm.ECDSA_SHA256, digest); // handle now cached

        SoftHsm.pkcs11ToolDeletePrivateKey(label, doomed.ref().keyId());

        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(doomed.ref(), SignatureAlgorithm.ECDSA_SHA256, digest));
        assertEquals(ErrorCode.KEY_NOT_FOUND, e.code());
        assertTrue(backend.health().up(), backend.health().detail());
        byte[] message = "still signing".getBytes(StandardCharsets.UTF_8);
        KeyInfo p256 = KEYS.get("pkcs11-tool EC:prime256v1");
        assertTrue(SoftHsm.verify(SignatureAlgorithm.ECDSA_SHA256, p256.publicKey(), message,
                backend.sign(p256.ref(), SignatureAlgorithm.ECDSA_SHA256,
                        SoftHsm.digest(SignatureAlgorithm.ECDSA_SHA256, message))));
    }

    @Test
    void loginLostElsewhereIsRepairedWithExactlyOneLogin() throws Exception {
        KeyInfo key = KEYS.get("generated ec-p384");
        byte[] digest = new byte[48];
        backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA384, digest);
        int before = backend.loginAttempts();

        // Login state belongs to the application, not the session: a logout on any session of this
        // process logs every session of the backend out, and the next signature sees CKR_USER_NOT_LOGGED_IN.
        Slot slot = slotOf(label);
        Session other = slot.getToken().openSession(false);
        try {
            other.logout();
        } finally {
            other.closeSession();
        }

        backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA384, digest);
        backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA384, digest);

        assertEquals(before + 1, backend.loginAttempts());
        assertTrue(backend.health().up());
    }

    private static Slot slotOf(String tokenLabel) throws Exception {
        for (Slot slot : backend.sharedModule().module().getSlotList(true)) {
            if (slot.getToken().getTokenInfo().getLabel().strip().equals(tokenLabel)) {
                return slot;
            }
        }
        throw new AssertionError("no slot holds token " + tokenLabel);
    }

    private static void assertSamePublicKey(byte[] spki, String algorithm, PublicKey actual) throws Exception {
        PublicKey expected = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        assertArrayEquals(expected.getEncoded(), actual.getEncoded());
    }

}
