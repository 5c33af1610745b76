package dev.sigil.backend.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.BackendHealth.State;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class CallHealthTest {
    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-12-07T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final CallHealth health = new CallHealth(clock, Duration.ofSeconds(60));

    @Test
    void upBeforeAnyCallAndAfterSuccesses() {
        assertEquals(State.UP, health.health().state());
        health.success();
        assertEquals(State.UP, health.health().state());
    }

    @Test
    void throttlingMakesItDegradedUntilTheWindowHasPassed() {
        health.success();
        health.failure(new SigilException(ErrorCode.BUSY, "throttled"));
        assertEquals(State.DEGRADED, health.health().state());
        assertTrue(health.health().detail().contains("1 of the last 2 calls in 60 s were throttled"),
                health.health().detail());
        clock.now = clock.now.plusSeconds(61);
        assertEquals(State.UP, health.health().state());
    }

    @Test
    void consecutiveFailuresMakeItDownAndASuccessBringsItBack() {
        SigilException unreachable = new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "connection refused");
        health.failure(unreachable);
        health.failure(unreachable);
        assertEquals(State.DEGRADED, health.health().state());
        health.failure(unreachable);
        assertEquals(State.DOWN, health.health().state());
        assertEquals("the last 3 calls failed: connection refused", health.health().detail());
        health.success();
        assertEquals(State.DEGRADED, health.health().state(), "the failures are still in the window");
        clock.now = clock.now.plusSeconds(61);
        assertEquals(State.UP, health.health().state());
    }

    @Test
    void refusalsForTheRequestsOwnFaultAreAnswersOfAWorkingService() {
        for (ErrorCode c : new ErrorCode[] {ErrorCode.KEY_NOT_FOUND, ErrorCode.KEY_DISABLED,
                ErrorCode.INVALID_DIGEST, ErrorCode.UNSUPPORTED_ALGORITHM}) {
            health.failure(new SigilException(c, "x"));
        }
        assertEquals(State.UP, health.health().state());
    }

    @Test
    void anExplicitDownLastsUntilACallSucceeds() {
        health.down("the credentials were refused");
        assertEquals(State.DOWN, health.health().state());
        assertEquals("the credentials were refused", health.health().detail());
        health.success();
        assertEquals(State.UP, health.health().state());
    }
}
