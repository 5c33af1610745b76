package dev.sigil.backend.azure.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;

/**
 * The one table that maps what Key Vault (or Managed HSM) answers — its HTTP status, refined by the
 * error body's code and message ({@code {"error":{"code":"...","message":"..."}}}) — and what the
 * SDK and azure-identity throw, to Sigil's {@link ErrorCode} and to what the backend does about it.
 * Nowhere else in this bundle is an Azure error turned into an error code.
 *
 * <p>The vendor's status, code, request id and message go to the log ({@link Mapped#vendorDetail()});
 * never a token: the SDK's exceptions do not carry the request's headers and this class reads only
 * the response's. The {@link SigilException} a client sees carries only the mapped code and a
 * sentence of the backend's own ({@link Mapped#toException}).
 *
 * <table>
 * <caption>The table</caption>
 * <tr><th>Key Vault answers</th><th>code</th><th>kind</th></tr>
 * <tr><td>404 (KeyNotFound, any)</td><td>KEY_NOT_FOUND</td><td>KEY_MISSING</td></tr>
 * <tr><td>403 "...not allowed on a disabled key", "...not permitted on this key" (key_ops without sign)</td><td>KEY_DISABLED</td><td>KEY_DISABLED</td></tr>
 * <tr><td>401, 403 (Forbidden, ForbiddenByRbac, AccessDenied...); Entra ID refusing the credential (4xx: invalid_client...); a credential that cannot make a token request</td><td>BACKEND_UNAVAILABLE</td><td>CREDENTIALS</td></tr>
 * <tr><td>Entra ID 429</td><td>BUSY</td><td>THROTTLED</td></tr>
 * <tr><td>Entra ID 408 or 5xx</td><td>BACKEND_UNAVAILABLE</td><td>UNAVAILABLE</td></tr>
 * <tr><td>429 (Throttled), Retry-After / x-ms-retry-after-ms</td><td>BUSY (+ retryAfter)</td><td>THROTTLED</td></tr>
 * <tr><td>400 (BadParameter, wrong algorithm for the key)</td><td>UNSUPPORTED_ALGORITHM</td><td>REQUEST</td></tr>
 * <tr><td>409 (Conflict: key being created, deleted or recovered)</td><td>KEY_DISABLED</td><td>KEY_DISABLED</td></tr>
 * <tr><td>408, 5xx, network failure, timeout; a signature of the wrong length</td><td>BACKEND_UNAVAILABLE</td><td>UNAVAILABLE</td></tr>
 * <tr><td>anything else</td><td>INTERNAL</td><td>INTERNAL</td></tr>
 * </table>
 */
final class AzureErrors {

    /** What the failure says about the key, the call or the backend; drives retries and health. */
    enum Kind {
        /** The key does not exist (or is not visible to this identity). The service is fine. */
        KEY_MISSING,
        /** The key exists but cannot sign now: disabled, no sign operation, being deleted. */
        KEY_DISABLED,
        /** The request does not fit the key (algorithm). The service is fine. */
        REQUEST,
        /** Key Vault throttled us: retry with backoff while the deadline allows, then BUSY. */
        THROTTLED,
        /** Entra ID or Key Vault refused the credential or its permissions: not retried; health DOWN. */
        CREDENTIALS,
        /** Key Vault or the network failed or timed out: retried while the deadline allows. */
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

        /** Whether the failure says the service answered normally (for health: not a failure of Key Vault). */
        boolean serviceFine() {
            return kind == Kind.KEY_MISSING || kind == Kind.KEY_DISABLED || kind == Kind.REQUEST;
        }
    }

    /**
     * A mapped failure.
     *
     * @param row          the table row
     * @param vendorDetail the HTTP status, error code, request id and message, for the log only
     * @param retryAfter   the service's Retry-After, if it sent one
     */
    record Mapped(Row row, String vendorDetail, Optional<Duration> retryAfter) {
        ErrorCode code() {
            return row.code();
        }

        Kind kind() {
            return row.kind();
        }

