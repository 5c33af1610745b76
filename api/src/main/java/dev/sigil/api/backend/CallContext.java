package dev.sigil.api.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a backend knows about the request behind a call: its id, to put in the backend's log lines so
 * they can be matched to the request, and the deadline after which the client no longer waits, so
 * that a backend never spends longer than that (retries of a throttled call included).
 *
 * <pre>{@code
 * CallContext ctx = CallContext.of("a1b2c3", Duration.ofSeconds(10));
 * List<byte[]> signatures = backend.sign(key, SignatureAlgorithm.ECDSA_SHA256, digests, ctx);
 * }</pre>
 *
 * @param requestId the request id (also in the answer and the access log); may be null for calls
 *                  that do not come from a request (the admin CLI, start-up)
 * @param deadline  when the caller stops waiting; not null
 * @since api.backend 1.2
 */
public record CallContext(String requestId, Instant deadline) {
    /** The deadline of calls made without one: long enough for any backend call, never unbounded. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public CallContext {
        Objects.requireNonNull(deadline, "deadline");
    }

    /** A context whose deadline is {@code timeout} from now. */
    public static CallContext of(String requestId, Duration timeout) {
        return new CallContext(requestId, Instant.now().plus(timeout));
    }

    /** A context without request id and with the {@link #DEFAULT_TIMEOUT}. */
    public static CallContext defaults() {
        return of(null, DEFAULT_TIMEOUT);
    }

    /** The time left until the deadline; zero (never negative) once it has passed. */
    public Duration remaining() {
        return remaining(Clock.systemUTC());
    }

    /** The time left until the deadline by {@code clock}; zero once it has passed. */
    public Duration remaining(Clock clock) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Whether the deadline has passed. */
    public boolean expired() {
        return remaining().isZero();
    }
}
