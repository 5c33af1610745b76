package dev.sigil.backend.keystore.internal;

import static dev.sigil.backend.keystore.internal.Fixtures.PASSWORD;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.backend.testkit.SigningBackendContractTest;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract on a PKCS#12 file with RSA-2048 and EC P-256/P-384/P-521 keys, signing with
 * the bundle's BouncyCastle. A keystore has no disabled keys (the contract then checks that every
 * key is enabled) and generates keys.
 */
class KeystoreBackendContractTest extends SigningBackendContractTest {
    @TempDir
    static Path dir;
    private Path keystore;
    private KeystoreBackend backend;

    @BeforeAll
    void openKeystore() throws Exception {
        keystore = Fixtures.sharedPki().write(dir.resolve("keys.p12"), "PKCS12", PASSWORD);
        backend = Fixtures.open(keystore);
    }

    @AfterAll
    void closeKeystore() {
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
        KeystoreBackend closed = Fixtures.open(keystore);
        closed.close();
        return closed;
    }

    @Override
    protected boolean generatesKeys() {
        return true;
    }

    /** Beyond the contract (which asks it of batches only): a keystore refuses a late single call too. */
    @Test
    void signatureAfterItsDeadlineIsBusy() throws Exception {
        CallContext late = new CallContext("late", Instant.now().minusMillis(1));
        assertRefused(ErrorCode.BUSY, "a signature whose deadline has passed", () -> backend.sign(
                new KeyRef(Fixtures.BACKEND_ID, "ec-p256"), SignatureAlgorithm.ECDSA_SHA256, new byte[32], late));
    }
}
