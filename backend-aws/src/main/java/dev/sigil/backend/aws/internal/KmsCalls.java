package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.backend.CallContext;
import dev.sigil.backend.kit.CallHealth;
import dev.sigil.backend.kit.ThrottleRetry;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Every KMS operation of a backend instance goes through {@link #call}: each attempt gets a call
 * and an attempt timeout that end by the deadline and runs with the SDK's class loader; what it
 * throws is mapped by {@link KmsErrors}, the one table, into a {@link Failure}; its result is
 * recorded in the kit's {@link CallHealth} (refused credentials mark the backend DOWN); and the
 * kit's {@link ThrottleRetry} retries it while the deadline allows.
 *
 * <p>What is retried: throttling (the request was not carried out), and for operations that are
 * safe to repeat ({@code Sign}, {@code DescribeKey}, {@code GetPublicKey}, {@code ListAliases} —
 * a signature consumes nothing) also KMS's 5xx ({@code KMSInternalException},
 * {@code DependencyTimeoutException}, ...), network failures and timeouts. {@code CreateKey} and the
 * like are not retried after a failure that may have reached KMS: a second key would be made.
 */
final class KmsCalls {
    private static final Logger LOG = LoggerFactory.getLogger(AwsKmsBackend.class);
    private static final String C = AwsKmsSettings.COMPONENT;
    /** The first retry wait's ceiling, doubled per retry up to {@link #BACKOFF_CAP}. */
    static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(2);

    /** Whether an operation may be repeated after a failure that may have reached KMS. */
    enum Repeat { SAFE, THROTTLED_ONLY }

    /**
     * A KMS failure, mapped: the code and message for the client, the table's row and the
     * vendor's detail for the backend and its log.
     */
    static final class Failure extends SigilException {
        private static final long serialVersionUID = 1L;
        final transient KmsErrors.Mapped mapped;

        Failure(KmsErrors.Mapped mapped, String message, Throwable cause) {
            super(mapped.code(), message, cause, mapped.kind() == KmsErrors.Kind.THROTTLED
                    ? mapped.retryAfter().orElse(null) : null);
            this.mapped = mapped;
        }

        KmsErrors.Kind kind() {
            return mapped.kind();
        }
    }

    private final String id;
    private final String where;
    private final String credentialsSource;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final CallHealth health;
    private final BooleanSupplier closed;
    private final ThrottleRetry retrySafe;
    private final ThrottleRetry retryThrottled;

    KmsCalls(AwsKmsSettings settings, String where, CallHealth health, BooleanSupplier closed) {
        this.id = settings.backendId();
        this.where = where;
        this.credentialsSource = settings.credentialsSource();
        this.callTimeout = settings.callTimeout();
        this.attemptTimeout = settings.attemptTimeout();
        this.health = health;
        this.closed = closed;
        int attempts = settings.maxRetries() + 1;
        this.retrySafe = new ThrottleRetry(attempts, BACKOFF_BASE, BACKOFF_CAP,
                e -> e instanceof Failure f && f.mapped.row().retryable());
        this.retryThrottled = new ThrottleRetry(attempts, BACKOFF_BASE, BACKOFF_CAP,
                e -> e instanceof Failure f && f.kind() == KmsErrors.Kind.THROTTLED);
    }

    /** A context for calls that no request waits for: {@code timeouts} call timeouts from now. */
    CallContext background(int timeouts) {
        return CallContext.of(null, callTimeout.multipliedBy(timeouts));
    }

    /** As {@link #call(String, KeyRef, CallContext, Repeat, Function)} for an operation safe to repeat. */
    <T> T call(String operation, KeyRef subject, CallContext context,
               Function<AwsRequestOverrideConfiguration, T> body) throws SigilException {
        return call(operation, subject, context, Repeat.SAFE, body);
    }

    /**
     * Runs one KMS operation within the context's deadline.
     *
     * @param subject the key (or alias prefix) the operation is about, for messages
     * @param body    the SDK call, given the request's override configuration
     * @throws SigilException a {@link Failure} as KMS answered; {@link ErrorCode#BUSY} once throttling
     *                        outlasts the deadline or the retries; {@link ErrorCode#BACKEND_UNAVAILABLE}
     *                        when the backend is stopping
     */
    <T> T call(String operation, KeyRef subject, CallContext context, Repeat repeat,
               Function<AwsRequestOverrideConfiguration, T> body) throws SigilException {
        ThrottleRetry retry = repeat == Repeat.SAFE ? retrySafe : retryThrottled;
        try {
            return retry.call(context, () -> attempt(operation, subject, context, body));
        } catch (SigilException e) {
            logFailure(operation, subject, context, e);
            throw e;
        }
    }

