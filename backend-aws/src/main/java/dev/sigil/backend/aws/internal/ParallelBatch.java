package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signs the digests of one batch in parallel with at most {@code permits} calls in flight: that
 * many workers (the calling thread is one of them) take the next digest until none is left. The
 * first failure stops the batch: no worker starts another digest, and it is thrown once the
 * workers in flight have finished (each call is bounded by the request's deadline).
 *
 * <p>TODO(kit): the shared parallel batch signer of {@code dev.sigil.backend.kit} replaces this.
 */
final class ParallelBatch {

    /** Signs digest {@code index}. */
    @FunctionalInterface
    interface Task {
        byte[] sign(int index) throws SigilException;
    }

    /**
     * @param executor  runs the extra workers; a rejected worker is simply not started
     * @param count     the number of digests
     * @param permits   the most calls in flight at once, at least 1
     * @param maxWaitMs how long to wait for the other workers after this thread is done (a safety
     *                  net: each call has its own deadline)
     * @return the signatures in the order of the digests
     */
    static List<byte[]> run(Executor executor, int count, int permits, long maxWaitMs, Task task)
            throws SigilException {
        byte[][] results = new byte[count][];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<SigilException> failure = new AtomicReference<>();
        int extra = Math.min(permits, count) - 1;
        CountDownLatch done = new CountDownLatch(extra);
        Runnable worker = () -> work(count, next, failure, results, task);
        for (int i = 0; i < extra; i++) {
            try {
                executor.execute(() -> {
                    try {
                        worker.run();
                    } finally {
                        done.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                done.countDown(); // fewer workers; the others take its share
            }
        }
        worker.run();
        try {
            if (!done.await(maxWaitMs, TimeUnit.MILLISECONDS)) {
                failure.compareAndSet(null, new SigilException(ErrorCode.BACKEND_UNAVAILABLE,
                        "the batch did not finish in time"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "interrupted while signing"));
        }
        SigilException f = failure.get();
        if (f != null) {
            throw f;
        }
        List<byte[]> out = new ArrayList<>(count);
        out.addAll(Arrays.asList(results));
        return out;
    }

    private static void work(int count, AtomicInteger next, AtomicReference<SigilException> failure,
                             byte[][] results, Task task) {
        while (failure.get() == null) {
            int i = next.getAndIncrement();
            if (i >= count) {
                return;
            }
            try {
                results[i] = task.sign(i);
            } catch (SigilException e) {
                failure.compareAndSet(null, e);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, new SigilException(ErrorCode.INTERNAL, "signing digest " + i + " failed", e));
            }
        }
    }

    private ParallelBatch() {
    }
}