        /**
         * The exception a client sees: the code, a sentence of ours naming the key and the service,
         * the SDK's exception as the cause (logged, not shown), the Retry-After if throttled.
         */
        SigilException toException(String what, Throwable cause) {
            String message = switch (row.kind()) {
                case KEY_MISSING -> what + ": no such key";
                case KEY_DISABLED -> what + ": the key is disabled or may not sign";
                case REQUEST -> what + ": the key cannot sign with this algorithm";
                case THROTTLED -> what + ": throttled by the key service; try again later";
                case CREDENTIALS -> what + ": the key service refused the backend's credential or its permissions";
                case UNAVAILABLE -> what + ": the key service is unavailable or did not answer in time";
                case INTERNAL -> what + ": unexpected answer from the key service";
            };
            return new SigilException(row.code(), message, cause, retryAfter.orElse(null));
        }
    }

    static final Row KEY_MISSING = new Row(ErrorCode.KEY_NOT_FOUND, Kind.KEY_MISSING);
    static final Row KEY_DISABLED = new Row(ErrorCode.KEY_DISABLED, Kind.KEY_DISABLED);
    static final Row THROTTLED = new Row(ErrorCode.BUSY, Kind.THROTTLED);
    static final Row CREDENTIALS = new Row(ErrorCode.BACKEND_UNAVAILABLE, Kind.CREDENTIALS);
    static final Row UNAVAILABLE = new Row(ErrorCode.BACKEND_UNAVAILABLE, Kind.UNAVAILABLE);
    static final Row UNSUPPORTED_ALGORITHM = new Row(ErrorCode.UNSUPPORTED_ALGORITHM, Kind.REQUEST);
    /** Statuses and exceptions not in the table. */
    static final Row UNLISTED = new Row(ErrorCode.INTERNAL, Kind.INTERNAL);

    private static final HttpHeaderName REQUEST_ID = HttpHeaderName.fromString("x-ms-request-id");
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The row of an HTTP answer: status first, refined by the error's code and message for 403. */
    static Row byStatus(int status, String errorCode, String errorMessage) {
        String m = errorMessage == null ? "" : errorMessage.toLowerCase(Locale.ROOT);
        if (status == 404) {
            return KEY_MISSING;
        }
        if (status == 429) {
            return THROTTLED;
        }
        if (status == 403 && (m.contains("disabled key") || m.contains("not permitted on") || m.contains("not allowed on"))) {
            // Key Vault's words for a disabled key, and for a key whose key_ops lack "sign"; not
            // "Public network access is disabled...", which is the vault's firewall refusing us.
            return KEY_DISABLED;
        }
        if (status == 401 || status == 403) {
            return CREDENTIALS;
        }
        if (status == 400) {
            return UNSUPPORTED_ALGORITHM;
        }
        if (status == 409) {
            return KEY_DISABLED;
        }
        if (status == 408 || (status >= 500 && status <= 599)) {
            return UNAVAILABLE;
        }
        return UNLISTED;
    }

