package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The one table that maps what AWS answers (its error code, else its HTTP status) and what the SDK
 * throws to Sigil's {@link ErrorCode}, and to what the backend does about it. Nowhere else in this
 * bundle is an AWS error turned into an error code.
 *
 * <p>The vendor's code, status, request id and message go to the log (see {@link Mapped#vendorDetail()});
 * the {@link dev.sigil.api.SigilException} a client sees carries only the mapped code and a sentence
 * of the backend's own.
 */
final class KmsErrors {

    /** What the failure says about the key, the call or the backend; drives retries and health. */
    enum Kind {
        /** The key does not exist (or is not visible to these credentials). The service is fine. */
        KEY_MISSING,
        /** The key exists but cannot sign now: disabled, pending deletion, pending import. */
        KEY_DISABLED,
        /** The request does not fit the key (algorithm, usage). The service is fine. */
        REQUEST,
        /** KMS throttled us: retry with backoff while the deadline allows, then BUSY. */
        THROTTLED,
        /** KMS refused the credentials or their permissions: not retried; health DOWN. */
        CREDENTIALS,
        /** KMS or the network failed or timed out: retried while the deadline allows. */
        UNAVAILABLE,
        /** Anything else: a bug on either side. Not retried. */
        INTERNAL
    }

    /**
     * One row: the code clients see and the kind.
     *
     * @param code the Sigil error code
     * @param kind what the backend does
     */
    record Row(ErrorCode code, Kind kind) {
        /** Whether the same call may succeed if repeated after a pause. */
        boolean retryable() {
            return kind == Kind.THROTTLED || kind == Kind.UNAVAILABLE;
        }

        /** Whether the failure says the service answered normally (for health: not a failure of KMS). */
        boolean serviceFine() {
            return kind == Kind.KEY_MISSING || kind == Kind.KEY_DISABLED || kind == Kind.REQUEST;
        }
    }

    /**
     * A mapped failure.
     *
     * @param row          the table row
     * @param vendorDetail the AWS code, HTTP status, request id and message, for the log only
     * @param retryAfter   the service's Retry-After, if it sent one
     */
    record Mapped(Row row, String vendorDetail, Optional<Duration> retryAfter) {
        ErrorCode code() {
            return row.code();
        }

        Kind kind() {
            return row.kind();
        }
    }

    /** A disabled or pending-deletion key. */
    static final ErrorCode KEY_DISABLED_CODE = ErrorCode.KEY_DISABLED;

    static final Row KEY_MISSING = new Row(ErrorCode.KEY_NOT_FOUND, Kind.KEY_MISSING);
    static final Row KEY_DISABLED = new Row(KEY_DISABLED_CODE, Kind.KEY_DISABLED);
    static final Row THROTTLED = new Row(ErrorCode.BUSY, Kind.THROTTLED);
    static final Row CREDENTIALS = new Row(ErrorCode.BACKEND_UNAVAILABLE, Kind.CREDENTIALS);
    static final Row UNAVAILABLE = new Row(ErrorCode.BACKEND_UNAVAILABLE, Kind.UNAVAILABLE);
    static final Row UNSUPPORTED_ALGORITHM = new Row(ErrorCode.UNSUPPORTED_ALGORITHM, Kind.REQUEST);
    static final Row UNSUPPORTED_OPERATION = new Row(ErrorCode.UNSUPPORTED_OPERATION, Kind.REQUEST);
    /** Codes, statuses and exceptions not in the table. */
    static final Row UNLISTED = new Row(ErrorCode.INTERNAL, Kind.INTERNAL);

    private static final Map<String, Row> BY_CODE = new HashMap<>();

