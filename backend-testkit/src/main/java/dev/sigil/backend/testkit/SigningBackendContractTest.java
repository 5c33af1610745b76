package dev.sigil.backend.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.KeyState;
import dev.sigil.api.backend.SigningBackend;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link SigningBackend} shows, whatever holds its keys: each backend's tests
 * subclass this class and provide a fixture; the tests here then run against that backend.
 *
 * <pre>{@code
 * class MyBackendContractTest extends SigningBackendContractTest {
 *     private MyBackend backend;
 *
 *     @BeforeAll
 *     void open() throws Exception {                  // an instance method: one instance per class
 *         backend = MyBackend.open(...);              // with an RSA and an EC key at least
 *     }
 *
 *     @AfterAll
 *     void close() {
 *         backend.close();
 *     }
 *
 *     @Override protected SigningBackend backend() { return backend; }
 *     @Override protected SigningBackend closedBackend() throws Exception {
 *         MyBackend b = MyBackend.open(...);          // the same id, then closed
 *         b.close();
 *         return b;
 *     }
 *     @Override protected boolean generatesKeys() { return true; }
 *     // optional: keyFor(algorithm), disabledKey(), unknownKeyId()
 * }
 * }</pre>
 *
 * <p>The class uses {@link TestInstance.Lifecycle#PER_CLASS one test instance per class}, so a
 * subclass may set its fixture up once in non-static {@code @BeforeAll} methods. The tests must
 * leave the backend usable for each other; the only ones that change it are the key generation
 * tests, which add keys.
 *
 * <p>Every test asserts something in every subclass; none is skipped. Where a backend lacks a
 * feature the test asserts the refusal instead (key generation: {@link ErrorCode#UNSUPPORTED_OPERATION};
 * no disabled keys: every key is {@link KeyState#ENABLED}; an algorithm not advertised: no key
 * offers it). Signatures are verified over the original message with the JDK's own providers
 * ({@link JdkVerifier}), never with the provider the backend signs with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SigningBackendContractTest {
    /** Signatures per thread in the concurrency test. */
    private static final int SIGNATURES_PER_THREAD = 25;
    private static final int THREADS = 8;
    private static final int BATCH = 5;

    private final AtomicInteger requests = new AtomicInteger();

    // ---- the fixture ----

    /**
     * The open backend under test, with at least one enabled key. Called by every test; return the
     * same instance, set up once.
     */
    protected abstract SigningBackend backend() throws Exception;

    /**
     * A backend like {@link #backend()} (the same id and configuration) that was opened and then
     * closed (stopped, deactivated). Called once by the test of a closed backend.
     */
    protected abstract SigningBackend closedBackend() throws Exception;

    /** Whether the backend generates RSA-2048 and EC P-256 keys. */
    protected abstract boolean generatesKeys();

    /**
     * An enabled key that can sign with {@code algorithm}, or null if the backend has none. The
     * default takes the first such key from {@link SigningBackend#keys()}.
     */
    protected KeyInfo keyFor(SignatureAlgorithm algorithm) throws Exception {
        for (KeyInfo k : backend().keys()) {
            if (k.state() == KeyState.ENABLED && k.supports(algorithm)) {
                return k;
            }
        }
        return null;
    }

    /**
     * A key that exists in the backend but may not sign; empty (the default) for a backend that
     * has no such notion, whose keys are then all expected to be {@link KeyState#ENABLED}.
     */
    protected Optional<KeyRef> disabledKey() throws Exception {
        return Optional.empty();
    }

    /** A key id well-formed for this backend that it does not hold. */
    protected String unknownKeyId() {
        return "no-such-key-5f3a9c";
    }

    // ---- signing and verifying ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(SignatureAlgorithm.class)
    void everyAdvertisedAlgorithmSignsWithEverySuitableKeyAndTheJdkVerifies(SignatureAlgorithm algorithm)
            throws Exception {
        if (keyForAdvertised(algorithm) == null) {
            return; // asserted that no key offers it
        }
        // Every key, not only the fixture's: each curve and modulus size once per algorithm.
        for (KeyInfo key : enabledKeys()) {
            if (key.supports(algorithm)) {
                byte[] message = message(algorithm, key, "single");
                byte[] signature = backend().sign(key.ref(), algorithm, JdkVerifier.digest(algorithm, message));
                assertVerifies(algorithm, key, message, signature);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SignatureAlgorithm.class)
    void signingWithACallContextGivesASignatureThatTheJdkVerifies(SignatureAlgorithm algorithm) throws Exception {
        KeyInfo key = keyForAdvertised(algorithm);
        if (key == null) {
            return;
        }
        byte[] message = message(algorithm, key, "with a call context");
        byte[] signature = backend().sign(key.ref(), algorithm, JdkVerifier.digest(algorithm, message), context());
        assertVerifies(algorithm, key, message, signature);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SignatureAlgorithm.class)
    void batchOfFiveDigestsGivesFiveSignaturesInOrderEachOverItsOwnDigest(SignatureAlgorithm algorithm)
            throws Exception {
        KeyInfo key = keyForAdvertised(algorithm);
        if (key == null) {
            return;
        }
        List<byte[]> messages = new ArrayList<>();
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            byte[] m = message(algorithm, key, "batch item " + i);
            messages.add(m);
            digests.add(JdkVerifier.digest(algorithm, m));
        }
        List<byte[]> copies = digests.stream().map(byte[]::clone).toList();

        List<byte[]> signatures = backend().sign(key.ref(), algorithm, digests, context());

        assertEquals(BATCH, signatures.size(), "one signature per digest");
        for (int i = 0; i < BATCH; i++) {
            assertTrue(JdkVerifier.verify(algorithm, key.publicKey(), messages.get(i), signatures.get(i)),
                    "signature " + i + " verifies over message " + i);
            assertFalse(JdkVerifier.verify(algorithm, key.publicKey(), messages.get((i + 1) % BATCH),
                    signatures.get(i)), "signature " + i + " does not verify over message " + ((i + 1) % BATCH));
            assertArrayEquals(copies.get(i), digests.get(i), "digest " + i + " is not modified");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = SignatureAlgorithm.class, names = {"RSA_PSS_SHA256", "RSA_PSS_SHA384", "RSA_PSS_SHA512"})
    void pssSaltIsExactlyTheDigestLength(SignatureAlgorithm algorithm) throws Exception {
        KeyInfo key = keyForAdvertised(algorithm);
        if (key == null) {
            return;
        }
        byte[] message = message(algorithm, key, "salted");
        byte[] signature = backend().sign(key.ref(), algorithm, JdkVerifier.digest(algorithm, message));

        assertTrue(JdkVerifier.verifyPss(algorithm, key.publicKey(), message, signature, algorithm.digestLength()),
                "verifies with salt = digest length");
        assertFalse(JdkVerifier.verifyPss(algorithm, key.publicKey(), message, signature, 0),
                "does not verify with an empty salt");
        int max = JdkVerifier.maxPssSaltLength(algorithm, key.publicKey());
        assertFalse(JdkVerifier.verifyPss(algorithm, key.publicKey(), message, signature, max),
                "does not verify with the longest salt (" + max + ")");
    }

    // ---- refusals ----

    @Test
    void digestOfTheWrongLengthIsInvalidDigestThroughEveryEntryPoint() throws Exception {
        List<SignatureAlgorithm> tried = new ArrayList<>();
        for (SignatureAlgorithm algorithm : backend().algorithms()) {
            KeyInfo key = keyFor(algorithm);
            if (key == null) {
                continue;
            }
            tried.add(algorithm);
            for (int length : new int[] {algorithm.digestLength() - 1, algorithm.digestLength() + 1, 20, 0}) {
                byte[] digest = new byte[length];
                String what = algorithm + " with " + length + " bytes";
                assertRefused(ErrorCode.INVALID_DIGEST, what,
                        () -> backend().sign(key.ref(), algorithm, digest));
                assertRefused(ErrorCode.INVALID_DIGEST, what + " and a call context",
                        () -> backend().sign(key.ref(), algorithm, digest, context()));
                assertRefused(ErrorCode.INVALID_DIGEST, what + " in a batch",
                        () -> backend().sign(key.ref(), algorithm, List.of(digest), context()));
            }
        }
        assertFalse(tried.isEmpty(), "the fixture has a key for some advertised algorithm");
    }

    @Test
    void batchWithOneDigestOfTheWrongLengthAmongGoodOnesIsInvalidDigest() throws Exception {
        int tried = 0;
        for (KeyType type : KeyType.values()) {
            SignatureAlgorithm algorithm = advertisedFor(type);
            KeyInfo key = algorithm == null ? null : keyFor(algorithm);
            if (key == null) {
                continue;
            }
            tried++;
            List<byte[]> digests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                digests.add(JdkVerifier.digest(algorithm, message(algorithm, key, "good " + i)));
            }
            digests.add(2, new byte[algorithm.digestLength() + 1]);
            assertRefused(ErrorCode.INVALID_DIGEST, algorithm + " batch with digest 2 too long",
                    () -> backend().sign(key.ref(), algorithm, digests, context()));
        }
        assertTrue(tried > 0, "the fixture has a key for some advertised algorithm");
    }

    @Test
    void algorithmOfTheOtherKeyTypeIsUnsupportedAlgorithm() throws Exception {
        int tried = 0;
        for (KeyType type : KeyType.values()) {
            KeyInfo key = enabledKeys().stream().filter(k -> k.type() == type).findFirst().orElse(null);
            if (key == null) {
                continue;
            }
            for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
                if (algorithm.keyType() == type) {
                    continue;
                }
                tried++;
                byte[] digest = new byte[algorithm.digestLength()];
                String what = algorithm + " with " + type + " key " + key.ref();
                assertRefused(ErrorCode.UNSUPPORTED_ALGORITHM, what,
                        () -> backend().sign(key.ref(), algorithm, digest));
                assertRefused(ErrorCode.UNSUPPORTED_ALGORITHM, what + " and a call context",
                        () -> backend().sign(key.ref(), algorithm, digest, context()));
                assertRefused(ErrorCode.UNSUPPORTED_ALGORITHM, what + " in a batch",
                        () -> backend().sign(key.ref(), algorithm, List.of(digest, digest), context()));
            }
        }
        assertTrue(tried > 0, "the backend has an enabled key");
    }

    @Test
    void unknownKeyIsKeyNotFoundForKeyAndSign() throws Exception {
        assertKeyNotFound(new KeyRef(backend().id(), unknownKeyId()));
    }

    @Test
    void keyReferenceOfAnotherBackendIsKeyNotFoundForKeyAndSign() throws Exception {
        KeyInfo key = enabledKeys().get(0);
        assertKeyNotFound(new KeyRef("not-" + backend().id(), key.ref().keyId()));
    }

    @Test
    void disabledKeyIsListedAsNotEnabledAndRefusesWithKeyDisabledElseEveryKeyIsEnabled() throws Exception {
        Optional<KeyRef> disabled = disabledKey();
        if (disabled.isEmpty()) {
            List<KeyInfo> keys = backend().keys();
            assertFalse(keys.isEmpty());
            for (KeyInfo k : keys) {
                assertEquals(KeyState.ENABLED, k.state(), k.ref() + " in a backend without disabled keys");
                assertEquals(KeyState.ENABLED, backend().key(k.ref()).state(), k.ref().toString());
            }
            return;
        }
        KeyRef ref = disabled.get();
        KeyInfo info = backend().key(ref);
        assertNotEquals(KeyState.ENABLED, info.state(), "key(" + ref + ").state()");
        KeyInfo listed = backend().keys().stream().filter(k -> k.ref().equals(ref)).findFirst()
                .orElseThrow(() -> new AssertionError(ref + " is listed by keys()"));
        assertEquals(info.state(), listed.state(), "keys() reports the state key() reports");
        assertFalse(info.algorithms().isEmpty(), "a disabled key still says what it could sign with");
        for (SignatureAlgorithm algorithm : info.algorithms()) {
            byte[] digest = new byte[algorithm.digestLength()];
            assertRefused(ErrorCode.KEY_DISABLED, algorithm + " with disabled key " + ref,
                    () -> backend().sign(ref, algorithm, digest));
            assertRefused(ErrorCode.KEY_DISABLED, algorithm + " with disabled key " + ref + " and a call context",
                    () -> backend().sign(ref, algorithm, digest, context()));
            assertRefused(ErrorCode.KEY_DISABLED, algorithm + " with disabled key " + ref + " in a batch",
                    () -> backend().sign(ref, algorithm, List.of(digest, digest), context()));
        }
    }

    @Test
    void batchAfterItsDeadlineIsBusy() throws Exception {
        KeyInfo key = enabledKeys().get(0);
        SignatureAlgorithm algorithm = key.algorithms().iterator().next();
        byte[] digest = JdkVerifier.digest(algorithm, message(algorithm, key, "too late"));
        CallContext expired = new CallContext("contract-expired", Instant.now().minusSeconds(1));
        assertRefused(ErrorCode.BUSY, "a batch whose deadline has passed",
                () -> backend().sign(key.ref(), algorithm, List.of(digest, digest), expired));
    }

    // ---- health and life cycle ----

    @Test
    void openBackendIsUp() throws Exception {
        BackendHealth health = backend().health();
        assertEquals(BackendHealth.State.UP, health.state(), health.detail());
        assertTrue(health.up());
    }

    @Test
    void closedBackendIsDownAndRefusesWithBackendUnavailable() throws Exception {
        KeyInfo key = enabledKeys().get(0);
        SignatureAlgorithm algorithm = key.algorithms().iterator().next();
        byte[] digest = new byte[algorithm.digestLength()];

        SigningBackend closed = closedBackend();

        KeyRef ref = new KeyRef(closed.id(), key.ref().keyId());
        BackendHealth health = closed.health();
        assertEquals(BackendHealth.State.DOWN, health.state(), health.detail());
        assertFalse(health.up());
        assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "keys()", () -> closed.keys());
        assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "key()", () -> closed.key(ref));
        assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "sign", () -> closed.sign(ref, algorithm, digest));
        assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "sign with a call context",
                () -> closed.sign(ref, algorithm, digest, context()));
        assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "sign a batch",
                () -> closed.sign(ref, algorithm, List.of(digest, digest), context()));
        if (generatesKeys()) {
            assertRefused(ErrorCode.BACKEND_UNAVAILABLE, "generateKey",
                    () -> closed.generateKey(KeySpec.ec(EcCurve.P256), "after close"));
        }
    }

    // ---- key generation ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rsa-2048", "ec-p256"})
    void generatedKeyIsListedAndSignsOrGenerationIsUnsupportedOperation(String specText) throws Exception {
        KeySpec spec = KeySpec.parse(specText);
        String label = "contract " + specText;
        if (!generatesKeys()) {
            assertRefused(ErrorCode.UNSUPPORTED_OPERATION, "generateKey(" + specText + ")",
                    () -> backend().generateKey(spec, label));
            return;
        }
        KeyInfo generated = backend().generateKey(spec, label);

        assertEquals(backend().id(), generated.ref().backendId());
        assertEquals(spec.type(), generated.type());
        assertEquals(spec.bits(), generated.bits());
        assertEquals(spec.curve(), generated.curve());
        assertEquals(KeyState.ENABLED, generated.state());
        assertFalse(generated.algorithms().isEmpty());
        assertSameKey(generated, backend().key(generated.ref()));
        KeyInfo listed = backend().keys().stream().filter(k -> k.ref().equals(generated.ref())).findFirst()
                .orElseThrow(() -> new AssertionError("generated key " + generated.ref() + " is listed by keys()"));
        assertSameKey(generated, listed);
        for (SignatureAlgorithm algorithm : generated.algorithms()) {
            byte[] message = message(algorithm, generated, "generated");
            byte[] signature = backend().sign(generated.ref(), algorithm, JdkVerifier.digest(algorithm, message));
            assertVerifies(algorithm, generated, message, signature);
        }
    }

    // ---- concurrency ----

    @Test
    void eightThreadsSignConcurrentlyWithMixedKeysAndAlgorithmsAndEverySignatureVerifies() throws Exception {
        List<KeyInfo> keys = new ArrayList<>();
        List<SignatureAlgorithm> algorithms = new ArrayList<>();
        for (KeyInfo k : enabledKeys()) {
            for (SignatureAlgorithm a : k.algorithms()) {
                keys.add(k);
                algorithms.add(a);
            }
        }
        assertFalse(keys.isEmpty(), "the backend has an enabled key");
        SigningBackend backend = backend();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<Integer> signer = () -> {
                    start.await();
                    int verified = 0;
                    for (int i = 0; i < SIGNATURES_PER_THREAD; i++) {
                        int pick = (thread * SIGNATURES_PER_THREAD + i) % keys.size();
                        KeyInfo key = keys.get(pick);
                        SignatureAlgorithm algorithm = algorithms.get(pick);
                        byte[] message = message(algorithm, key, "thread " + thread + " signature " + i);
                        byte[] digest = JdkVerifier.digest(algorithm, message);
                        byte[] signature = i % 2 == 0
                                ? backend.sign(key.ref(), algorithm, digest)
                                : backend.sign(key.ref(), algorithm, digest, context());
                        if (JdkVerifier.verify(algorithm, key.publicKey(), message, signature)) {
                            verified++;
                        }
                    }
                    return verified;
                };
                results.add(threads.submit(signer));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(SIGNATURES_PER_THREAD, f.get(120, TimeUnit.SECONDS), "verified signatures of a thread");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(BackendHealth.State.UP, backend.health().state(), backend.health().detail());
    }

    // ---- listing ----

    @Test
    void listedKeysAgreeWithKeyAndWithTheBackend() throws Exception {
        SigningBackend backend = backend();
        List<KeyInfo> keys = backend.keys();
        assertFalse(keys.isEmpty(), "the fixture's backend has keys");
        assertFalse(backend.algorithms().isEmpty(), "an open backend advertises algorithms");
        assertEquals(keys.size(), keys.stream().map(KeyInfo::ref).distinct().count(), "no key is listed twice");
        for (KeyInfo listed : keys) {
            String k = listed.ref().toString();
            assertEquals(backend.id(), listed.ref().backendId(), k + ": ref().backendId() is the backend's id");
            assertSameKey(listed, backend.key(listed.ref()));
            assertFalse(listed.algorithms().isEmpty(), k + " lists its algorithms");
            for (SignatureAlgorithm a : listed.algorithms()) {
                assertEquals(listed.type(), a.keyType(), k + ": " + a + " fits the key type");
                assertTrue(backend.algorithms().contains(a), k + ": " + a + " is advertised by the backend");
            }
            if (listed.type() == KeyType.RSA) {
                RSAPublicKey rsa = assertInstanceOfRsa(listed);
                assertEquals(rsa.getModulus().bitLength(), listed.bits(), k + ": bits are the modulus length");
                assertNull(listed.curve(), k + ": an RSA key has no curve");
            } else {
                assertNotNull(listed.curve(), k + ": an EC key names its curve");
                assertTrue(listed.publicKey() instanceof ECPublicKey, k + ": an EC key has an EC public key");
                assertEquals(listed.curve().bits(), listed.bits(), k + ": bits are the curve's field size");
                assertEquals(listed.curve().bits(),
                        ((ECPublicKey) listed.publicKey()).getParams().getCurve().getField().getFieldSize(),
                        k + ": the public key is on the named curve's field");
            }
        }
    }

    // ---- helpers ----

    /** A fresh context with a request id and a generous deadline. */
    protected final CallContext context() {
        return CallContext.of("contract-" + requests.incrementAndGet(), Duration.ofSeconds(30));
    }

    /** The enabled keys of the backend; fails if there are none. */
    protected final List<KeyInfo> enabledKeys() throws Exception {
        List<KeyInfo> out = backend().keys().stream().filter(k -> k.state() == KeyState.ENABLED).toList();
        assertFalse(out.isEmpty(), "the fixture's backend has an enabled key");
        return out;
    }

    /**
     * The fixture's key for an advertised algorithm (failing if it has none), or null after
     * asserting that no key offers an algorithm the backend does not advertise.
     */
    private KeyInfo keyForAdvertised(SignatureAlgorithm algorithm) throws Exception {
        Set<SignatureAlgorithm> advertised = EnumSet.noneOf(SignatureAlgorithm.class);
        advertised.addAll(backend().algorithms());
        if (!advertised.contains(algorithm)) {
            for (KeyInfo k : backend().keys()) {
                assertFalse(k.supports(algorithm), k.ref() + " offers " + algorithm + ", which the backend does "
                        + "not advertise");
            }
            return null;
        }
        KeyInfo key = keyFor(algorithm);
        if (key == null) {
            fail("the backend advertises " + algorithm + " but the fixture has no enabled key that can do it");
        }
        assertTrue(key.supports(algorithm), "keyFor(" + algorithm + ") returned " + key.ref() + ", which cannot do it");
        return key;
    }

    private SignatureAlgorithm advertisedFor(KeyType type) throws Exception {
        for (SignatureAlgorithm a : backend().algorithms()) {
            if (a.keyType() == type) {
                return a;
            }
        }
        return null;
    }

    private void assertKeyNotFound(KeyRef ref) throws Exception {
        assertRefused(ErrorCode.KEY_NOT_FOUND, "key(" + ref + ")", () -> backend().key(ref));
        int tried = 0;
        for (SignatureAlgorithm algorithm : backend().algorithms()) {
            tried++;
            byte[] digest = new byte[algorithm.digestLength()];
            assertRefused(ErrorCode.KEY_NOT_FOUND, "sign with " + ref + " and " + algorithm,
                    () -> backend().sign(ref, algorithm, digest));
            assertRefused(ErrorCode.KEY_NOT_FOUND, "sign with " + ref + ", " + algorithm + " and a call context",
                    () -> backend().sign(ref, algorithm, digest, context()));
            assertRefused(ErrorCode.KEY_NOT_FOUND, "sign a batch with " + ref + " and " + algorithm,
                    () -> backend().sign(ref, algorithm, List.of(digest, digest), context()));
        }
        assertTrue(tried > 0, "an open backend advertises algorithms");
    }

    /** Asserts that {@code action} fails with {@code expected} and a one-line client message. */
    protected static SigilException assertRefused(ErrorCode expected, String what, Executable action) {
        SigilException e = assertThrows(SigilException.class, action, what);
        assertEquals(expected, e.code(), what + ": " + e.getMessage());
        assertFalse(e.getMessage().isBlank(), what + ": the message is not blank");
        assertFalse(e.getMessage().contains("\n"), what + ": the message is one line");
        return e;
    }

    private static void assertVerifies(SignatureAlgorithm algorithm, KeyInfo key, byte[] message, byte[] signature)
            throws Exception {
        assertTrue(JdkVerifier.verify(algorithm, key.publicKey(), message, signature),
                algorithm + " signature of " + key.ref() + " verifies with the JDK");
        byte[] other = "another message".getBytes(StandardCharsets.UTF_8);
        assertFalse(JdkVerifier.verify(algorithm, key.publicKey(), other, signature),
                algorithm + " signature of " + key.ref() + " does not verify over another message");
    }

    private static void assertSameKey(KeyInfo expected, KeyInfo actual) {
        String k = expected.ref().toString();
        assertEquals(expected.ref(), actual.ref(), k + ": ref");
        assertEquals(expected.type(), actual.type(), k + ": type");
        assertEquals(expected.bits(), actual.bits(), k + ": bits");
        assertEquals(expected.curve(), actual.curve(), k + ": curve");
        assertArrayEquals(expected.publicKey().getEncoded(), actual.publicKey().getEncoded(), k + ": public key");
        assertEquals(expected.algorithms(), actual.algorithms(), k + ": algorithms");
        assertEquals(expected.state(), actual.state(), k + ": state");
    }

    private static RSAPublicKey assertInstanceOfRsa(KeyInfo key) {
        assertTrue(key.publicKey() instanceof RSAPublicKey, key.ref() + ": an RSA key has an RSA public key");
        return (RSAPublicKey) key.publicKey();
    }

    private static byte[] message(SignatureAlgorithm algorithm, KeyInfo key, String what) {
        return ("contract: " + what + " with " + algorithm + " and " + key.ref() + " at " + System.nanoTime())
                .getBytes(StandardCharsets.UTF_8);
    }
}
