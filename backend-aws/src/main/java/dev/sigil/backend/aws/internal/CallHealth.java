package dev.sigil.backend.aws.internal;

import dev.sigil.api.backend.BackendHealth;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * The backend's health, built from the outcomes of its recent KMS calls (the last
 * {@value #CAPACITY} within {@value #WINDOW_SECONDS} s): never a network call of its own, so
 * {@link #health()} never blocks.
 *
 * <ul>
 * <li>DOWN: KMS refused the credentials in the latest call, or every recent call failed;</li>
 * <li>DEGRADED: some recent calls were throttled or failed, others succeeded;</li>
 * <li>UP: otherwise, also when there were no recent calls and the last one succeeded.</li>
 * </ul>
 * With no call in the window the last outcome ever decides (a backend whose last call was refused
 * stays DOWN until a call succeeds).
 *
 * <p>TODO(kit): the shared call-result health of {@code dev.sigil.backend.kit} replaces this.
 */
final class CallHealth {
    static final int CAPACITY = 50;
    static final long WINDOW_SECONDS = 60;

    /** What one call did. */
    enum Outcome {
        /** KMS answered (also with an error about the key or the request: the service is fine). */
        OK,
        /** KMS throttled the call (whether or not a retry then went through). */
        THROTTLED,
        /** KMS or the network failed or timed out. */
        FAILED,
        /** KMS refused the credentials or their permissions. */
        REFUSED
    }

    private record Entry(long nanos, Outcome outcome, String detail) {
    }

    private final String subject;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Entry> recent = new ArrayDeque<>();
    private Entry last;
    private String notYet;

    /**
     * @param subject   how health details name the service, e.g. {@code AWS KMS (eu-west-2)}
     * @param nanoClock {@link System#nanoTime} in production
     */
    CallHealth(String subject, LongSupplier nanoClock) {
        this.subject = subject;
        this.nanoClock = nanoClock;
        this.notYet = "no call to " + subject + " yet";
    }

    /** Records one call's outcome; {@code detail} is an operator sentence (no secrets). */
    synchronized void record(Outcome outcome, String detail) {
        Entry e = new Entry(nanoClock.getAsLong(), outcome, detail);
        recent.addLast(e);
        while (recent.size() > CAPACITY) {
            recent.removeFirst();
        }
        last = e;
    }

    /** Sets what health says before any call was made (e.g. while the first discovery runs). */
    synchronized void beforeFirstCall(String detail) {
        notYet = detail;
    }

    synchronized BackendHealth health() {
        long now = nanoClock.getAsLong();
        long window = WINDOW_SECONDS * 1_000_000_000L;
        for (Iterator<Entry> it = recent.iterator(); it.hasNext(); ) {
            if (now - it.next().nanos > window) {
                it.remove();
            } else {
                break;
            }
        }
        if (last == null) {
            return BackendHealth.down(notYet);
        }
        if (last.outcome == Outcome.REFUSED) {
            return BackendHealth.down(subject + " refused the credentials: " + last.detail);
        }
        if (recent.isEmpty()) {
            return last.outcome == Outcome.OK || last.outcome == Outcome.THROTTLED ? BackendHealth.UP
                    : BackendHealth.down("the last call to " + subject + " failed: " + last.detail);
        }
        int ok = 0;
        int throttled = 0;
        int failed = 0;
        for (Entry e : recent) {
            switch (e.outcome) {
                case OK -> ok++;
                case THROTTLED -> throttled++;
                default -> failed++;
            }
        }
        if (ok == 0 && throttled == 0) {
            return BackendHealth.down("all " + failed + " recent calls to " + subject + " failed; last: " + last.detail);
        }
        if (throttled == 0 && failed == 0) {
            return BackendHealth.UP;
        }
        return BackendHealth.degraded("of " + recent.size() + " recent calls to " + subject + ", "
                + throttled + " throttled, " + failed + " failed");
    }
}
