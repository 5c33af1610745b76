package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A refused PIN is never retried: one login attempt, one clear failure, no retry storm. */
class Pkcs11BackendPinTest {
    static String label;
    static KeyRef existing;

    @BeforeAll
    static void tokenWithAKey() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("pin");
        SoftHsm.initToken(label);
        try (Pkcs11Backend good = SoftHsm.open(SoftHsm.config("pin", label))) {
            existing = good.generateKey(KeySpec.parse("ec-p256"), "pin test").ref();
        }
    }

    @Test
    void wrongPinFailsOnceClearlyAndNeverLogsInAgain() throws Exception {
        Map<String, Object> props = SoftHsm.config("pin", label);
        Path wrong = SoftHsm.pinFile("0000-wrong");
        props.put("user.pin.file", wrong.toString());

        try (Pkcs11Backend backend = SoftHsm.open(props)) {
            BackendHealth health = backend.health();
            assertFalse(health.up());
            assertEquals("token '" + label + "' refused the user PIN (user.pin.file=" + wrong
                    + "); no further login attempts until the configuration changes", health.detail());

            for (int i = 0; i < 5; i++) {
                SigilException e = assertThrows(SigilException.class,
                        () -> backend.sign(existing, SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
                assertEquals(ErrorCode.CONFIGURATION, e.code());
                assertEquals("backend-pkcs11 'pin': the token refused the configured user PIN; no further "
                        + "login attempts until the configuration changes", e.getMessage());
                assertFalse(e.getMessage().contains("CKR"), "no vendor code for clients");
            }
            assertEquals(ErrorCode.CONFIGURATION, assertThrows(SigilException.class, backend::keys).code());
            assertEquals(ErrorCode.CONFIGURATION, assertThrows(SigilException.class,
                    () -> backend.generateKey(KeySpec.parse("ec-p256"), "x")).code());
            Thread.sleep(2 * Pkcs11Backend.FIRST_BACKOFF_MS + 100); // no background retry either

            assertEquals(1, backend.loginAttempts());
            assertFalse(backend.health().up());
        }
    }

    @Test
    void rightPinStillWorksAfterTheRefusal() throws Exception {
        Map<String, Object> props = SoftHsm.config("pin", label);
        props.put("user.pin.file", SoftHsm.pinFile("9999-wrong").toString());
        try (Pkcs11Backend refused = SoftHsm.open(props)) {
            assertEquals(1, refused.loginAttempts());
        }

        try (Pkcs11Backend backend = SoftHsm.open(SoftHsm.config("pin", label))) {
            assertTrue(backend.health().up(), backend.health().detail());
            KeyInfo key = backend.key(existing);
            byte[] message = "after a wrong PIN".getBytes();
            assertTrue(SoftHsm.verify(SignatureAlgorithm.ECDSA_SHA256, key.publicKey(), message,
                    backend.sign(existing, SignatureAlgorithm.ECDSA_SHA256,
                            SoftHsm.digest(SignatureAlgorithm.ECDSA_SHA256, message))));
            assertEquals(1, backend.loginAttempts());
        }
    }
}
