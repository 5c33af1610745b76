package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.auth.mfa.internal.DerivationPool.Lane;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DerivationPoolTest {
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseEverything() throws InterruptedException {
        release.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /** Starts a caller that holds its turn until the test ends; returns once it holds it. */
    private void hold(DerivationPool pool, Lane lane) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        start(() -> pool.run(lane, () -> {
            holding.countDown();
            return awaitQuietly(release);
        }));
        assertTrue(holding.await(10, TimeUnit.SECONDS));
    }

    /** Waits for a latch inside a piece of work, which may throw only SigilException. */
    static Void awaitQuietly(CountDownLatch latch) {
        return awaitQuietly(latch, 60_000);
    }

    static Void awaitQuietly(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private interface Body {
        void run() throws Exception;
    }

    private void start(Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                // the test looks at outcomes through its own counters
            }
        });
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Test
    void neverRunsMoreDerivationsAtOnceThanItHasThreads() throws Exception {
        DerivationPool pool = new DerivationPool(2, 100, Duration.ofSeconds(30));
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(40);
        for (int i = 0; i < 40; i++) {
            Lane lane = i % 2 == 0 ? Lane.OPEN : Lane.AUTHENTICATED;
            start(() -> {
                try {
                    pool.run(lane, () -> {
                        most.accumulateAndGet(now.incrementAndGet(), Math::max);
                        awaitQuietly(new CountDownLatch(1), 5);
                        now.decrementAndGet();
                        return done.incrementAndGet();
                    });
                } finally {
                    finished.countDown();
                }
            });
        }
        assertTrue(finished.await(30, TimeUnit.SECONDS));
        assertEquals(40, done.get());
        assertEquals(2, most.get());
    }

    @Test
    void aCallerBeyondTheQueueIsRefusedAtOnceAsBusy() throws Exception {
        DerivationPool pool = new DerivationPool(1, 1, Duration.ofSeconds(30));
        hold(pool, Lane.OPEN);
        start(() -> pool.run(Lane.OPEN, () -> null)); // waits: the queue is now full
        awaitWaiting(pool);

        long t0 = System.nanoTime();
        SigilException e = assertThrows(SigilException.class, () -> pool.run(Lane.OPEN, () -> null));
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals("Too many authentications in progress, retry shortly", e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "refused without waiting");
    }

    @Test
    void aFullOpenQueueDoesNotRefuseAuthenticatedWork() throws Exception {
        DerivationPool pool = new DerivationPool(1, 1, Duration.ofSeconds(30));
        hold(pool, Lane.OPEN);
        start(() -> pool.run(Lane.OPEN, () -> null));
        awaitWaiting(pool);
        CountDownLatch pinDone = new CountDownLatch(1);
        start(() -> pool.run(Lane.AUTHENTICATED, () -> {
            pinDone.countDown();
            return null;
        }));

        assertEquals(ErrorCode.BUSY, assertThrows(SigilException.class, () -> pool.run(Lane.OPEN, () -> null)).code());
        release.countDown();
        assertTrue(pinDone.await(10, TimeUnit.SECONDS));
    }

    @Test
    void waitingAuthenticatedWorkGoesBeforeWaitingOpenWork() throws Exception {
        DerivationPool pool = new DerivationPool(1, 10, Duration.ofSeconds(30));
        hold(pool, Lane.OPEN);
        List<Lane> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch finished = new CountDownLatch(4);
        for (Lane lane : List.of(Lane.OPEN, Lane.OPEN, Lane.AUTHENTICATED, Lane.AUTHENTICATED)) {
            start(() -> {
                try {
                    pool.run(lane, () -> order.add(lane));
                } finally {
                    finished.countDown();
                }
            });
            Thread.sleep(50); // in this order
        }
        release.countDown();

        assertTrue(finished.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(Lane.AUTHENTICATED, Lane.AUTHENTICATED, Lane.OPEN, Lane.OPEN), order);
    }

    @Test
    void aCallerThatWaitedTooLongIsRefusedAsBusy() throws Exception {
        DerivationPool pool = new DerivationPool(1, 4, Duration.ofMillis(200));
        hold(pool, Lane.AUTHENTICATED);

        long t0 = System.nanoTime();
        assertEquals(ErrorCode.BUSY,
                assertThrows(SigilException.class, () -> pool.run(Lane.AUTHENTICATED, () -> null)).code());
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190));
    }

    @Test
    void anInterruptedWaitIsBusyAndKeepsTheInterrupt() throws Exception {
        DerivationPool pool = new DerivationPool(1, 4, Duration.ofSeconds(30));
        hold(pool, Lane.OPEN);
        Thread.currentThread().interrupt();
        try {
            assertEquals(ErrorCode.BUSY, assertThrows(SigilException.class, () -> pool.run(Lane.OPEN, () -> null)).code());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aTurnIsGivenBackWhenTheWorkFails() throws Exception {
        DerivationPool pool = new DerivationPool(1, 0, Duration.ofSeconds(1));
        SigilException boom = new SigilException(ErrorCode.INTERNAL, "boom");

        assertEquals(boom, assertThrows(SigilException.class, () -> pool.run(Lane.OPEN, () -> {
            throw boom;
        })));
        assertEquals("ok", pool.run(Lane.OPEN, () -> "ok"));
    }

    @Test
    void boundsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DerivationPool(0, 1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new DerivationPool(1, -1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new DerivationPool(1, 1, Duration.ZERO));
    }

    /** Waits until some thread is parked in the pool (the queued caller). */
    private void awaitWaiting(DerivationPool pool) throws InterruptedException {
        Thread waiter = threads.get(threads.size() - 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Thread.State.TIMED_WAITING, waiter.getState(), "the second caller waits in " + pool);
    }
}
