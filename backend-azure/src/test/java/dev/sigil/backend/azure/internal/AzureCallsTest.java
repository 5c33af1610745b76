package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.SigilException;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.backend.kit.CallHealth;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * A call the backend cancels itself — the other signature of a batch failed, and the kit's parallel
 * signer interrupted this one, which the SDK's JDK client reports as an InterruptedException inside
 * a RuntimeException — is not Key Vault's failure: it is neither retried nor counted against the
 * health (it was "unexpected answer from the key service", and the backend DEGRADED).
 */
class AzureCallsTest {
    @Test
    void aCallInterruptedByTheBackendIsNeitherRetriedNorAFailureOfKeyVault() throws Exception {
        CallHealth health = new CallHealth();
        AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(Fixtures.config(
                Fixtures.clientSecretConfig("kv", "https://sigil-test.vault.azure.net/")), Fixtures::env);
        AzureCalls calls = new AzureCalls(settings, "Azure Key Vault (test)", health, () -> false);
        AtomicInteger attempts = new AtomicInteger();
        SigilException e = assertThrows(SigilException.class, () -> calls.call("sign", "key alice",
                CallContext.of("r-1", Duration.ofSeconds(5)), AzureCalls.Repeat.SAFE, ctx -> {
                    attempts.incrementAndGet();
                    throw new RuntimeException(new InterruptedException());
                }));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (and cleared here)");
        assertTrue(e instanceof AzureCalls.Cancelled, e.getClass() + ": " + e.getMessage());
        assertEquals(1, attempts.get(), "not retried");
        BackendHealth h = health.health();
        assertEquals(BackendHealth.State.UP, h.state(), h.detail());
        assertFalse(e.getMessage().contains("unexpected"), e.getMessage());
    }
}
