package dev.sigil.backend.kit;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.BackendHealth;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The health of a backend of a remote service, from the results of its recent calls, so that
 * {@link dev.sigil.api.backend.SigningBackend#health()} never makes a call of its own:
 * <ul>
 *   <li>{@code DOWN} after {@value #DOWN_AFTER} failed calls in a row (the service cannot be reached,
 *       refuses the credentials), or while {@link #down(String)} says so — until a call succeeds;</li>
 *   <li>{@code DEGRADED} when, within the window, calls were throttled or failed;</li>
 *   <li>{@code UP} otherwise, and while there were no calls at all.</li>
 * </ul>
 * A refusal that is the request's fault (an unknown or disabled key, a bad digest) is an answer from
 * a working service and counts as a success. Thread-safe.
 *
 * <pre>{@code
 * try {
 *     byte[] s = client.sign(...);
 *     health.success();
 * } catch (SigilException e) {
 *     health.failure(e);
 *     throw e;
 * }
 * }</pre>
 */
public final class CallHealth {
    /** Consecutive failures that make the backend DOWN. */
    public static final int DOWN_AFTER = 3;
    /** The most results remembered. */
    private static final int MAX_RESULTS = 256;

    private enum Kind { OK, THROTTLED, FAILED }

    private record Result(long atMillis, Kind kind, String reason) {
    }

    private final Clock clock;
    private final long windowMillis;
    private final Deque<Result> results = new ArrayDeque<>();
    private int failuresInARow;
    private String lastFailure;
    private String downReason;

    /**
     * @param clock  the time source; not null
     * @param window how far back results count; positive
     */
    public CallHealth(Clock clock, Duration window) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowMillis = window.toMillis();
    }

    /** A one-minute window on the system clock. */
    public CallHealth() {
        this(Clock.systemUTC(), Duration.ofMinutes(1));
    }

    /** A call succeeded (or was refused for the request's own fault). */
    public synchronized void success() {
        add(Kind.OK, null);
        failuresInARow = 0;
        downReason = null;
    }

    /**
     * A call failed with {@code e}: {@link ErrorCode#BUSY} counts as throttled,
     * {@link ErrorCode#BACKEND_UNAVAILABLE} and {@link ErrorCode#INTERNAL} as failed, anything else
     * (the request's fault) as a success.
     */
    public synchronized void failure(SigilException e) {
        switch (e.code()) {
            case BUSY -> add(Kind.THROTTLED, e.getMessage());
            case BACKEND_UNAVAILABLE, INTERNAL -> {
                add(Kind.FAILED, e.getMessage());
                failuresInARow++;
                lastFailure = e.getMessage();
            }
            default -> success();
        }
    }

    /** Marks the backend DOWN with an operator-facing reason until a call succeeds. */
    public synchronized void down(String reason) {
        downReason = Objects.requireNonNull(reason, "reason");
    }

    /** The health now; cheap, never blocks. */
    public synchronized BackendHealth health() {
        if (downReason != null) {
            return BackendHealth.down(downReason);
        }
        if (failuresInARow >= DOWN_AFTER) {
            return BackendHealth.down("the last " + failuresInARow + " calls failed: " + lastFailure);
        }
        long since = clock.millis() - windowMillis;
        while (!results.isEmpty() && results.peekFirst().atMillis() < since) {
            results.removeFirst();
        }
        int throttled = 0;
        int failed = 0;
        String reason = null;
        for (Result r : results) {
            if (r.kind() == Kind.THROTTLED) {
                throttled++;
            } else if (r.kind() == Kind.FAILED) {
                failed++;
                reason = r.reason();
            }
        }
        long seconds = windowMillis / 1000;
        if (failed > 0) {
            return BackendHealth.degraded(failed + " of the last " + results.size() + " calls in " + seconds
                    + " s failed: " + reason);
        }
        if (throttled > 0) {
            return BackendHealth.degraded(throttled + " of the last " + results.size() + " calls in " + seconds
                    + " s were throttled");
        }
        return BackendHealth.UP;
    }

    private void add(Kind kind, String reason) {
        if (results.size() == MAX_RESULTS) {
            results.removeFirst();
        }
        results.addLast(new Result(clock.millis(), kind, reason));
    }
}
