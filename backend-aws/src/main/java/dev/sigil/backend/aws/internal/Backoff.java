package dev.sigil.backend.aws.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff ("equal jitter"): before retry {@code n} (0-based) wait half of
 * {@code min(cap, base * 2^n)} plus a random part of the other half, so that signers throttled
 * together do not come back together, yet each waits at least something.
 *
 * <p>TODO(kit): the shared {@code dev.sigil.backend.kit} retry-within-deadline replaces this once it
 * lands on main.
 */
final class Backoff {
    private final long baseMillis;
    private final long capMillis;

    Backoff(Duration base, Duration cap) {
        this.baseMillis = Math.max(1, base.toMillis());
        this.capMillis = Math.max(baseMillis, cap.toMillis());
    }

    /** The pause before retry {@code n} (0 for the first retry). */
    Duration delay(int n) {
        long ceiling = capMillis;
        if (n < 31) {
            ceiling = Math.min(capMillis, baseMillis << n);
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    /** The longest pause before retry {@code n}: what a client is told to wait at most. */
    Duration ceiling(int n) {
        return Duration.ofMillis(n < 31 ? Math.min(capMillis, baseMillis << n) : capMillis);
    }
}
