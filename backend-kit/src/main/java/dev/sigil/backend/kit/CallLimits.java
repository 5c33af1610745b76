package dev.sigil.backend.kit;

import dev.sigil.api.SigilException;

import java.time.Duration;

/**
 * The limits of a backend's calls to a remote key service, as its configuration names them:
 * {@code call.timeout.ms} (one operation, retries included), {@code attempt.timeout.ms} (one HTTP
 * attempt), {@code max.concurrent.calls} (over all requests), {@code max.parallel.signatures} (one
 * batch) and {@code max.retries}. {@link #check} validates them with the one-line problems of
 * {@link SettingsChecks}, e.g. {@code backend-aws 'kms': max.parallel.signatures 33 is outside
 * 1..max.concurrent.calls (32)}.
 *
 * @param callTimeout        the longest one operation may take, retries included
 * @param attemptTimeout     the longest one attempt may take; at most {@code callTimeout}
 * @param maxConcurrentCalls the most calls of the backend instance at once
 * @param maxParallel        the most calls of one batch at once; at most {@code maxConcurrentCalls}
 * @param maxRetries         how often a retryable failure is retried
 */
public record CallLimits(Duration callTimeout, Duration attemptTimeout, int maxConcurrentCalls, int maxParallel,
                         int maxRetries) {
    /** The longest {@code call.timeout.ms}. */
    public static final long MAX_TIMEOUT_MS = 60_000;
    /** The most {@code max.concurrent.calls}. */
    public static final int MAX_CONCURRENT_CALLS = 1024;
    /** The most {@code max.retries}. */
    public static final int MAX_RETRIES = 10;

    /** Validates the five settings as configured. */
    public static CallLimits check(SettingsChecks checks, long callTimeoutMs, long attemptTimeoutMs,
                                   int maxConcurrentCalls, int maxParallel, int maxRetries) throws SigilException {
        long call = checks.range("call.timeout.ms", callTimeoutMs, 1, MAX_TIMEOUT_MS);
        if (attemptTimeoutMs < 1 || attemptTimeoutMs > call) {
            throw checks.problem("attempt.timeout.ms " + attemptTimeoutMs + " is outside 1..call.timeout.ms (" + call + ")");
        }
        int concurrent = checks.range("max.concurrent.calls", maxConcurrentCalls, 1, MAX_CONCURRENT_CALLS);
        if (maxParallel < 1 || maxParallel > concurrent) {
            throw checks.problem("max.parallel.signatures " + maxParallel + " is outside 1..max.concurrent.calls ("
                    + concurrent + ")");
        }
        int retries = checks.range("max.retries", maxRetries, 0, MAX_RETRIES);
        return new CallLimits(Duration.ofMillis(call), Duration.ofMillis(attemptTimeoutMs), concurrent, maxParallel,
                retries);
    }
}
