package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The pool's bookkeeping with stand-in sessions, where faults (an open that fails, a close while
 * callers wait) are easy to inject; the real-token behaviour is in {@link Pkcs11BackendPoolTest}.
 */
class SessionPoolTest {
    final AtomicInteger opened = new AtomicInteger();
    final List<Integer> closed = new CopyOnWriteArrayList<>();

    SessionPool<Integer> pool(int capacity) {
        return new SessionPool<>(capacity, opened::incrementAndGet, closed::add);
    }

    @Test
    void sessionsAreOpenedOnDemandAndReusedAfterRelease() throws Exception {
        SessionPool<Integer> pool = pool(2);
        Integer first = pool.borrow(10);
        pool.release(first);

        assertSame(first, pool.borrow(10));
        assertEquals(1, opened.get());
        assertEquals(1, pool.openCount());
    }

    @Test
    void borrowingBeyondCapacityGivesExhaustedAfterTheTimeout() throws Exception {
        SessionPool<Integer> pool = pool(2);
        pool.borrow(10);
        pool.borrow(10);

        long started = System.nanoTime();
        assertThrows(SessionPool.Exhausted.class, () -> pool.borrow(150));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertTrue(elapsedMs >= 140 && elapsedMs < 1000, elapsedMs + " ms");
        assertEquals(2, opened.get(), "no third session");
    }

    @Test
    void waiterGetsTheSessionThatComesBack() throws Exception {
        SessionPool<Integer> pool = pool(1);
        Integer only = pool.borrow(10);
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.borrow(5000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        pool.release(only);

        assertSame(only, waiter.get(5, TimeUnit.SECONDS));
    }

    @Test
    void discardedSessionIsClosedAndReplacedByANewOne() throws Exception {
        SessionPool<Integer> pool = pool(1);
        Integer broken = pool.borrow(10);
        pool.discard(broken);

        Integer next = pool.borrow(10);

        assertEquals(List.of(broken), closed);
        assertNotSame(broken, next);
        assertEquals(1, pool.openCount());
    }

    @Test
    void failedOpenFreesItsPlace() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        SessionPool<Integer> pool = new SessionPool<>(1, () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("token busy");
            }
            return 7;
        }, closed::add);

        assertThrows(IllegalStateException.class, () -> pool.borrow(10));
        assertEquals(7, pool.borrow(10));
    }

    @Test
    void closeWakesWaitersClosesIdleSessionsAndLaterReturnedOnes() throws Exception {
        SessionPool<Integer> pool = pool(2);
        Integer idle = pool.borrow(10);
        Integer busy = pool.borrow(10);
        pool.release(idle);
        Integer again = pool.borrow(10);
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.borrow(10_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        pool.release(again);
        // the waiter took 'again'; now close with one session out ('busy') and one with the waiter
        Integer taken = waiter.get(5, TimeUnit.SECONDS);

        pool.close();
        ExecutionException late = assertThrows(ExecutionException.class, () -> CompletableFuture.supplyAsync(() -> {
            try {
                return pool.borrow(10_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(5, TimeUnit.SECONDS));
        assertTrue(late.getCause().getCause() instanceof SessionPool.Closed, String.valueOf(late.getCause()));

        pool.release(busy);
        pool.release(taken);
        assertTrue(closed.containsAll(List.of(busy, taken)));
        assertEquals(0, pool.openCount());
        assertTrue(pool.awaitReturned(10));
    }

    @Test
    void closeWakesAWaiterImmediately() throws Exception {
        SessionPool<Integer> pool = pool(1);
        pool.borrow(10);
        long started = System.nanoTime();
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                pool.borrow(10_000);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(50);
        pool.close();

        assertTrue(waiter.get(5, TimeUnit.SECONDS) instanceof SessionPool.Closed);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5000);
    }
}
