package dev.sigil.backend.aws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.kms.model.KmsException;

/** The one table of AWS errors. */
class KmsErrorsTest {

    private static KmsErrors.Mapped aws(String code, int status) {
        return KmsErrors.map(KmsException.builder().statusCode(status).message("vendor text")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("vendor text")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).putHeader("Retry-After", "3").build())
                        .build())
                .build());
    }

    @Test
    void theFamiliesMapAsDocumented() {
        assertEquals(ErrorCode.KEY_NOT_FOUND, aws("NotFoundException", 400).code());
        assertEquals(KmsErrors.KEY_DISABLED_CODE, aws("DisabledException", 400).code());
        assertEquals(KmsErrors.Kind.KEY_DISABLED, aws("KMSInvalidStateException", 400).kind());
        for (String c : new String[] {"ThrottlingException", "LimitExceededException"}) {
            assertEquals(ErrorCode.BUSY, aws(c, 400).code(), c);
        }
        for (String c : new String[] {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                "ExpiredTokenException"}) {
            assertEquals(KmsErrors.Kind.CREDENTIALS, aws(c, 400).kind(), c);
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, aws(c, 400).code(), c);
        }
        assertEquals(ErrorCode.UNSUPPORTED_ALGORITHM, aws("InvalidKeyUsageException", 400).code());
        assertEquals(ErrorCode.UNSUPPORTED_OPERATION, aws("UnsupportedOperationException", 400).code());
        for (String c : new String[] {"KMSInternalException", "DependencyTimeoutException"}) {
            assertEquals(KmsErrors.Kind.UNAVAILABLE, aws(c, 500).kind(), c);
        }
        assertEquals(ErrorCode.INTERNAL, aws("ValidationException", 400).code());
    }

    @Test
    void unlistedCodesFallBackToTheStatus() {
        assertEquals(ErrorCode.BUSY, aws("SomethingNew", 429).code());
        assertEquals(KmsErrors.Kind.CREDENTIALS, aws(null, 403).kind());
        assertEquals(KmsErrors.Kind.UNAVAILABLE, aws(null, 503).kind());
        assertEquals(ErrorCode.INTERNAL, aws("SomethingNew", 400).code());
    }

    @Test
    void theRetryAfterHeaderIsKeptAndTheVendorDetailIsForTheLog() {
        KmsErrors.Mapped m = aws("ThrottlingException", 400);
        assertEquals(Duration.ofSeconds(3), m.retryAfter().orElseThrow());
        assertTrue(m.vendorDetail().contains("ThrottlingException") && m.vendorDetail().contains("vendor text"));
    }

    @Test
    void timeoutsAndNetworkFailuresAreUnavailableOtherClientErrorsInternal() {
        assertEquals(KmsErrors.Kind.UNAVAILABLE, KmsErrors.map(ApiCallTimeoutException.create(1000)).kind());
        assertEquals(KmsErrors.Kind.UNAVAILABLE, KmsErrors.map(ApiCallAttemptTimeoutException.create(500)).kind());
        assertEquals(KmsErrors.Kind.UNAVAILABLE, KmsErrors.map(SdkClientException.create("connect",
                new ConnectException("refused"))).kind());
        assertEquals(KmsErrors.Kind.UNAVAILABLE, KmsErrors.map(SdkClientException.create("io", new IOException("x"))).kind());
        assertEquals(KmsErrors.Kind.CREDENTIALS, KmsErrors.map(SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain")).kind());
        assertEquals(ErrorCode.INTERNAL, KmsErrors.map(SdkClientException.create("odd")).code());
        assertEquals(ErrorCode.INTERNAL, KmsErrors.map(new IllegalStateException("bug")).code());
    }

    @Test
    void retryableIsThrottlingAndUnavailabilityOnly() {
        for (KmsErrors.Row r : KmsErrors.rows().values()) {
            assertEquals(r.kind() == KmsErrors.Kind.THROTTLED || r.kind() == KmsErrors.Kind.UNAVAILABLE, r.retryable());
        }
    }
}
