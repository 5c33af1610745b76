package dev.sigil.backend.kit;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Retries a call that its key service throttled ({@link ErrorCode#BUSY}: HTTP 429, AWS
 * {@code ThrottlingException}) with jittered exponential backoff, but only while the request's
 * deadline leaves time for the wait and another call. Nothing else is retried by default: a wrong
 * credential or an unknown key would fail again, and a failure that may have reached the service (a
 * timeout) is the caller's to judge. A backend whose calls are safe to repeat (a signature consumes
 * nothing) may say which other failures are transient with
 * {@link #ThrottleRetry(int, Duration, Duration, Predicate)}, e.g. a service's HTTP 5xx.
 * Thread-safe and stateless apart from its settings.
 *
 * <p>The wait before attempt <i>n</i> (n ≥ 1) is a random duration in [0, min(cap, base·2ⁿ⁻¹)]
 * ("full jitter", so that many clients throttled at once do not come back at once), but at least
 * the service's own {@link SigilException#retryAfter() Retry-After}. When the wait would pass the
 * deadline, or the attempts are used up, a throttled call fails with {@link ErrorCode#BUSY} carrying
 * the wait as its retry-after, which the transport gives the client; any other retried failure is
 * thrown as it is.
 *
 * <pre>{@code
 * ThrottleRetry retry = new ThrottleRetry(4, Duration.ofMillis(50), Duration.ofSeconds(2));
 * byte[] signature = retry.call(ctx, () -> kms.sign(keyId, algorithm, digest));
 * }</pre>
 */
public final class ThrottleRetry {
    /** What is retried: a call that fails with a {@link SigilException}. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws SigilException;
    }

    private final int maxAttempts;
    private final Duration base;
    private final Duration cap;
    private final Predicate<SigilException> retryable;

    /**
     * Retries throttled calls ({@link ErrorCode#BUSY}) only.
     *
     * @param maxAttempts the most calls made, the first included; at least 1
     * @param base        the first wait's upper bound; positive
     * @param cap         no wait's upper bound exceeds this; at least {@code base}
     */
    public ThrottleRetry(int maxAttempts, Duration base, Duration cap) {
        this(maxAttempts, base, cap, ThrottleRetry::throttled);
    }

    /**
     * Retries the failures {@code retryable} accepts.
     *
     * @param retryable which failures may succeed if the same call is made again after a wait; only
     *                  for calls that are safe to repeat. Usually {@code e -> throttled(e) || ...}:
     *                  a predicate that leaves out {@link ErrorCode#BUSY} does not retry throttling
     */
    public ThrottleRetry(int maxAttempts, Duration base, Duration cap, Predicate<SigilException> retryable) {
        Objects.requireNonNull(retryable, "retryable");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("base must be positive and cap at least base");
        }
        this.maxAttempts = maxAttempts;
        this.base = base;
        this.cap = cap;
        this.retryable = retryable;
    }

    /** The default predicate: whether the service throttled the call ({@link ErrorCode#BUSY}). */
    public static boolean throttled(SigilException e) {
        return e.code() == ErrorCode.BUSY;
    }

    /**
     * Makes the call, retrying it while it fails retryably and the deadline allows.
     *
     * @param context the request's deadline; not null
     * @param call    the call; not null
     * @return what the call returned
     * @throws SigilException the call's own failure if it is not retryable, or if it is but not
     *                        {@link ErrorCode#BUSY} and retrying must stop; {@link ErrorCode#BUSY}
     *                        with a retry-after once retrying a throttled call must stop
     */
    public <T> T call(CallContext context, Call<T> call) throws SigilException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(call, "call");
        for (int attempt = 1; ; attempt++) {
            if (context.expired()) {
                throw new SigilException(ErrorCode.BUSY, "The key service did not answer within the deadline");
            }
            SigilException failed;
            try {
                return call.call();
            } catch (SigilException e) {
                if (!retryable.test(e)) {
                    throw e;
                }
                failed = e;
            }
            Duration wait = backoff(attempt, failed.retryAfter().orElse(Duration.ZERO));
            if (attempt >= maxAttempts || wait.compareTo(context.remaining()) >= 0) {
                if (!throttled(failed)) {
                    throw failed;
                }
                throw new SigilException(ErrorCode.BUSY, "The key service is throttling requests; retry later",
                        failed, wait.isZero() ? base : wait);
            }
            try {
                Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SigilException(ErrorCode.BUSY, "Interrupted while waiting to retry", failed);
            }
        }
    }

    /** The wait after the {@code attempt}-th throttled call. */
    Duration backoff(int attempt, Duration retryAfter) {
        long bound = base.toNanos() << Math.min(attempt - 1, 20);
        bound = Math.min(bound <= 0 ? Long.MAX_VALUE : bound, cap.toNanos());
        Duration jittered = Duration.ofNanos(ThreadLocalRandom.current().nextLong(bound + 1));
        return jittered.compareTo(retryAfter) < 0 ? retryAfter : jittered;
    }
}
