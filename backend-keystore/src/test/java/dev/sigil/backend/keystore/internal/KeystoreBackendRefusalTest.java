package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.BACKEND_ID;
import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeySpec;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the backend refuses, and with which error code. */
class KeystoreBackendRefusalTest {
    @TempDir
    static Path dir;

    static Path keystore;
    static KeystoreBackend backend;

    static final KeyRef RSA = new KeyRef(BACKEND_ID, "rsa-2048");
    static final KeyRef EC = new KeyRef(BACKEND_ID, "ec-p256");

    @BeforeAll
    static void loadKeystore() throws Exception {
        keystore = Fixtures.sharedPki().write(dir.resolve("keys.p12"), "PKCS12", PASSWORD);
        backend = Fixtures.open(keystore);
    }

    @Test
    void digestOfTheWrongLengthIsInvalidDigest() {
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(RSA, SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[20]));
        assertEquals(ErrorCode.INVALID_DIGEST, e.code());
        assertEquals("RSA_PKCS1_SHA256 needs a 32-byte digest, not 20 bytes", e.getMessage());

        SigilException ec = assertThrows(SigilException.class,
                () -> backend.sign(EC, SignatureAlgorithm.ECDSA_SHA512, new byte[48]));
        assertEquals(ErrorCode.INVALID_DIGEST, ec.code());
    }

    @Test
    void ecAlgorithmOnAnRsaKeyIsUnsupportedAlgorithm() {
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(RSA, SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, e.code());
        assertEquals("ECDSA_SHA256 needs an EC key; key default/rsa-2048 is RSA", e.getMessage());
    }

    @Test
    void rsaAlgorithmOnAnEcKeyIsUnsupportedAlgorithm() {
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(EC, SignatureAlgorithm.RSA_PSS_SHA256, new byte[32]));
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, e.code());
    }

    @Test
    void unknownAliasIsKeyNotFound() {
        KeyRef missing = new KeyRef(BACKEND_ID, "no-such-key");
        SigilException sign = assertThrows(SigilException.class,
                () -> backend.sign(missing, SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
        assertEquals(ErrorCode.KEY_NOT_FOUND, sign.code());
        assertEquals("no key default/no-such-key in backend default", sign.getMessage());
        assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class, () -> backend.key(missing)).code());
    }

    @Test
    void trustedCertificateEntryIsNotAKey() {
        SigilException e = assertThrows(SigilException.class, () -> backend.key(new KeyRef(BACKEND_ID, "trusted-ca")));
        assertEquals(ErrorCode.KEY_NOT_FOUND, e.code());
    }

    @Test
    void keyReferenceOfAnotherBackendIsKeyNotFound() {
        KeyRef elsewhere = new KeyRef("other", "ec-p256");
        assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class, () -> backend.key(elsewhere)).code());
        assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class,
                () -> backend.sign(elsewhere, SignatureAlgorithm.ECDSA_SHA256, new byte[32])).code());
    }

    @Test
    void closedBackendIsDownAndRefusesWithBackendUnavailable() throws Exception {
        KeystoreBackend closing = Fixtures.open(keystore);
        closing.close();

        assertFalse(closing.health().up());
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(SigilException.class,
                () -> closing.sign(EC, SignatureAlgorithm.ECDSA_SHA256, new byte[32])).code());
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(SigilException.class,
                () -> closing.generateKey(KeySpec.parse("ec-p256"), "late")).code());
    }
}