    /** Key Vault answered 200 with something that cannot be what was asked for (a signature of the wrong length). */
    static final class MalformedAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedAnswer(String what) {
            super("Key Vault answered " + what);
        }
    }

    /** Maps anything an SDK call threw. */
    static Mapped map(Throwable t) {
        if (t instanceof MalformedAnswer) {
            // Retried like a failed call (signing the same digest again is harmless), never returned.
            return new Mapped(UNAVAILABLE, t.getMessage(), Optional.empty());
        }
        if (t instanceof HttpResponseException e && e.getResponse() != null) {
            HttpResponse r = e.getResponse();
            int status = r.getStatusCode();
            String body = bodyText(e);
            String code = first(CODE, body);
            String message = first(MESSAGE, body);
            Row row = byStatus(status, code, message);
            Optional<Duration> retryAfter = row == THROTTLED ? retryAfter(r) : Optional.empty();
            String requestId = r.getHeaderValue(REQUEST_ID);
            String detail = "HTTP " + status + (code == null ? "" : " " + code)
                    + (requestId == null ? "" : ", request " + requestId)
                    + (message == null ? "" : ": " + message);
            return new Mapped(row, detail, retryAfter);
        }
        MsalServiceException entra = cause(t, MsalServiceException.class);
        if (entra != null) {
            // Entra ID (or the managed identity endpoint) answered: the sync credential path throws
            // MSAL's exception as it is. Its status says whose fault it is.
            Integer status = entra.statusCode();
            String detail = "Entra ID" + (status == null ? "" : " HTTP " + status) + " " + entra.errorCode()
                    + (entra.correlationId() == null ? "" : ", correlation " + entra.correlationId())
                    + ": " + firstLine(entra.getMessage());
            Row row = status != null && status == 429 ? THROTTLED
                    : status != null && (status == 408 || status >= 500) ? UNAVAILABLE : CREDENTIALS;
            return new Mapped(row, detail, Optional.empty());
        }
        MsalClientException msal = cause(t, MsalClientException.class);
        if (msal != null && !hasCause(t, IOException.class)) {
            // MSAL could not make a token request: an unreadable certificate or token file.
            return new Mapped(CREDENTIALS, "MSAL " + msal.errorCode() + ": " + firstLine(msal.getMessage()), Optional.empty());
        }
        if (t instanceof ClientAuthenticationException || isCredentialUnavailable(t)) {
            // azure-identity could not get a token: Entra ID refused the secret or certificate, the
            // managed identity endpoint is missing, the federated token file is unreadable.
            return new Mapped(CREDENTIALS, t.getClass().getSimpleName() + ": " + t.getMessage(), Optional.empty());
        }
        if (hasCause(t, TimeoutException.class) || hasCause(t, IOException.class)
                || hasCause(t, UncheckedIOException.class)) {
            return new Mapped(UNAVAILABLE, t.getClass().getSimpleName() + ": " + t.getMessage(), Optional.empty());
        }
        return new Mapped(UNLISTED, t.getClass().getName() + ": " + t.getMessage(), Optional.empty());
    }

    /** {@code com.azure.identity.CredentialUnavailableException}, by name: it is a ClientAuthenticationException too. */
    private static boolean isCredentialUnavailable(Throwable t) {
        return t.getClass().getName().equals("com.azure.identity.CredentialUnavailableException");
    }

    /** The error body as text: the SDK's deserialized value (a Map or a String), else its message. */
    private static String bodyText(HttpResponseException e) {
        Object value = e.getValue();
        if (value instanceof Map<?, ?> map && map.get("error") instanceof Map<?, ?> error) {
            StringBuilder s = new StringBuilder();
            if (error.get("code") != null) {
                s.append("\"code\":\"").append(error.get("code")).append("\",");
            }
            if (error.get("message") != null) {
                s.append("\"message\":\"").append(String.valueOf(error.get("message")).replace("\"", "'")).append('"');
            }
            return s.toString();
        }
        if (value != null) {
            return value.toString();
        }
        return e.getMessage() == null ? "" : e.getMessage();
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : null;
    }

    /** Key Vault's Retry-After (seconds), or the finer x-ms-retry-after-ms / retry-after-ms. */
    static Optional<Duration> retryAfter(HttpResponse r) {
        for (HttpHeaderName header : new HttpHeaderName[] {HttpHeaderName.X_MS_RETRY_AFTER_MS, HttpHeaderName.RETRY_AFTER_MS}) {
            Optional<Long> ms = number(r.getHeaderValue(header), 3_600_000);
            if (ms.isPresent()) {
                return Optional.of(Duration.ofMillis(ms.get()));
            }
        }
        return number(r.getHeaderValue(HttpHeaderName.RETRY_AFTER), 3_600).map(Duration::ofSeconds);
    }

    private static Optional<Long> number(String value, long max) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            long n = Long.parseLong(value.trim());
            return n >= 0 && n <= max ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: not worth parsing for a hint
        }
    }

    private static <E extends Throwable> E cause(Throwable t, Class<E> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** Entra ID's messages run over lines (trace and correlation ids, timestamps): the first says it. */
    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private AzureErrors() {
    }
}
