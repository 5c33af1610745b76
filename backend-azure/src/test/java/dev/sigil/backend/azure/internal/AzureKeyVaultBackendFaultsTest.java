package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.backend.testkit.JdkVerifier;
import dev.sigil.backend.testkit.KeyVaultFake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the backend does when Key Vault throttles, refuses, fails or is slow, against the fake:
 * each answer reaches Sigil as the error table says, retried only within the deadline, with the
 * health an operator sees.
 */
class AzureKeyVaultBackendFaultsTest {
    static final byte[] MESSAGE = "faults".getBytes(StandardCharsets.UTF_8);
    static KeyVaultFake fake;
    static KeyRef ec;
    static KeyRef rsa;
    AzureKeyVaultBackend backend;

    @BeforeAll
    static void start() throws Exception {
        fake = KeyVaultFake.start();
        ec = new KeyRef("kv", "ec/" + fake.createKey("ec", "EC-HSM", 256));
        rsa = new KeyRef("kv", "rsa/" + fake.createKey("rsa", "RSA-HSM", 2048));
    }

    @AfterAll
    static void stop() {
        assertEquals(List.of(), fake.violations());
        fake.close();
    }

    @BeforeEach
    void open() throws Exception {
        fake.clearFaults();
        backend = Fixtures.open(fake, config());
        backend.key(ec); // the token and the key read, before the counts start
        backend.key(rsa);
        fake.resetRequests();
    }

    private static Map<String, Object> config() {
        Map<String, Object> c = Fixtures.fakeConfig(fake, "kv");
        c.put("call.timeout.ms", "5000");
        c.put("attempt.timeout.ms", "1000");
        c.put("max.retries", "3");
        return c;
    }

    @AfterEach
    void close() throws InterruptedException {
        fake.clearFaults();
        backend.close();
        // Calls the backend gave up on (a slow vault) still sleep in the fake: let them end.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (fake.signsInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private byte[] digest() throws Exception {
        return JdkVerifier.digest(SignatureAlgorithm.ECDSA_SHA256, MESSAGE);
    }

    private void assertSigned(byte[] signature) throws Exception {
        KeyInfo key = backend.key(ec);
        assertTrue(JdkVerifier.verify(SignatureAlgorithm.ECDSA_SHA256, key.publicKey(), MESSAGE, signature),
                "the signature verifies");
    }

