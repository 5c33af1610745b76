package dev.sigil.backend.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ThrottleRetryTest {
    private static SigilException throttled(Duration retryAfter) {
        return new SigilException(ErrorCode.BUSY, "throttled", null, retryAfter);
    }

    @Test
    void aThrottledCallIsRetriedUntilItSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = new ThrottleRetry(5, Duration.ofMillis(5), Duration.ofMillis(20))
                .call(CallContext.of("r1", Duration.ofSeconds(5)), () -> {
                    if (calls.incrementAndGet() < 3) {
                        throw throttled(null);
                    }
                    return "signed";
                });
        assertEquals("signed", result);
        assertEquals(3, calls.get());
    }

    @Test
    void otherFailuresAreNeverRetried() {
        AtomicInteger calls = new AtomicInteger();
        SigilException unavailable = new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "down");
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(5, Duration.ofMillis(1),
                Duration.ofMillis(2)).call(CallContext.of(null, Duration.ofSeconds(5)), () -> {
                    calls.incrementAndGet();
                    throw unavailable;
                }));
        assertSame(unavailable, e);
        assertEquals(1, calls.get());
    }

    @Test
    void retryingStopsAtTheAttemptLimitWithBusyAndARetryAfter() {
        AtomicInteger calls = new AtomicInteger();
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(3, Duration.ofMillis(1),
                Duration.ofMillis(2)).call(CallContext.of(null, Duration.ofSeconds(5)), () -> {
                    calls.incrementAndGet();
                    throw throttled(null);
                }));
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals(3, calls.get());
        assertTrue(e.retryAfter().isPresent());
    }

    @Test
    void aRetryAfterLongerThanTheDeadlineAllowsEndsAtOnceAndIsPassedOn() {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(10, Duration.ofMillis(1),
                Duration.ofMillis(2)).call(CallContext.of(null, Duration.ofMillis(500)), () -> {
                    calls.incrementAndGet();
                    throw throttled(Duration.ofSeconds(7));
                }));
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals(1, calls.get(), "no wait beyond the deadline");
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertTrue(System.nanoTime() - start < 400_000_000L, "gave up without waiting");
    }

    @Test
    void theWaitHonoursTheServicesRetryAfterAndTheCap() {
        ThrottleRetry retry = new ThrottleRetry(10, Duration.ofMillis(10), Duration.ofMillis(100));
        for (int attempt = 1; attempt < 30; attempt++) {
            Duration wait = retry.backoff(attempt, Duration.ZERO);
            assertTrue(!wait.isNegative() && wait.compareTo(Duration.ofMillis(100)) <= 0, wait.toString());
            assertEquals(Duration.ofMillis(300), retry.backoff(attempt, Duration.ofMillis(300)));
        }
    }

    @Test
    void anExpiredDeadlineMakesNoCall() {
        AtomicInteger calls = new AtomicInteger();
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(3, Duration.ofMillis(1),
                Duration.ofMillis(2)).call(new CallContext(null, java.time.Instant.now().minusSeconds(1)), () -> {
                    calls.incrementAndGet();
                    return "x";
                }));
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals(0, calls.get());
    }

    @Test
    void aPredicateMayAlsoRetryTransientFailuresWhichGoOnAfterTheyPass() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = new ThrottleRetry(5, Duration.ofMillis(1), Duration.ofMillis(2),
                e -> ThrottleRetry.throttled(e) || e.getMessage().equals("5xx"))
                .call(CallContext.of(null, Duration.ofSeconds(5)), () -> {
                    int n = calls.incrementAndGet();
                    if (n == 1) {
                        throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "5xx");
                    }
                    if (n == 2) {
                        throw throttled(null);
                    }
                    return "signed";
                });
        assertEquals("signed", result);
        assertEquals(3, calls.get());
    }

    @Test
    void aRetriedFailureThatIsNotThrottlingIsThrownAsItIsOnceRetryingStops() {
        AtomicInteger calls = new AtomicInteger();
        SigilException unavailable = new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "5xx");
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(3, Duration.ofMillis(1),
                Duration.ofMillis(2), f -> f.code() == ErrorCode.BACKEND_UNAVAILABLE)
                .call(CallContext.of(null, Duration.ofSeconds(5)), () -> {
                    calls.incrementAndGet();
                    throw unavailable;
                }));
        assertSame(unavailable, e, "not turned into BUSY");
        assertEquals(3, calls.get());
    }

    @Test
    void aPredicateDecidesAloneSoOneWithoutBusyDoesNotRetryThrottling() {
        AtomicInteger calls = new AtomicInteger();
        SigilException busy = throttled(null);
        SigilException e = assertThrows(SigilException.class, () -> new ThrottleRetry(3, Duration.ofMillis(1),
                Duration.ofMillis(2), f -> false).call(CallContext.of(null, Duration.ofSeconds(5)), () -> {
                    calls.incrementAndGet();
                    throw busy;
                }));
        assertSame(busy, e);
        assertEquals(1, calls.get());
    }
}
