package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two backend instances on two tokens of one SoftHSM2 library, side by side. */
class Pkcs11BackendTwoTokensTest {
    static String labelA;
    static String labelB;
    static long slotB;

    @BeforeAll
    static void twoTokens() throws Exception {
        SoftHsm.ready();
        // Both tokens exist before the library is initialised: SoftHSM2 lists tokens at C_Initialize.
        labelA = SoftHsm.uniqueLabel("a");
        labelB = SoftHsm.uniqueLabel("b");
        SoftHsm.initToken(labelA);
        slotB = SoftHsm.initToken(labelB);
    }

    @Test
    void twoBackendsShareOneInitialisedLibraryAndKeepTheirKeysApart() throws Exception {
        Pkcs11Backend a = SoftHsm.open(SoftHsm.config("hsm-a", labelA));
        Map<String, Object> byslot = SoftHsm.config("hsm-b", labelB);
        byslot.remove("token.label");
        byslot.put("slot.id", Long.toString(slotB));
        Pkcs11Backend b = SoftHsm.open(byslot);
        try {
            assertSame(a.sharedModule(), b.sharedModule(), "one C_Initialize per library");
            assertEquals(2, a.sharedModule().users());

            KeyInfo keyA = a.generateKey(KeySpec.parse("rsa-2048"), "key on a");
            KeyInfo keyB = b.generateKey(KeySpec.parse("ec-p256"), "key on b");
            assertTrue(a.keys().stream().noneMatch(k -> k.ref().keyId().equals(keyB.ref().keyId())));
            assertTrue(b.keys().stream().noneMatch(k -> k.ref().keyId().equals(keyA.ref().keyId())));
            assertEquals(ErrorCode.KEY_NOT_FOUND, assertThrows(SigilException.class,
                    () -> b.key(new KeyRef("hsm-b", keyA.ref().keyId()))).code());

            CompletableFuture<Boolean> onA = CompletableFuture.supplyAsync(() -> signs(a, keyA,
                    SignatureAlgorithm.RSA_PKCS1_SHA256));
            CompletableFuture<Boolean> onB = CompletableFuture.supplyAsync(() -> signs(b, keyB,
                    SignatureAlgorithm.ECDSA_SHA256));
            assertTrue(onA.get());
            assertTrue(onB.get());

            a.close();
            assertEquals(1, b.sharedModule().users());
            assertTrue(signs(b, keyB, SignatureAlgorithm.ECDSA_SHA384), "b signs after a closed the shared library");
            assertFalse(a.health().up());
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(SigilException.class,
                    () -> a.sign(keyA.ref(), SignatureAlgorithm.RSA_PKCS1_SHA256, new byte[32])).code());
        } finally {
            a.close();
            b.close();
        }
        assertEquals(0, b.sharedModule().users(), "the last backend finalised the library");
    }

    private static boolean signs(Pkcs11Backend backend, KeyInfo key, SignatureAlgorithm algorithm) {
        try {
            for (int i = 0; i < 50; i++) {
                byte[] message = (backend.id() + " " + i).getBytes(StandardCharsets.UTF_8);
                byte[] signature = backend.sign(key.ref(), algorithm, SoftHsm.digest(algorithm, message));
                if (!SoftHsm.verify(algorithm, key.publicKey(), message, signature)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
