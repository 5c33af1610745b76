package dev.sigil.backend.azure.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;
import dev.sigil.backend.kit.CallHealth;
import dev.sigil.backend.kit.ThrottleRetry;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.util.Context;

/**
 * Every Key Vault operation of a backend instance goes through {@link #call}: each attempt runs
 * with the SDK's class loader and an {@code azure-response-timeout} (the JDK HTTP client's
 * per-request response timeout) that ends by the deadline; what it throws is mapped by
 * {@link AzureErrors}, the one table; its result is recorded in the kit's {@link CallHealth}
 * (refused credentials mark the backend DOWN); and the kit's {@link ThrottleRetry} retries it while
 * the deadline allows — throttling always, and for operations safe to repeat (sign, get, list: a
 * signature consumes nothing) also 5xx, network failures and timeouts. Key creation is not retried
 * after a failure that may have reached Key Vault.
 */
final class AzureCalls {
    private static final Logger LOG = LoggerFactory.getLogger(AzureKeyVaultBackend.class);
    private static final String C = AzureKeyVaultSettings.COMPONENT;
    /** azure-core's context key for one request's response timeout (honoured by the JDK HTTP client). */
    static final String RESPONSE_TIMEOUT_KEY = "azure-response-timeout";
    /** The operation name of key creation. */
    static final String CREATE_KEY = "create key";
    /** The operation name of the vault's key listing. */
    static final String LIST_KEYS = "list keys";
    static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(2);

    /** Whether an operation may be repeated after a failure that may have reached Key Vault. */
    enum Repeat { SAFE, THROTTLED_ONLY }

    /** A Key Vault failure, mapped: the client's code and message, the table's row and the vendor's detail. */
    static final class Failure extends SigilException {
        private static final long serialVersionUID = 1L;
        final transient AzureErrors.Mapped mapped;

        Failure(AzureErrors.Mapped mapped, SigilException shown) {
            super(shown.code(), shown.getMessage(), shown.getCause(), shown.retryAfter().orElse(null));
            this.mapped = mapped;
        }

        AzureErrors.Kind kind() {
            return mapped.kind();
        }
    }

    /** A call this backend cancelled itself (the thread was interrupted). */
    static final class Cancelled extends SigilException {
        private static final long serialVersionUID = 1L;

        Cancelled(String message, Throwable cause) {
            super(ErrorCode.BACKEND_UNAVAILABLE, message, cause);
        }
    }

    private static boolean interrupted(Throwable t) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private final String id;
    private final String where;
    private final String credentialSource;
    private final Duration attemptTimeout;
    private final Duration callTimeout;
    private final CallHealth health;
    private final BooleanSupplier closed;
    private final ThrottleRetry retrySafe;
    private final ThrottleRetry retryThrottled;

    AzureCalls(AzureKeyVaultSettings settings, String where, CallHealth health, BooleanSupplier closed) {
        this.id = settings.backendId();
        this.where = where;
        this.credentialSource = settings.credentialSource();
        this.attemptTimeout = settings.attemptTimeout();
        this.callTimeout = settings.callTimeout();
        this.health = health;
        this.closed = closed;
        int attempts = settings.maxRetries() + 1;
        this.retrySafe = new ThrottleRetry(attempts, BACKOFF_BASE, BACKOFF_CAP,
                e -> e instanceof Failure f && f.mapped.row().retryable());
        this.retryThrottled = new ThrottleRetry(attempts, BACKOFF_BASE, BACKOFF_CAP,
                e -> e instanceof Failure f && f.kind() == AzureErrors.Kind.THROTTLED);
    }

