package dev.sigil.backend.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelSignerTest {
    private final ParallelSigner parallel = new ParallelSigner("test", 4);

    @AfterEach
    void close() {
        parallel.close();
    }

    private static List<byte[]> digests(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new byte[] {(byte) i});
        }
        return out;
    }

    private static void sleep(long millis) throws SigilException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new SigilException(ErrorCode.BUSY, "interrupted");
        }
    }

    @Test
    void signaturesComeBackInTheOrderOfTheDigests() throws Exception {
        List<byte[]> out = parallel.signAll(digests(20), CallContext.of("r", Duration.ofSeconds(5)), d -> {
            sleep(d[0] % 3 * 5L);
            return new byte[] {(byte) (d[0] + 100)};
        });
        assertEquals(20, out.size());
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(new byte[] {(byte) (i + 100)}, out.get(i));
        }
    }

    @Test
    void aBatchRunsInParallelButNeverBeyondThePermits() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        long start = System.nanoTime();
        parallel.signAll(digests(16), CallContext.of("r", Duration.ofSeconds(10)), d -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new SigilException(ErrorCode.BUSY, "interrupted");
            } finally {
                running.decrementAndGet();
            }
            return d;
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(4, most.get(), "as many calls at once as permits");
        assertTrue(millis < 16 * 50 / 2, "16 calls of 50 ms on 4 permits took " + millis + " ms");
    }

    @Test
    void theFirstFailureFailsTheBatch() {
        SigilException e = assertThrows(SigilException.class, () -> parallel.signAll(digests(8),
                CallContext.of("r", Duration.ofSeconds(5)), d -> {
                    if (d[0] == 5) {
                        throw new SigilException(ErrorCode.KEY_DISABLED, "key x is disabled");
                    }
                    return d;
                }));
        assertEquals(ErrorCode.KEY_DISABLED, e.code());
    }

    @Test
    void aBatchThatOutlastsItsDeadlineIsBusy() {
        long start = System.nanoTime();
        SigilException e = assertThrows(SigilException.class, () -> parallel.signAll(digests(8),
                CallContext.of("r", Duration.ofMillis(200)), d -> {
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException ie) {
                        throw new SigilException(ErrorCode.BUSY, "interrupted");
                    }
                    return d;
                }));
        assertEquals(ErrorCode.BUSY, e.code());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000, "gave up at the deadline");
    }

    @Test
    void aClosedSignerIsUnavailable() {
        parallel.close();
        SigilException e = assertThrows(SigilException.class, () -> parallel.signAll(digests(2),
                CallContext.of("r", Duration.ofSeconds(1)), d -> d));
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
    }
}
