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
}
