package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMappingTest {
    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeHasARow(ErrorCode code) {
        assertNotNull(ErrorMapping.row(code), code.name());
    }

    @Test
    void serverSideFailuresKeepTheirDetailOutOfTheAnswer() {
        ApiError e = ErrorMapping.toApiError(new SigilException(ErrorCode.INTERNAL, "CKR_DEVICE_ERROR in /opt/hsm"));
        assertEquals(500, e.status());
        assertEquals("server_error", e.error());
        assertEquals("Internal server error", e.getMessage());
    }

    @Test
    void aBadTokenIs401AndRetryableErrorsSayWhen() {
        assertEquals(401, ErrorMapping.row(ErrorCode.INVALID_TOKEN).status());
        assertEquals("invalid_token", ErrorMapping.row(ErrorCode.INVALID_TOKEN).error());
        ApiError busy = ErrorMapping.toApiError(new SigilException(ErrorCode.BUSY, "all sessions in use"));
        assertEquals(503, busy.status());
        assertEquals(1, busy.retryAfterSeconds());
    }

    @Test
    void aThrottlingServicesWaitBecomesTheRetryAfterRoundedUpAndCapped() {
        ApiError throttled = ErrorMapping.toApiError(new SigilException(ErrorCode.BUSY, "throttled", null,
                java.time.Duration.ofMillis(2_300)));
        assertEquals(503, throttled.status());
        assertEquals(3, throttled.retryAfterSeconds());
        ApiError brief = ErrorMapping.toApiError(new SigilException(ErrorCode.BUSY, "throttled", null,
                java.time.Duration.ofMillis(40)));
        assertEquals(1, brief.retryAfterSeconds());
        ApiError huge = ErrorMapping.toApiError(new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "x", null,
                java.time.Duration.ofDays(2)));
        assertEquals(ErrorMapping.MAX_RETRY_AFTER_SECONDS, huge.retryAfterSeconds());
        ApiError notRetryable = ErrorMapping.toApiError(new SigilException(ErrorCode.KEY_DISABLED, "key b/k is disabled",
                null, java.time.Duration.ofSeconds(9)));
        assertEquals(0, notRetryable.retryAfterSeconds(), "only a retryable failure says when to retry");
    }

    @Test
    void aDisabledKeyIsTheClientsToKnowAbout() {
        ApiError e = ErrorMapping.toApiError(new SigilException(ErrorCode.KEY_DISABLED, "key b/k is disabled"));
        assertEquals(400, e.status());
        assertEquals("invalid_request", e.error());
        assertEquals("key b/k is disabled", e.getMessage());
    }
}