    /**
     * Runs one Key Vault operation within the context's deadline.
     *
     * @param subject what the operation is about, for messages ({@code key alice})
     * @param body    the SDK call, given the azure-core context carrying the attempt's timeout
     * @throws SigilException a {@link Failure} as Key Vault answered; {@link ErrorCode#BUSY} once
     *                        throttling outlasts the deadline or the retries;
     *                        {@link ErrorCode#BACKEND_UNAVAILABLE} when the backend is stopping
     */
    <T> T call(String operation, String subject, CallContext context, Repeat repeat, Function<Context, T> body)
            throws SigilException {
        ThrottleRetry retry = repeat == Repeat.SAFE ? retrySafe : retryThrottled;
        // call.timeout.ms bounds one operation, retries included, within the request's deadline.
        Instant bound = Instant.now().plus(callTimeout);
        CallContext call = bound.isBefore(context.deadline()) ? new CallContext(context.requestId(), bound) : context;
        try {
            return retry.call(call, () -> attempt(operation, subject, call, body));
        } catch (Cancelled e) {
            LOG.debug("{} '{}': {}", C, id, e.getMessage());
            throw e;
        } catch (SigilException e) {
            Failure f = e instanceof Failure x ? x : e.getCause() instanceof Failure y ? y : null;
            String req = context.requestId() == null ? "" : " [request " + context.requestId() + "]";
            if (f != null && notNeededForSigning(operation, f)) {
                LOG.warn("{} '{}':{} {} of {}: {} refused it to {} ({}); signing does not need it: {}", C, id, req,
                        operation, subject, where, credentialSource, operation, f.mapped.vendorDetail());
            } else if (f != null && f.kind() == AzureErrors.Kind.CREDENTIALS) {
                LOG.error("{} '{}':{} {} of {}: {} refused the credential ({}) or its permissions: {}", C, id, req,
                        operation, subject, where, credentialSource, f.mapped.vendorDetail());
            } else {
                LOG.warn("{} '{}':{} {} of {}: {}", C, id, req, operation, subject,
                        f == null ? e.getMessage() : f.mapped.vendorDetail());
            }
            throw e;
        }
    }

    /**
     * Key Vault refused (403) an operation the signing path does not need — creating or listing
     * keys — to an identity it knows: a role or access policy made for signing only ({@code get},
     * {@code sign}). That is not the backend's health.
     */
    private static boolean notNeededForSigning(String operation, Failure f) {
        return f.kind() == AzureErrors.Kind.CREDENTIALS && f.mapped.httpStatus() == 403
                && (operation.equals(CREATE_KEY) || operation.equals(LIST_KEYS));
    }

    private <T> T attempt(String operation, String subject, CallContext context, Function<Context, T> body)
            throws SigilException {
        if (closed.getAsBoolean()) {
            throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is closed");
        }
        Duration remaining = context.remaining();
        Duration timeout = remaining.compareTo(attemptTimeout) < 0 ? remaining : attemptTimeout;
        Context sdkContext = new Context(RESPONSE_TIMEOUT_KEY,
                timeout.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : timeout);
        Failure failure;
        try {
            T result = AzureClients.withSdkLoader(() -> body.apply(sdkContext));
            health.success();
            return result;
        } catch (RuntimeException e) {
            if (closed.getAsBoolean()) {
                throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopping", e);
            }
            if (interrupted(e)) {
                // Cancelled by us (another signature of its batch failed, the backend is closing):
                // not Key Vault's fault, not its health, not retried.
                Thread.currentThread().interrupt();
                throw new Cancelled("backend " + id + ": " + operation + " of " + subject + " was cancelled", e);
            }
            AzureErrors.Mapped m = AzureErrors.map(e);
            failure = new Failure(m, m.toException("backend " + id + ": " + operation + " of " + subject, e));
        }
        if (!notNeededForSigning(operation, failure)) {
            health.failure(failure); // the kit counts only BUSY, BACKEND_UNAVAILABLE and INTERNAL against health
            if (failure.kind() == AzureErrors.Kind.CREDENTIALS) {
                health.down(where + " refused the credential " + credentialSource + " or its permissions: "
                        + failure.mapped.vendorDetail());
            }
        }
        LOG.debug("{} '{}': {} of {}: {}", C, id, operation, subject, failure.mapped.vendorDetail());
        throw failure;
    }
}
