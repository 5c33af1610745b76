package dev.sigil.backend.pkcs11.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.testkit.SigningBackendContractTest;

import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract on a real SoftHSM2 token: an RSA-2048 and an EC P-256 key made by
 * pkcs11-tool before the backend starts, EC P-384 and P-521 keys the backend generates, and a
 * disabled key (an EC key whose {@code CKA_SIGN} the test sets to false).
 */
class Pkcs11BackendContractTest extends SigningBackendContractTest {
    static final String BACKEND_ID = "hsm";
    static final String DISABLED_ID = "0d15";

    private String label;
    private Pkcs11Backend backend;

    @BeforeAll
    void tokenWithKeys() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("contract");
        SoftHsm.initToken(label);
        SoftHsm.pkcs11ToolKeyPair(label, "rsa:2048", "0c01", "tool-rsa");
        SoftHsm.pkcs11ToolKeyPair(label, "EC:prime256v1", "0c02", "tool-ec");
        SoftHsm.pkcs11ToolKeyPair(label, "EC:prime256v1", DISABLED_ID, "disabled");
        backend = SoftHsm.open(SoftHsm.config(BACKEND_ID, label));
        backend.generateKey(KeySpec.parse("ec-p384"), "contract p384");
        backend.generateKey(KeySpec.parse("ec-p521"), "contract p521");
        SoftHsm.setCkaSign(backend, label, DISABLED_ID, false);
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected SigningBackend backend() {
        return backend;
    }

    @Override
    protected SigningBackend closedBackend() throws Exception {
        Pkcs11Backend closed = SoftHsm.open(SoftHsm.config(BACKEND_ID, label));
        closed.close();
        return closed;
    }

    @Override
    protected boolean generatesKeys() {
        return true;
    }

    @Override
    protected Optional<KeyRef> disabledKey() {
        return Optional.of(new KeyRef(BACKEND_ID, DISABLED_ID));
    }

    /** Hex, as key ids on a token are, but no CKA_ID of this token. */
    @Override
    protected String unknownKeyId() {
        return "c0ffee00c0ffee00";
    }
}
