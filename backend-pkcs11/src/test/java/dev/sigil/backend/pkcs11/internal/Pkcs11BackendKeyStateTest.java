package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.KeyState;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A key's {@code CKA_SIGN} changed on the token while the backend runs: disabling takes effect on
 * the next signature even with the key handle cached, enabling on the next signature without a
 * new listing.
 */
class Pkcs11BackendKeyStateTest {
    static final String BACKEND_ID = "state";
    static final SignatureAlgorithm ALGORITHM = SignatureAlgorithm.ECDSA_SHA256;

    static String label;
    static Pkcs11Backend backend;

    @BeforeAll
    static void token() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("state");
        SoftHsm.initToken(label);
        backend = SoftHsm.open(SoftHsm.config(BACKEND_ID, label));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void keyDisabledOnTheTokenAfterItsHandleWasCachedIsRefusedWithKeyDisabled() throws Exception {
        KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "disabled later");
        assertSigns(key);

        SoftHsm.setCkaSign(backend, label, key.ref().keyId(), false);

        // The cached key still says ENABLED: the token refuses (CKR_KEY_FUNCTION_NOT_PERMITTED).
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(key.ref(), ALGORITHM, new byte[32]));
        assertEquals(ErrorCode.KEY_DISABLED, e.code());
        assertTrue(backend.health().up(), "a disabled key does not make the backend unhealthy");
        assertEquals(KeyState.DISABLED, listed(key.ref()).state());
        SigilException again = assertThrows(SigilException.class,
                () -> backend.sign(key.ref(), ALGORITHM, new byte[32]));
        assertEquals(ErrorCode.KEY_DISABLED, again.code());
        assertEquals("key state/" + key.ref().keyId() + " is disabled", again.getMessage());
    }

    @Test
    void keyEnabledOnTheTokenSignsAtOnceWithoutANewListing() throws Exception {
        KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "enabled later");
        SoftHsm.setCkaSign(backend, label, key.ref().keyId(), false);
        assertEquals(KeyState.DISABLED, listed(key.ref()).state());
        assertEquals(ErrorCode.KEY_DISABLED, assertThrows(SigilException.class,
                () -> backend.sign(key.ref(), ALGORITHM, new byte[32])).code());

        SoftHsm.setCkaSign(backend, label, key.ref().keyId(), true);

        assertSigns(key);
        assertEquals(KeyState.ENABLED, backend.key(key.ref()).state());
    }

    private static KeyInfo listed(KeyRef ref) throws Exception {
        return backend.keys().stream().filter(k -> k.ref().equals(ref)).findFirst().orElseThrow();
    }

    private static void assertSigns(KeyInfo key) throws Exception {
        byte[] message = "state".getBytes(StandardCharsets.UTF_8);
        byte[] signature = backend.sign(key.ref(), ALGORITHM, SoftHsm.digest(ALGORITHM, message));
        assertTrue(SoftHsm.verify(ALGORITHM, key.publicKey(), message, signature));
    }
}
