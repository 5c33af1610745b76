package dev.sigil.backend.pkcs11.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded pool of sessions with {@link #borrow(long) borrow(timeout)}: at most {@code capacity}
 * sessions exist at once, opened on demand; a caller that finds all of them busy waits at most the
 * timeout and then gets {@link Exhausted}, never an unbounded wait.
 *
 * <pre>{@code
 * S session = pool.borrow(2000);
 * try {
 *     ... use the session ...
 *     pool.release(session);            // or pool.discard(session) if its state is unknown
 * } catch (...) { ... }
 * }</pre>
 *
 * <p>Thread-safe. Every borrowed session must be handed back exactly once, by {@link #release}
 * or {@link #discard}. After {@link #close()} waiters wake up with {@link Closed}, idle sessions are
 * closed at once and borrowed ones when they are handed back.
 *
 * @param <S> the session type (the wrapper's {@code Session}; a stand-in in unit tests)
 */
final class SessionPool<S> {
    /** Opens a new session. */
    @FunctionalInterface
    interface Opener<S> {
        S open() throws Exception;
    }

    /** Closes a session; must not throw (log and swallow instead). */
    @FunctionalInterface
    interface Closer<S> {
        void close(S session);
    }

    /** All sessions stayed busy for the whole timeout. */
    static final class Exhausted extends Exception {
        private static final long serialVersionUID = 1L;

        Exhausted(String message) {
            super(message, null, false, false);
        }
    }

    /** The pool was closed (the backend is reconnecting or stopping). */
    static final class Closed extends Exception {
        private static final long serialVersionUID = 1L;

        Closed(String message) {
            super(message, null, false, false);
        }
    }

    private final int capacity;
    private final Opener<S> opener;
    private final Closer<S> closer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final Deque<S> idle = new ArrayDeque<>();
    /** Sessions that exist (idle, borrowed or being opened); guarded by {@link #lock}. */
    private int open;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Sessions handed out by {@link #borrow} so far; guarded by {@link #lock}. */
    private long borrows;

    /**
     * @param capacity the most sessions that exist at once; at least 1
     * @param opener   opens a session; called without the lock held
     * @param closer   closes a session; called without the lock held
     */
    SessionPool(int capacity, Opener<S> opener, Closer<S> closer) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.opener = Objects.requireNonNull(opener, "opener");
        this.closer = Objects.requireNonNull(closer, "closer");
    }

    /**
     * Takes an idle session, opens a new one while fewer than {@code capacity} exist, or waits for
     * one to come back.
     *
     * @param timeoutMs the longest wait in milliseconds
     * @return a session the caller owns until it hands it back
     * @throws Exhausted if no session was free within the timeout
     * @throws Closed    if the pool is closed, or closes while the caller waits
     * @throws Exception whatever the opener throws when a new session cannot be opened
     */
    S borrow(long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new Closed("the session pool is closed");
                }
                S session = idle.pollFirst();
                if (session != null) {
                    borrows++;
                    return session;
                }
                if (open < capacity) {
                    open++;
                    borrows++;
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new Exhausted("all " + capacity + " sessions stayed busy for " + timeoutMs + " ms");
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        // A slot was reserved: open outside the lock, since C_OpenSession may block on the network.
        S session = null;
        try {
            session = opener.open();
            return session;
        } finally {
            if (session == null) {
                forget();
            }
        }
    }

    /** Hands a healthy session back for the next caller. */
    void release(S session) {
        Objects.requireNonNull(session, "session");
        boolean closeIt;
        lock.lock();
        try {
            closeIt = closed;
            if (closeIt) {
                open--;
            } else {
                idle.addFirst(session);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (closeIt) {
            closer.close(session);
        }
    }

    /** Closes a session whose state is unknown; the next borrower may open a new one in its place. */
    void discard(S session) {
        Objects.requireNonNull(session, "session");
        forget();
        closer.close(session);
    }

    /**
     * Closes the idle sessions and makes every later or waiting {@link #borrow} fail with
     * {@link Closed}; sessions that are borrowed now are closed when they are handed back.
     * Idempotent.
     */
    void close() {
        Deque<S> toClose;
        lock.lock();
        try {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            open -= idle.size();
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (S s : toClose) {
            closer.close(s);
        }
    }

    /**
     * Waits until every borrowed session has been handed back, for at most {@code timeoutMs}.
     * Used before {@code C_Finalize}, which must not run while another thread is inside the library.
     *
     * @return true if no session is out
     */
    boolean awaitReturned(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (open - idle.size() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The most sessions that exist at once. */
    int capacity() {
        return capacity;
    }

    /** The sessions that exist now (idle and borrowed), for tests. */
    int openCount() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** How many times {@link #borrow} reserved a session (including ones whose opening failed), for tests. */
    long borrowCount() {
        lock.lock();
        try {
            return borrows;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void forget() {
        lock.lock();
        try {
            open--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
