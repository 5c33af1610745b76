package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.Session;

/** The bounded session pool against a real token: many signers on few sessions, and busy answers. */
class Pkcs11BackendPoolTest {
    static String label;

    @BeforeAll
    static void token() throws Exception {
        SoftHsm.ready();
        label = SoftHsm.uniqueLabel("pool");
        SoftHsm.initToken(label);
    }


    @Test
    void eightThreadsSignFiveHundredTimesEachOnTwoSessionsWithoutAnError() throws Exception {
        Map<String, Object> props = SoftHsm.config("pool", label);
        props.put("pool.size", "2");
        try (Pkcs11Backend backend = SoftHsm.open(props)) {
            KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "busy key");
            SignatureAlgorithm algorithm = SignatureAlgorithm.ECDSA_SHA256;
            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    Callable<Integer> signer = () -> {
                        start.await();
                        int verified = 0;
                        for (int i = 0; i < 500; i++) {
                            byte[] message = ("thread " + thread + " message " + i).getBytes(StandardCharsets.UTF_8);
                            byte[] signature = backend.sign(key.ref(), algorithm, SoftHsm.digest(algorithm, message));
                            if (SoftHsm.verify(algorithm, key.publicKey(), message, signature)) {
                                verified++;
                            }
                        }
                        return verified;
                    };
                    results.add(threads.submit(signer));
                }
                start.countDown();
                for (Future<Integer> f : results) {
                    assertEquals(500, f.get(120, TimeUnit.SECONDS));
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(2, backend.sessionPool().capacity());
            assertTrue(backend.sessionPool().openCount() <= 2, "never more than pool.size sessions");
            assertTrue(backend.health().up());
        }
    }

    @Test
    void exhaustedPoolAnswersBusyWhenTheBorrowTimeoutEnds() throws Exception {
        Map<String, Object> props = SoftHsm.config("pool", label);
        props.put("pool.size", "1");
        props.put("borrow.timeout.ms", "200");
        try (Pkcs11Backend backend = SoftHsm.open(props)) {
            KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "held");
            byte[] digest = new byte[32];
            SessionPool<Session> pool = backend.sessionPool();
            Session held = pool.borrow(1000);
            try {
                long started = System.nanoTime();
                SigilException e = assertThrows(SigilException.class,
                        () -> backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest));
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

                assertEquals(ErrorCode.BUSY, e.code());
                assertEquals("all 1 sessions of backend pool are busy; try again shortly", e.getMessage());
                assertTrue(elapsedMs >= 190, "waited the borrow timeout: " + elapsedMs + " ms");
                assertTrue(elapsedMs < 1500, "answered soon after the borrow timeout: " + elapsedMs + " ms");
                assertTrue(backend.health().up(), "busy is not down");
            } finally {
                pool.release(held);
            }
            backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest);
        }
    }

    @Test
    void batchSignsAllItsDigestsOnOneBorrowedSession() throws Exception {
        Map<String, Object> props = SoftHsm.config("pool", label);
        props.put("pool.size", "1");
        try (Pkcs11Backend backend = SoftHsm.open(props)) {
            KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "batch");
            SignatureAlgorithm algorithm = SignatureAlgorithm.ECDSA_SHA256;
            List<byte[]> messages = new ArrayList<>();
            List<byte[]> digests = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] message = ("batch item " + i).getBytes(StandardCharsets.UTF_8);
                messages.add(message);
                digests.add(SoftHsm.digest(algorithm, message));
            }
            long before = backend.sessionPool().borrowCount();

            List<byte[]> signatures = backend.sign(key.ref(), algorithm, digests, CallContext.of("r1", Duration.ofSeconds(10)));

            assertEquals(1, backend.sessionPool().borrowCount() - before, "one borrow for ten signatures");
            assertEquals(10, signatures.size());
            for (int i = 0; i < 10; i++) {
                assertTrue(SoftHsm.verify(algorithm, key.publicKey(), messages.get(i), signatures.get(i)), "item " + i);
            }
        }
    }

    @Test
    void batchWithADigestOfTheWrongLengthBorrowsNoSessionAndSignsNothing() throws Exception {
        try (Pkcs11Backend backend = SoftHsm.open(SoftHsm.config("pool", label))) {
            KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "bad batch");
            long before = backend.sessionPool().borrowCount();

            SigilException e = assertThrows(SigilException.class, () -> backend.sign(key.ref(),
                    SignatureAlgorithm.ECDSA_SHA256, List.of(new byte[32], new byte[32], new byte[31]),
                    CallContext.defaults()));

            assertEquals(ErrorCode.INVALID_DIGEST, e.code());
            assertEquals(before, backend.sessionPool().borrowCount(), "refused before any session was borrowed");
        }
    }

    @Test
    void waitForASessionEndsAtTheRequestDeadlineBeforeTheBorrowTimeout() throws Exception {
        Map<String, Object> props = SoftHsm.config("pool", label);
        props.put("pool.size", "1");
        props.put("borrow.timeout.ms", "10000");
        try (Pkcs11Backend backend = SoftHsm.open(props)) {
            KeyInfo key = backend.generateKey(KeySpec.parse("ec-p256"), "deadline");
            byte[] digest = new byte[32];
            SessionPool<Session> pool = backend.sessionPool();
            Session held = pool.borrow(1000);
            try {
                for (boolean batch : new boolean[] {false, true}) {
                    CallContext context = CallContext.of("r-" + batch, Duration.ofMillis(300));
                    long started = System.nanoTime();
                    SigilException e = assertThrows(SigilException.class, () -> {
                        if (batch) {
                            backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, List.of(digest, digest), context);
                        } else {
                            backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest, context);
                        }
                    });
                    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

                    assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
                    assertEquals("all 1 sessions of backend pool stayed busy until the signing deadline; "
                            + "try again shortly", e.getMessage());
                    assertTrue(elapsedMs >= 250, "waited until the deadline: " + elapsedMs + " ms");
                    assertTrue(elapsedMs < 3000, "not the 10 s borrow timeout: " + elapsedMs + " ms");
                }
                SigilException late = assertThrows(SigilException.class, () -> backend.sign(key.ref(),
                        SignatureAlgorithm.ECDSA_SHA256, digest, CallContext.of("late", Duration.ZERO)));
                assertEquals(ErrorCode.BUSY, late.code());
            } finally {
                pool.release(held);
            }
            backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256, digest, CallContext.of("r2", Duration.ofSeconds(5)));
        }
    }
}
