package dev.sigil.backend.kit;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signs the digests of a batch in parallel, for a backend whose every call waits on a remote
 * service (10–100 ms): 16 digests take about one call's time instead of sixteen.
 *
 * <p>Bounded twice: at most {@code permits} calls of this backend run at once, over all requests
 * (single signatures included, which run on the caller's thread), so that one large batch cannot
 * exhaust the service's request quota for everyone; and every wait — for a permit, for a thread,
 * for the service — ends at the request's deadline with {@link ErrorCode#BUSY}. A batch is all or
 * nothing: the first failure (in the order of the digests) is thrown and the calls not yet started
 * are cancelled. Thread-safe.
 *
 * <pre>{@code
 * ParallelSigner parallel = new ParallelSigner("aws 'kms'", 8);
 * List<byte[]> signatures = parallel.signAll(digests, ctx, d -> retry.call(ctx, () -> kms.sign(key, d)));
 * // on close of the backend:
 * parallel.close();
 * }</pre>
 */
public final class ParallelSigner implements AutoCloseable {
    /** Signs one digest: one call of the key service (with its retries). */
    @FunctionalInterface
    public interface DigestSigner {
        byte[] sign(byte[] digest) throws SigilException;
    }

    private final Semaphore permits;
    private final ThreadPoolExecutor pool;

    /**
     * @param name    names the pool's threads ({@code sigil-sign-<name>-N}); not null
     * @param permits the most calls of this backend at once; 1..1024
     */
    public ParallelSigner(String name, int permits) {
        Objects.requireNonNull(name, "name");
        if (permits < 1 || permits > 1024) {
            throw new IllegalArgumentException("permits must be 1..1024");
        }
        this.permits = new Semaphore(permits, true);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "sigil-sign-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // As many threads as permits: a thread never waits long for a permit. The queue holds what
        // the threads cannot take yet; a full queue means the backend is saturated: BUSY.
        this.pool = new ThreadPoolExecutor(permits, permits, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(permits * 64), threads);
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Signs every digest with {@code signer}, in parallel under the permits, within the deadline.
     *
     * @param digests the digests; not empty
     * @param context the request's deadline; not null
     * @param signer  signs one digest; called from the pool's threads (and the caller's for a batch
     *                of one); not null
     * @return the signatures in the order of the digests
     * @throws SigilException the first failure of a digest; {@link ErrorCode#BUSY} once the deadline
     *                        passed or the backend is saturated; {@link ErrorCode#BACKEND_UNAVAILABLE}
     *                        once closed
     */
    public List<byte[]> signAll(List<byte[]> digests, CallContext context, DigestSigner signer)
            throws SigilException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(signer, "signer");
        if (digests.isEmpty()) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, "no digest to sign");
        }
        if (pool.isShutdown()) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "the backend is stopped");
        }
        if (digests.size() == 1) {
            return List.of(withPermit(context, signer, digests.get(0)));
        }
        List<Future<byte[]>> futures = new ArrayList<>(digests.size());
        try {
            for (byte[] d : digests) {
                futures.add(pool.submit(() -> withPermit(context, signer, d)));
            }
            List<byte[]> out = new ArrayList<>(digests.size());
            for (Future<byte[]> f : futures) {
                out.add(f.get(Math.max(1, context.remaining().toMillis()), TimeUnit.MILLISECONDS));
            }
            return out;
        } catch (RejectedExecutionException e) {
            throw new SigilException(ErrorCode.BUSY, "Too many signatures in progress; retry shortly", e);
        } catch (TimeoutException e) {
            throw new SigilException(ErrorCode.BUSY, "The signatures were not made within the deadline", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SigilException(ErrorCode.BUSY, "Interrupted while signing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SigilException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SigilException(ErrorCode.INTERNAL, "signing failed", e.getCause());
        } finally {
            for (Future<byte[]> f : futures) {
                f.cancel(true);
            }
        }
    }

    private byte[] withPermit(CallContext context, DigestSigner signer, byte[] digest) throws SigilException {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(context.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SigilException(ErrorCode.BUSY, "Interrupted while waiting for a signing permit", e);
        }
        if (!acquired) {
            throw new SigilException(ErrorCode.BUSY, "All signing permits are in use; retry shortly");
        }
        try {
            return signer.sign(digest);
        } finally {
            permits.release();
        }
    }

    /** Stops the pool; calls in progress are interrupted. Idempotent. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
