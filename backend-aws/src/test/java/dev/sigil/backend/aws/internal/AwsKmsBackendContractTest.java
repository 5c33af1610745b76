package dev.sigil.backend.aws.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.backend.KeyState;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.testkit.LocalKms;
import dev.sigil.backend.testkit.SigningBackendContractTest;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;

/**
 * The backend contract on local-kms: RSA-2048 and EC P-256/P-384/P-521 keys under an alias prefix
 * (together they can do every algorithm the backend advertises), a P-256 key that is disabled with
 * DisableKey after the backend discovered it, and key generation (CreateKey + CreateAlias).
 */
class AwsKmsBackendContractTest extends SigningBackendContractTest {
    static final String BACKEND_ID = "kms";

    private LocalKms localKms;
    private KmsClient admin;
    private Map<String, Object> config;
    private AwsKmsBackend backend;
    private String disabled;

    @BeforeAll
    void keysInKms() throws Exception {
        localKms = LocalKms.start();
        admin = localKms.client();
        String prefix = Fixtures.uniquePrefix();
        Fixtures.createKey(admin, KeySpec.RSA_2048, prefix + "rsa");
        Fixtures.createKey(admin, KeySpec.ECC_NIST_P256, prefix + "p256");
        Fixtures.createKey(admin, KeySpec.ECC_NIST_P384, prefix + "p384");
        Fixtures.createKey(admin, KeySpec.ECC_NIST_P521, prefix + "p521");
        disabled = Fixtures.createKey(admin, KeySpec.ECC_NIST_P256, prefix + "disabled");
        config = Fixtures.config(BACKEND_ID, localKms.endpoint(), prefix);
        backend = Fixtures.open(config);
        // Discovered while enabled; a key first seen disabled is not served (its public key cannot be read).
        admin.disableKey(r -> r.keyId(disabled));
        if (backend.key(new KeyRef(BACKEND_ID, disabled)).state() == KeyState.ENABLED) {
            backend.keys(); // reads the new state
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (localKms != null) {
            localKms.close();
        }
    }

    @Override
    protected SigningBackend backend() {
        return backend;
    }

    @Override
    protected SigningBackend closedBackend() throws Exception {
        AwsKmsBackend closed = Fixtures.open(config);
        closed.close();
        return closed;
    }

    @Override
    protected boolean generatesKeys() {
        return true;
    }

    @Override
    protected Optional<KeyRef> disabledKey() {
        return Optional.of(new KeyRef(BACKEND_ID, disabled));
    }

    /** A KMS key id (a UUID) that no key has. */
    @Override
    protected String unknownKeyId() {
        return UUID.randomUUID().toString();
    }
}
