package dev.sigil.backend.azure.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.testkit.KeyVaultFake;
import dev.sigil.backend.testkit.SigningBackendContractTest;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract on the Key Vault fake, through the real SDK and a client-secret credential:
 * RSA-2048 and EC P-256/P-384/P-521 keys (HSM and software), together every algorithm the backend
 * advertises; a P-256 key whose only version is disabled; key generation (create, then listed).
 */
class AzureKeyVaultBackendContractTest extends SigningBackendContractTest {
    static final String BACKEND_ID = "kv";

    private KeyVaultFake fake;
    private Map<String, Object> config;
    private AzureKeyVaultBackend backend;
    private String disabledVersion;

    @BeforeAll
    void keysInKeyVault() throws Exception {
        fake = KeyVaultFake.start();
        fake.createKey("rsa", "RSA-HSM", 2048);
        fake.createKey("p256", "EC-HSM", 256);
        fake.createKey("p384", "EC", 384);
        fake.createKey("p521", "EC-HSM", 521);
        disabledVersion = fake.createKey("disabled", "EC-HSM", 256);
        fake.setEnabled("disabled", null, false);
        config = Fixtures.fakeConfig(fake, BACKEND_ID);
        backend = Fixtures.open(fake, config);
    }

    @AfterAll
    void stop() {
        if (backend != null) {
            backend.close();
        }
        if (fake != null) {
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), fake.violations(),
                    "requests outside the documented Key Vault API");
            fake.close();
        }
    }

    @Override
    protected SigningBackend backend() {
        return backend;
    }

    @Override
    protected SigningBackend closedBackend() throws Exception {
        AzureKeyVaultBackend closed = Fixtures.open(fake, config);
        closed.close();
        return closed;
    }

    @Override
    protected boolean generatesKeys() {
        return true;
    }

    @Override
    protected Optional<KeyRef> disabledKey() {
        return Optional.of(new KeyRef(BACKEND_ID, "disabled/" + disabledVersion));
    }

    /** A key name no key has, with a well-formed version. */
    @Override
    protected String unknownKeyId() {
        return "no-such-key/0123456789abcdef0123456789abcdef";
    }
}