    private <T> T attempt(String operation, KeyRef subject, CallContext context,
                          Function<AwsRequestOverrideConfiguration, T> body) throws SigilException {
        Duration remaining = max(Duration.ofMillis(1), context.remaining());
        AwsRequestOverrideConfiguration o = AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(min(callTimeout, remaining))
                .apiCallAttemptTimeout(min(attemptTimeout, remaining))
                .build();
        Failure failure;
        try {
            T result = KmsClients.withSdkLoader(() -> body.apply(o));
            health.success();
            return result;
        } catch (SdkException e) {
            if (closed.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                // Closing interrupted the call (the SDK says AbortedException): not KMS's fault.
                throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "backend " + id + " is stopping", e);
            }
            failure = failure(operation, subject, KmsErrors.map(e), e);
        } catch (RuntimeException e) {
            failure = failure(operation, subject, KmsErrors.map(e), e);
        }
        health.failure(failure);
        if (failure.kind() == KmsErrors.Kind.CREDENTIALS) {
            health.down(where + " refused the credentials " + credentialsSource + " or their permissions: "
                    + failure.mapped.vendorDetail());
        }
        LOG.debug("{} '{}':{} {} of {}: {}", C, id, req(context), operation, subject.keyId(),
                failure.mapped.vendorDetail());
        throw failure;
    }

    /** The client's message for a failure: the condition, never the vendor's text. */
    private Failure failure(String operation, KeyRef ref, KmsErrors.Mapped m, Throwable cause) {
        String message = switch (m.kind()) {
            case THROTTLED -> "backend " + id + ": AWS KMS is throttling requests";
            case CREDENTIALS -> "backend " + id + " is unavailable";
            case UNAVAILABLE -> "backend " + id + ": AWS KMS is unavailable; try again later";
            case KEY_MISSING -> "no key " + ref + " in backend " + id;
            case KEY_DISABLED -> "key " + ref + " is disabled or pending deletion";
            case REQUEST -> "AWS KMS refused " + operation + " with key " + ref;
            default -> "backend " + id + ": " + operation + " failed";
        };
        return new Failure(m, message, cause);
    }

    /** One log line per failed operation (each attempt is at debug level), worded by what failed. */
    private void logFailure(String operation, KeyRef ref, CallContext context, SigilException e) {
        Failure f = e instanceof Failure x ? x : e.getCause() instanceof Failure y ? y : null;
        String req = req(context);
        String k = ref.keyId();
        if (f == null) {
            LOG.warn("{} '{}':{} {} of {}: {}", C, id, req, operation, k, e.getMessage());
            return;
        }
        String detail = f.mapped.vendorDetail();
        switch (f.kind()) {
            case THROTTLED -> LOG.warn("{} '{}':{} {} of {} throttled: {}", C, id, req, operation, k, detail);
            case CREDENTIALS -> LOG.error("{} '{}':{} {} of {}: AWS refused the credentials ({}) or their "
                    + "permissions: {}", C, id, req, operation, k, credentialsSource, detail);
            case UNAVAILABLE -> LOG.warn("{} '{}':{} {} of {} failed: {}", C, id, req, operation, k, detail);
            case KEY_MISSING, KEY_DISABLED -> {
                // Worth a warning when signing; discovery says it once itself.
                if (operation.equals("Sign")) {
                    LOG.warn("{} '{}':{} {} of {}: {}", C, id, req, operation, k, detail);
                } else {
                    LOG.debug("{} '{}':{} {} of {}: {}", C, id, req, operation, k, detail);
                }
            }
            case REQUEST -> LOG.warn("{} '{}':{} {} of {} refused: {}", C, id, req, operation, k, detail);
            default -> LOG.error("{} '{}':{} {} of {} failed: {}", C, id, req, operation, k, detail, f.getCause());
        }
    }

    private static String req(CallContext context) {
        return context.requestId() == null ? "" : " [request " + context.requestId() + "]";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
