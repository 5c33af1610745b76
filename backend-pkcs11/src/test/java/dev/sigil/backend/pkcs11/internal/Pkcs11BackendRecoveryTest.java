package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.Slot;

/**
 * The token taken away under a running backend: errors mapped, health DOWN, recovery once it is
 * back. Each test's backend is the library's only user, so the reconnect path may re-initialise
 * SoftHSM2 to see a re-created token.
 */
class Pkcs11BackendRecoveryTest {
    String label;

    @BeforeEach
    void token() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("gone");
        SoftHsm.initToken(label);
    }

    @Test
    void deletedTokenMakesTheBackendDownAndARecreatedOneBringsItBack() throws Exception {
        try (Pkcs11Backend backend = SoftHsm.open(SoftHsm.config("hsm", label))) {
            assertEquals(1, backend.sharedModule().users(), "this test needs to be the library's only user");
            KeyInfo old = backend.generateKey(KeySpec.parse("ec-p256"), "before");
            byte[] digest = new byte[32];
            backend.sign(old.ref(), SignatureAlgorithm.ECDSA_SHA256, digest);

            SoftHsm.deleteToken(label);

            SigilException lost = assertThrows(SigilException.class,
                    () -> backend.sign(old.ref(), SignatureAlgorithm.ECDSA_SHA256, digest));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, lost.code());
            assertEquals("backend hsm is reconnecting to its token; try again later", lost.getMessage());
            assertFalse(backend.health().up());
            assertTrue(backend.health().detail().startsWith("token '" + label + "' not present"),
                    backend.health().detail());
            assertTrue(backend.health().detail().endsWith("; reconnecting"), backend.health().detail());

            long started = System.nanoTime();
            SigilException during = assertThrows(SigilException.class,
                    () -> backend.sign(old.ref(), SignatureAlgorithm.ECDSA_SHA256, digest));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, during.code());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 100, "fails fast while down");
            Thread.sleep(1000); // a few reconnect attempts find no token
            assertFalse(backend.health().up());

            SoftHsm.initToken(label);

            assertTrue(SoftHsm.await(15_000, () -> backend.health().up()),
                    "back up once the token is there: " + backend.health().detail());
            KeyInfo fresh = backend.generateKey(KeySpec.parse("ec-p256"), "after");
            byte[] message = "after the token came back".getBytes(StandardCharsets.UTF_8);
            byte[] signature = backend.sign(fresh.ref(), SignatureAlgorithm.ECDSA_SHA256,
                    SoftHsm.digest(SignatureAlgorithm.ECDSA_SHA256, message));
            assertTrue(SoftHsm.verify(SignatureAlgorithm.ECDSA_SHA256, fresh.publicKey(), message, signature));
            assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class,
                    () -> backend.sign(old.ref(), SignatureAlgorithm.ECDSA_SHA256, digest)).code(),
                    "the old token's key went with it");
            // One login at start, at least one after reconnecting (more if an attempt met the token
            // half-initialised, before softhsm2-util set its user PIN: CKR_USER_PIN_NOT_INITIALIZED).
            assertTrue(backend.loginAttempts() >= 2, "logins: " + backend.loginAttempts());
        }
    }

    @Test
    void sessionsClosedUnderTheBackendAreRebuiltInTheBackground() throws Exception {
        try (Pkcs11Backend backend = SoftHsm.open(SoftHsm.config("hsm", label))) {
            KeyInfo key = backend.generateKey(KeySpec.parse("rsa-2048"), "survivor");
            byte[] digest = new byte[32];
            backend.sign(key.ref(), SignatureAlgorithm.RSA_PKCS1_SHA256, digest);

            // C_CloseAllSessions from elsewhere in the process: every session handle of the backend dies.
            Slot slot = null;
            for (Slot s : backend.sharedModule().module().getSlotList(true)) {
                if (s.getToken().getTokenInfo().getLabel().strip().equals(label)) {
                    slot = s;
                }
            }
            backend.sharedModule().module().getPKCS11Module().C_CloseAllSessions(slot.getSlotID());

            SigilException e = assertThrows(SigilException.class,
                    () -> backend.sign(key.ref(), SignatureAlgorithm.RSA_PKCS1_SHA256, digest));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());

            assertTrue(SoftHsm.await(10_000, () -> backend.health().up()), backend.health().detail());
            byte[] message = "same key, new sessions".getBytes(StandardCharsets.UTF_8);
            byte[] signature = backend.sign(key.ref(), SignatureAlgorithm.RSA_PKCS1_SHA256,
                    SoftHsm.digest(SignatureAlgorithm.RSA_PKCS1_SHA256, message));
            assertTrue(SoftHsm.verify(SignatureAlgorithm.RSA_PKCS1_SHA256, key.publicKey(), message, signature));
        }
    }
}