    static {
        // The key.
        row("NotFoundException", KEY_MISSING);
        row("DisabledException", KEY_DISABLED);
        // Pending deletion, pending import, or the key store is in a state that cannot sign.
        row("KMSInvalidStateException", KEY_DISABLED);

        // Throttling: KMS's request quota, and the generic names other AWS services use.
        row("ThrottlingException", THROTTLED);
        row("LimitExceededException", THROTTLED);
        row("TooManyRequestsException", THROTTLED);
        row("RequestLimitExceeded", THROTTLED);
        row("Throttling", THROTTLED);

        // Credentials and permissions (KMS, and STS for the web identity and profile roles).
        row("AccessDeniedException", CREDENTIALS);
        row("AccessDenied", CREDENTIALS);
        row("UnrecognizedClientException", CREDENTIALS);
        row("InvalidSignatureException", CREDENTIALS);
        row("SignatureDoesNotMatch", CREDENTIALS);
        row("IncompleteSignature", CREDENTIALS);
        row("InvalidClientTokenId", CREDENTIALS);
        row("MissingAuthenticationToken", CREDENTIALS);
        row("MissingAuthenticationTokenException", CREDENTIALS);
        row("ExpiredTokenException", CREDENTIALS);
        row("ExpiredToken", CREDENTIALS);
        row("InvalidIdentityToken", CREDENTIALS);
        row("IDPRejectedClaim", CREDENTIALS);
        row("RegionDisabledException", CREDENTIALS);
        // A grant token we never send: a permission problem of the deployment, not of the client.
        row("InvalidGrantTokenException", CREDENTIALS);
        row("InvalidGrantIdException", CREDENTIALS);

        // The request does not fit the key.
        row("InvalidKeyUsageException", UNSUPPORTED_ALGORITHM);
        row("IncorrectKeyException", UNSUPPORTED_ALGORITHM);
        row("UnsupportedOperationException", UNSUPPORTED_OPERATION);

        // KMS, its dependencies or a custom key store failing: try again later.
        row("KMSInternalException", UNAVAILABLE);
        row("DependencyTimeoutException", UNAVAILABLE);
        row("KeyUnavailableException", UNAVAILABLE);
        row("CustomKeyStoreInvalidStateException", UNAVAILABLE);
        row("CloudHsmClusterNotActiveException", UNAVAILABLE);
        row("XksProxyUriUnreachableException", UNAVAILABLE);
        row("InternalFailure", UNAVAILABLE);
        row("InternalError", UNAVAILABLE);
        row("ServiceUnavailable", UNAVAILABLE);
        row("ServiceUnavailableException", UNAVAILABLE);
        row("IDPCommunicationError", UNAVAILABLE);
    }

    private static void row(String awsCode, Row row) {
        if (BY_CODE.put(awsCode, row) != null) {
            throw new IllegalStateException("KMS error table lists " + awsCode + " twice");
        }
    }

    /** The row of an AWS error code, or empty if the table does not list it. */
    static Optional<Row> byCode(String awsCode) {
        return Optional.ofNullable(awsCode == null ? null : BY_CODE.get(awsCode));
    }

    /** The row of an HTTP status whose error code the table does not list. */
    static Row byStatus(int status) {
        if (status == 429) {
            return THROTTLED;
        }
        if (status == 401 || status == 403) {
            return CREDENTIALS;
        }
        if (status >= 500 && status <= 599) {
            return UNAVAILABLE;
        }
        return UNLISTED;
    }

    /** The codes the table lists, for tests. */
    static Map<String, Row> rows() {
        return Map.copyOf(BY_CODE);
    }

    /** Maps anything an SDK call threw. */
    static Mapped map(Throwable t) {
        if (t instanceof AwsServiceException e) {
            AwsErrorDetails d = e.awsErrorDetails();
            String code = d == null ? null : d.errorCode();
            int status = e.statusCode();
            Row row = byCode(code).orElseGet(() -> byStatus(status));
            Optional<Duration> retryAfter = Optional.empty();
            if (d != null && d.sdkHttpResponse() != null) {
                retryAfter = d.sdkHttpResponse().firstMatchingHeader("Retry-After").flatMap(KmsErrors::seconds);
            }
            String detail = (code == null ? "no error code" : code) + ", HTTP " + status
                    + (e.requestId() == null ? "" : ", request " + e.requestId())
                    + (d == null || d.errorMessage() == null ? "" : ": " + d.errorMessage());
            return new Mapped(row, detail, retryAfter);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return new Mapped(UNAVAILABLE, t.getClass().getSimpleName() + ": " + t.getMessage(), Optional.empty());
        }
        if (t instanceof SdkClientException e) {
            if (hasCause(e, IOException.class) || hasCause(e, UncheckedIOException.class)) {
                return new Mapped(UNAVAILABLE, "SdkClientException: " + e.getMessage(), Optional.empty());
            }
            String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("credentials")) {
                // The provider could not produce credentials (no profile, no token file, IMDS refused).
                return new Mapped(CREDENTIALS, "SdkClientException: " + e.getMessage(), Optional.empty());
            }
            return new Mapped(UNLISTED, "SdkClientException: " + e.getMessage(), Optional.empty());
        }
        return new Mapped(UNLISTED, t.getClass().getName() + ": " + t.getMessage(), Optional.empty());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Duration> seconds(String value) {
        try {
            long s = Long.parseLong(value.trim());
            return s >= 0 && s <= 3600 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: not worth parsing for a hint
        }
    }

    private KmsErrors() {
    }
}
