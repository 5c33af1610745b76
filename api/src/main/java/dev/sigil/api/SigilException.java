package dev.sigil.api;

import java.util.Objects;

/**
 * The one checked exception of Sigil's SPIs.
 *
 * <p>The message must be safe to show to a client: it names the parameter or the condition, never a
 * PIN, OTP, SAD, key material or a vendor's internal message. Vendor detail belongs in the cause
 * (which is logged, not returned).
 */
public class SigilException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    the error class; not null
     * @param message a client-safe description; not null
     */
    public SigilException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * @param code    the error class; not null
     * @param message a client-safe description; not null
     * @param cause   the underlying failure, for the log; may be null
     */
    public SigilException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The error class; never null. */
    public ErrorCode code() {
        return code;
    }
}