    @Test
    void throttledTwiceThenSignedWithinTheDeadline() throws Exception {
        fake.throttleSigns(2, Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        byte[] signature = backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest(),
                CallContext.of("r-throttled", Duration.ofSeconds(10)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertSigned(signature);
        assertEquals(3, fake.count("sign"), "two 429s, then the signature");
        assertTrue(ms >= 2000, "each retry waited Key Vault's Retry-After (1 s): " + ms + " ms");
        BackendHealth health = backend.health();
        assertEquals(BackendHealth.State.DEGRADED, health.state(), health.detail());
        assertTrue(health.detail().contains("throttled"), health.detail());
    }

    @Test
    void throttlingBeyondTheDeadlineIsBusyWithRetryAfter() throws Exception {
        fake.throttleSigns(1000, Duration.ofSeconds(3));
        long t0 = System.nanoTime();
        SigilException e = assertThrows(SigilException.class, () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256,
                digest(), CallContext.of("r-busy", Duration.ofSeconds(2))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
        assertEquals(Duration.ofSeconds(3), e.retryAfter().orElseThrow(), "Key Vault's Retry-After reaches the client");
        assertEquals(1, fake.count("sign"), "a 3 s Retry-After does not fit a 2 s deadline: no retry");
        assertTrue(ms < 1500, "failed at once, not at the deadline: " + ms + " ms");
        assertEquals(BackendHealth.State.DEGRADED, backend.health().state());
    }

    @Test
    void refusedPermissionIsBackendUnavailableAndDownUntilASignatureSucceeds() throws Exception {
        fake.forbidSigns(1);
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("refused the backend's credential or its permissions"), e.getMessage());
        assertFalse(e.getMessage().contains("fake-") || e.getMessage().contains(KeyVaultFake.TEST_TOKEN), e.getMessage());
        assertEquals(1, fake.count("sign"), "a refusal is not retried");
        BackendHealth health = backend.health();
        assertEquals(BackendHealth.State.DOWN, health.state(), health.detail());
        assertTrue(health.detail().contains("ForbiddenByRbac") || health.detail().contains("not authorized"),
                health.detail());

        assertSigned(backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        health = backend.health();
        assertTrue(health.up(), "no longer DOWN once a signature succeeded: " + health.detail());
        assertEquals(BackendHealth.State.DEGRADED, health.state(), "the refusal is still in the last minute");
    }

    @Test
    void aWrongClientSecretIsBackendUnavailableAndDownAtTheFirstProbe() throws Exception {
        fake.acceptClientSecret(Fixtures.CLIENT_ID, "another-secret");
        try (AzureKeyVaultBackend fresh = new AzureKeyVaultBackend(settings(), new AzureClients(settings(), null,
                AzureClients.jdkHttp(settings(), fake.clientSslContext()), false))) {
            assertFalse(fresh.probe());
            BackendHealth health = fresh.health();
            assertEquals(BackendHealth.State.DOWN, health.state(), health.detail());
            assertTrue(health.detail().contains("refused the credential client secret of " + Fixtures.CLIENT_ID),
                    health.detail());
            assertFalse(health.detail().contains(Fixtures.SECRET), health.detail());
            SigilException e = assertThrows(SigilException.class,
                    () -> fresh.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
            assertFalse(e.getMessage().contains(Fixtures.SECRET), e.getMessage());
        } finally {
            fake.acceptClientSecret(Fixtures.CLIENT_ID, Fixtures.SECRET);
        }
    }

    @Test
    void aDownBackendProbesAgainAndComesBackUpWithoutASignature() throws Exception {
        fake.acceptClientSecret(Fixtures.CLIENT_ID, "another-secret");
        try (AzureKeyVaultBackend fresh = new AzureKeyVaultBackend(settings(), new AzureClients(settings(), null,
                AzureClients.jdkHttp(settings(), fake.clientSslContext()), false))) {
            fresh.startProbing(Duration.ofMillis(200));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (fresh.health().state() != BackendHealth.State.DOWN && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(BackendHealth.State.DOWN, fresh.health().state(), "DOWN after the first probe");
            fake.acceptClientSecret(Fixtures.CLIENT_ID, Fixtures.SECRET); // the operator fixed the app registration
            while (fresh.health().state() == BackendHealth.State.DOWN && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(fresh.health().up(), fresh.health().detail());
        } finally {
            fake.acceptClientSecret(Fixtures.CLIENT_ID, Fixtures.SECRET);
        }
    }

    @Test
    void anIdentityThatMayNotListIsNotDownAndSigns() throws Exception {
        fake.forbidListing(true);
        try (AzureKeyVaultBackend fresh = Fixtures.open(fake, config())) {
            assertFalse(fresh.probe(), "the listing was refused");
            assertEquals(BackendHealth.State.UP, fresh.health().state(), "signing does not need list: "
                    + fresh.health().detail());
            SigilException e = assertThrows(SigilException.class, fresh::keys);
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), "the admin path says what is refused");
            assertSigned(fresh.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        }
    }

    @Test
    void entraIdFailingOrThrottlingIsRetriedNotTakenForARefusedCredential() throws Exception {
        for (int status : new int[] {503, 429}) {
            fake.failTokens(2, status); // azure-identity's own retry, then ours
            try (AzureKeyVaultBackend fresh = Fixtures.open(fake, config())) {
                assertSigned(fresh.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest(),
                        CallContext.of("r-entra", Duration.ofSeconds(10))));
                assertTrue(fresh.health().up(), status + ": " + fresh.health().detail());
            }
        }
    }

    private static AzureKeyVaultSettings settings() throws SigilException {
        return AzureKeyVaultSettings.from(Fixtures.config(config()), Fixtures::env);
    }

    @Test
    void serverErrorsAreRetriedThenUnavailable() throws Exception {
        fake.failSigns(2);
        assertSigned(backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(3, fake.count("sign"));

        fake.failSigns(1000);
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(fake.count("sign") <= 3 + 4, "at most max.retries + 1 attempts: " + fake.count("sign"));
        assertEquals(BackendHealth.State.DOWN, backend.health().state(), "several failures in a row: "
                + backend.health().detail());
    }

    @Test
    void aSignatureOfTheWrongLengthIsNeverReturned() throws Exception {
        fake.truncateSignatures(1);
        assertSigned(backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(2, fake.count("sign"), "the short answer was retried");

        fake.truncateSignatures(1000);
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(rsa, SignatureAlgorithm.RSA_PKCS1_SHA256, digest()));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        assertEquals(BackendHealth.State.DOWN, backend.health().state(), backend.health().detail());
        assertTrue(backend.health().detail().contains("unavailable or did not answer"), backend.health().detail());
    }

    @Test
    void aReadAnsweredWithAnotherKeyIsRefusedAndThatKeyNeverSigns() throws Exception {
        String mallory = fake.createKey("mallory", "EC-HSM", 256);
        String alice = fake.createKey("alice", "EC-HSM", 256);
        fake.answerReadsOf("alice", "mallory");
        fake.resetRequests();
        SigilException e = assertThrows(SigilException.class, () -> backend.sign(new KeyRef("kv", "alice/" + alice),
                SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code(), e.getMessage());
        assertEquals(0, fake.count("sign"), "nothing was signed, with either key");
        SigilException again = assertThrows(SigilException.class, () -> backend.key(new KeyRef("kv", "alice")));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, again.code(), "a bare name is checked too");
        assertThrows(SigilException.class, () -> backend.key(new KeyRef("kv", "mallory/" + alice)));
        assertEquals(mallory, fake.currentVersion("mallory"));
    }

    @Test
    void aSlowVaultFailsByTheDeadlineNotLater() throws Exception {
        fake.signLatency(Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        SigilException e = assertThrows(SigilException.class, () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256,
                digest(), CallContext.of("r-slow", Duration.ofMillis(1200))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.code() == ErrorCode.BACKEND_UNAVAILABLE || e.code() == ErrorCode.BUSY, e.code() + " " + e.getMessage());
        assertTrue(ms < 2500, "bounded by the 1.2 s deadline: " + ms + " ms");
    }

    @Test
    void aKeyDisabledInTheVaultIsKeyDisabledAndSignsAgainOnceEnabled() throws Exception {
        backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()); // the key is cached as enabled
        fake.setEnabled("ec", null, false);
        try {
            SigilException e = assertThrows(SigilException.class,
                    () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
            assertEquals(ErrorCode.KEY_DISABLED, e.code(), e.getMessage());
            assertEquals(BackendHealth.State.UP, backend.health().state(), "a disabled key is not a sick vault");
            e = assertThrows(SigilException.class, () -> backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
            assertEquals(ErrorCode.KEY_DISABLED, e.code(), "read again: now known as disabled");
        } finally {
            fake.setEnabled("ec", null, true);
        }
        // A key read as disabled is read again 10 s later, or by the next listing (the admin path).
        assertEquals(dev.sigil.api.backend.KeyState.ENABLED, backend.keys().stream().filter(k -> k.ref().equals(ec))
                .findFirst().orElseThrow().state());
        assertSigned(backend.sign(ec, SignatureAlgorithm.ECDSA_SHA256, digest()));
    }

    @Test
    void aDeletedKeyIsKeyNotFound() throws Exception {
        String version = fake.createKey("short-lived", "EC", 256);
        KeyRef ref = new KeyRef("kv", "short-lived/" + version);
        backend.key(ref);
        fake.deleteKey("short-lived");
        SigilException e = assertThrows(SigilException.class,
                () -> backend.sign(ref, SignatureAlgorithm.ECDSA_SHA256, digest()));
        assertEquals(ErrorCode.KEY_NOT_FOUND, e.code(), e.getMessage());
    }

    @Test
    void aNameHeldByASoftDeletedKeyGetsASuffixAndAnExistingNameIsNeverGivenANewVersion() throws Exception {
        fake.createKey("taken", "EC-HSM", 256);
        String takenVersion = fake.currentVersion("taken");
        fake.createKey("gone", "EC-HSM", 256);
        fake.deleteKey("gone");
        KeyInfo a = backend.generateKey(dev.sigil.api.backend.KeySpec.ec(dev.sigil.api.EcCurve.P256), "taken");
        KeyInfo b = backend.generateKey(dev.sigil.api.backend.KeySpec.ec(dev.sigil.api.EcCurve.P256), "gone");
        assertTrue(a.ref().keyId().matches("taken-[0-9a-f]{8}/[0-9a-f]{32}"), a.ref().keyId());
        assertTrue(b.ref().keyId().matches("gone-[0-9a-f]{8}/[0-9a-f]{32}"), b.ref().keyId());
        assertEquals(takenVersion, fake.currentVersion("taken"), "the existing key got no new version");
        assertSigned(b, backend.sign(b.ref(), SignatureAlgorithm.ECDSA_SHA256, digest()));
    }

    @Test
    void aPinnedVersionIsTheOnlyVersionOfItsKeyThatIsServed() throws Exception {
        String v1 = fake.createKey("pinned", "EC-HSM", 256);
        String v2 = fake.createKey("pinned", "EC-HSM", 256);
        Map<String, Object> c = config();
        c.put("keys", new String[] {"pinned/" + v1});
        try (AzureKeyVaultBackend pinned = Fixtures.open(fake, c)) {
            assertSigned(pinned.key(new KeyRef("kv", "pinned/" + v1)),
                    pinned.sign(new KeyRef("kv", "pinned/" + v1), SignatureAlgorithm.ECDSA_SHA256, digest()));
            SigilException e = assertThrows(SigilException.class, () -> pinned.sign(new KeyRef("kv", "pinned/" + v2),
                    SignatureAlgorithm.ECDSA_SHA256, digest()));
            assertEquals(ErrorCode.KEY_NOT_FOUND, e.code(), e.getMessage());
        }
    }

    private void assertSigned(KeyInfo key, byte[] signature) throws Exception {
        assertTrue(JdkVerifier.verify(SignatureAlgorithm.ECDSA_SHA256, key.publicKey(), MESSAGE, signature),
                "the signature verifies");
    }

    @Test
    void aBatchRunsAtMostMaxParallelSignaturesAtOnce() throws Exception {
        fake.signLatency(Duration.ofMillis(150));
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            digests.add(JdkVerifier.digest(SignatureAlgorithm.RSA_PKCS1_SHA256, ("doc " + i).getBytes(StandardCharsets.UTF_8)));
        }
        List<byte[]> signatures = backend.sign(rsa, SignatureAlgorithm.RSA_PKCS1_SHA256, digests,
                CallContext.of("r-batch", Duration.ofSeconds(10)));
        assertEquals(16, signatures.size());
        KeyInfo key = backend.key(rsa);
        for (int i = 0; i < 16; i++) {
            assertTrue(JdkVerifier.verify(SignatureAlgorithm.RSA_PKCS1_SHA256, key.publicKey(),
                    ("doc " + i).getBytes(StandardCharsets.UTF_8), signatures.get(i)), "signature " + i);
        }
        assertEquals(16, fake.count("sign"));
        int inFlight = fake.maxSignsInFlight();
        assertTrue(inFlight > 1 && inFlight <= AzureKeyVaultSettings.DEFAULT_MAX_PARALLEL,
                "in parallel, at most max.parallel.signatures (" + AzureKeyVaultSettings.DEFAULT_MAX_PARALLEL + "): " + inFlight);
    }
}
