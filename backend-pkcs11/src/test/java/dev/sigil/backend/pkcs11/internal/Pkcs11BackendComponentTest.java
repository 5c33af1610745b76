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
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The DS component as Service Component Runtime drives it: activate, use, deactivate. */
class Pkcs11BackendComponentTest {

    @Test
    void activatedComponentSignsAndDeactivationStopsIt() throws Exception {
        SoftHsm.ready();
        String label = SoftHsm.uniqueLabel("ds");
        SoftHsm.initToken(label);
        Map<String, Object> props = SoftHsm.config("hsm", label);
        props.put("vendor.profile", "softhsm");
        Pkcs11BackendComponent component = new Pkcs11BackendComponent();

        component.activate(SoftHsm.config(props));
        try {
            assertEquals("hsm", component.id());
            assertTrue(component.health().up());
            KeyInfo key = component.generateKey(KeySpec.parse("rsa-2048"), "through DS");
            byte[] message = "via the component".getBytes(StandardCharsets.UTF_8);
            byte[] signature = component.sign(key.ref(), SignatureAlgorithm.RSA_PKCS1_SHA512,
                    SoftHsm.digest(SignatureAlgorithm.RSA_PKCS1_SHA512, message));
            assertTrue(SoftHsm.verify(SignatureAlgorithm.RSA_PKCS1_SHA512, key.publicKey(), message, signature));
            assertEquals(1, component.keys().size());
        } finally {
            component.deactivate();
        }

        assertFalse(component.health().up());
        assertEquals("backend hsm is stopped", component.health().detail());
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(SigilException.class, component::keys).code());
    }

    @Test
    void unreachableTokenStillActivatesDownAndSaysWhy() throws Exception {
        SoftHsm.ready();
        Map<String, Object> props = SoftHsm.config("hsm", "no-such-token");
        Pkcs11BackendComponent component = new Pkcs11BackendComponent();

        component.activate(SoftHsm.config(props));
        try {
            assertFalse(component.health().up());
            assertTrue(component.health().detail().startsWith("token 'no-such-token' not present"),
                    component.health().detail());
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, assertThrows(SigilException.class,
                    () -> component.sign(new dev.sigil.api.KeyRef("hsm", "01"), SignatureAlgorithm.ECDSA_SHA256,
                            new byte[32])).code());
        } finally {
            component.deactivate();
        }
    }
}
