package dev.sigil.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one checked exception of Sigil's SPIs.
 *
 * <p>The message must be safe to show to a client: it names the parameter or the condition, never a
 * PIN, OTP, SAD, key material or a vendor's internal message. Vendor detail belongs in the cause
 * (which is logged, not returned).
 *
 * <p>A retryable failure may carry how long the caller should wait before trying again, for example
 * the {@code Retry-After} of a key service that throttles; the transport passes it on to the client.
 */
public class SigilException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    /** Null when unknown. */
    private final Duration retryAfter;

    /**
     * @param code    the error class; not null
     * @param message a client-safe description; not null
     */
    public SigilException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    /**
     * @param code    the error class; not null
     * @param message a client-safe description; not null
     * @param cause   the underlying failure, for the log; may be null
     */
    public SigilException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, null);
    }

    /**
     * @param code       the error class; not null
     * @param message    a client-safe description; not null
     * @param cause      the underlying failure, for the log; may be null
     * @param retryAfter how long to wait before a retry may succeed; null if unknown; must not be
     *                   negative
     * @since api 1.3
     */
    public SigilException(ErrorCode code, String message, Throwable cause, Duration retryAfter) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
        this.retryAfter = retryAfter;
    }

    /** The error class; never null. */
    public ErrorCode code() {
        return code;
    }

    /**
     * How long the caller should wait before the same request may succeed, where the failure says
     * (a throttling key service's {@code Retry-After}); empty if unknown.
     *
     * @since api 1.3
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
