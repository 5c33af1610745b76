package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds key-derivation work (PBKDF2): at most {@code threads} derivations run at once, each lane
 * has a short queue of callers waiting for a turn, and a caller beyond the queue, or one that waited
 * {@code maxWait} in vain, gets {@link ErrorCode#BUSY} (the transport answers 503 with
 * {@code Retry-After}). So a flood of logins costs at most {@code threads} cores, never the whole
 * machine, and is refused fast instead of piling up.
 *
 * <p>Work runs on the caller's thread; the pool only decides when. {@link Lane#AUTHENTICATED} work
 * (the PIN, checked only for a caller holding an access token) is let in before
 * {@link Lane#OPEN} work (the password at login, which anyone can cause), and each lane has its own
 * queue, so that a flood of logins can neither fill the PIN's queue nor keep the PIN waiting behind
 * it for more than the derivations already running.
 *
 * <p>Thread-safe. One instance is shared by the password and the PIN factor through
 * {@link KeyDerivation}; there is no static state.
 *
 * <pre>{@code
 * DerivationPool pool = new DerivationPool(2, 4, Duration.ofSeconds(2));
 * byte[] hash = pool.run(Lane.OPEN, () -> Pbkdf2Hasher.derive(secret, salt, 600_000, 32));
 * }</pre>
 */
final class DerivationPool {
    /** Which queue a piece of work waits in; earlier constants are served first. */
    enum Lane {
        /** Work for a caller who is already authenticated (the PIN): served first. */
        AUTHENTICATED,
        /** Work anyone can cause (the password at login). */
        OPEN
    }

    /** A piece of work. */
    interface Work<T> {
        T run() throws SigilException;
    }

    static final String BUSY_MESSAGE = "Too many authentications in progress, retry shortly";

    private final int threads;
    private final int queue;
    private final long maxWaitNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    private final Map<Lane, Integer> waiting = new EnumMap<>(Lane.class);
    private int running;

    /**
     * @param threads derivations at once; positive
     * @param queue   callers that may wait per lane; zero or more
     * @param maxWait how long a waiting caller waits at most; positive
     * @throws IllegalArgumentException if a bound is out of range
     */
    DerivationPool(int threads, int queue, Duration maxWait) {
        if (threads < 1 || queue < 0 || maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("threads must be positive, queue not negative, maxWait positive");
        }
        this.threads = threads;
        this.queue = queue;
        this.maxWaitNanos = Objects.requireNonNull(maxWait, "maxWait").toNanos();
        for (Lane l : Lane.values()) {
            waiting.put(l, 0);
        }
    }

    int threads() {
        return threads;
    }

    int queue() {
        return queue;
    }

    /**
     * Runs work when a turn is free.
     *
     * @return what the work returned
     * @throws SigilException {@link ErrorCode#BUSY} if the lane's queue is full, the wait exceeded
     *                        {@code maxWait} or the thread was interrupted while waiting (its
     *                        interrupt status is kept); otherwise what the work threw
     */
    <T> T run(Lane lane, Work<T> work) throws SigilException {
        Objects.requireNonNull(lane, "lane");
        acquire(lane);
        try {
            return work.run();
        } finally {
            release();
        }
    }

    private void acquire(Lane lane) throws SigilException {
        lock.lock();
        try {
            if (mayStart(lane)) {
                running++;
                return;
            }
            if (waiting.get(lane) >= queue) {
                throw busy();
            }
            waiting.merge(lane, 1, Integer::sum);
            try {
                long nanos = maxWaitNanos;
                while (!mayStart(lane)) {
                    if (nanos <= 0) {
                        throw busy();
                    }
                    nanos = turn.awaitNanos(nanos);
                }
                running++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw busy();
            } finally {
                waiting.merge(lane, -1, Integer::sum);
                // A caller of a later lane may be let in now that this one no longer waits.
                turn.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a caller of this lane may start now: a free thread, and no earlier lane waiting. */
    private boolean mayStart(Lane lane) {
        if (running >= threads) {
            return false;
        }
        for (Lane earlier : Lane.values()) {
            if (earlier == lane) {
                return true;
            }
            if (waiting.get(earlier) > 0) {
                return false;
            }
        }
        return true;
    }

    private void release() {
        lock.lock();
        try {
            running--;
            // Few waiters (the queues are short): wake them all and let the lane order decide.
            turn.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static SigilException busy() {
        return new SigilException(ErrorCode.BUSY, BUSY_MESSAGE);
    }

    @Override
    public String toString() {
        return "DerivationPool[threads=" + threads + ", queue=" + queue + " per lane, max wait "
                + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms]";
    }
}
