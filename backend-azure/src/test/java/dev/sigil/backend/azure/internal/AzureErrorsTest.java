package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One test per row of the error table, with answers shaped as Key Vault's. */
class AzureErrorsTest {
    private static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token";

    /** A Key Vault answer: status, headers, {@code {"error":{"code","message"}}} body. */
    private static HttpResponse response(int status, Map<String, String> headers, String body) {
        HttpRequest request = new HttpRequest(HttpMethod.POST,
                "https://sigil-test.vault.azure.net/keys/alice/0123456789abcdef0123456789abcdef/sign?api-version=7.6");
        request.setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + TOKEN);
        HttpHeaders h = new HttpHeaders();
        headers.forEach((k, v) -> h.set(HttpHeaderName.fromString(k), v));
        h.set(HttpHeaderName.fromString("x-ms-request-id"), "req-1");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new HttpResponse(request) {
            @Override
            public int getStatusCode() {
                return status;
            }

            @Override
            @SuppressWarnings("deprecation")
            public String getHeaderValue(String name) {
                return h.getValue(name);
            }

            @Override
            public HttpHeaders getHeaders() {
                return h;
            }

            @Override
            public Flux<ByteBuffer> getBody() {
                return Flux.just(ByteBuffer.wrap(bytes));
            }

            @Override
            public Mono<byte[]> getBodyAsByteArray() {
                return Mono.just(bytes);
            }

            @Override
            public Mono<String> getBodyAsString() {
                return Mono.just(body);
            }

            @Override
            public Mono<String> getBodyAsString(Charset charset) {
                return Mono.just(new String(bytes, charset));
            }
        };
    }

    private static String error(String code, String message) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
    }

    private static AzureErrors.Mapped map(int status, String code, String message, Map<String, String> headers) {
        String body = error(code, message);
        AzureErrors.Mapped m = AzureErrors.map(new HttpResponseException("Status code " + status + ", \"" + body + "\"",
                response(status, headers, body), body));
        assertFalse(m.vendorDetail().contains(TOKEN), m.vendorDetail());
        return m;
    }

    @Test
    void notFoundIsKeyNotFound() {
        AzureErrors.Mapped m = map(404, "KeyNotFound", "A key with (name/id) alice was not found in this key vault.", Map.of());
        assertEquals(AzureErrors.KEY_MISSING, m.row());
        assertEquals("HTTP 404 KeyNotFound, request req-1: A key with (name/id) alice was not found in this key vault.",
                m.vendorDetail());
        // The SDK's own subclass for 404 maps alike.
        String body = error("KeyNotFound", "x");
        assertEquals(ErrorCode.KEY_NOT_FOUND, AzureErrors.map(new ResourceNotFoundException(body,
                response(404, Map.of(), body))).code());
    }

    @Test
    void aDisabledKeyOrOneWithoutSignIsKeyDisabled() {
        assertEquals(AzureErrors.KEY_DISABLED, map(403, "Forbidden",
                "Operation sign is not allowed on a disabled key.", Map.of()).row());
        assertEquals(AzureErrors.KEY_DISABLED, map(403, "Forbidden",
                "Operation sign is not permitted on this key.", Map.of()).row());
        assertEquals(AzureErrors.KEY_DISABLED, map(409, "Conflict", "Key is currently being deleted.", Map.of()).row());
    }

    @Test
    void refusedCredentialsArePermanentBackendUnavailable() {
        AzureErrors.Mapped m = map(403, "Forbidden", "Caller is not authorized to perform action on resource.",
                Map.of());
        assertEquals(AzureErrors.CREDENTIALS, m.row());
        assertEquals(ErrorCode.BACKEND_UNAVAILABLE, m.code());
        assertFalse(m.row().retryable());
        assertEquals(AzureErrors.CREDENTIALS, map(401, "Unauthorized", "AKV10000: Request is missing a Bearer token.",
                Map.of()).row());
        assertEquals(AzureErrors.CREDENTIALS, AzureErrors.map(new ClientAuthenticationException(
                "ClientSecretCredential authentication failed", null)).row());
    }

    @Test
    void entraIdAnswersAreMappedByTheirStatus() {
        // What the SDK's sync credential path throws as it is: MSAL's exception, perhaps wrapped.
        MsalServiceException refused = new MsalServiceException(
                "AADSTS7000215: Invalid client secret provided.\nTrace ID: 1\nCorrelation ID: 2", "invalid_client");
        AzureErrors.Mapped m = AzureErrors.map(new RuntimeException(refused));
        assertEquals(AzureErrors.CREDENTIALS, m.row());
        assertEquals("Entra ID invalid_client: AADSTS7000215: Invalid client secret provided.", m.vendorDetail());
        assertEquals(AzureErrors.CREDENTIALS, AzureErrors.map(new MsalClientException("cannot read the certificate",
                "invalid_certificate")).row());
        assertEquals(AzureErrors.UNAVAILABLE, AzureErrors.map(new MsalClientException(
                new java.io.IOException("connection refused"))).row());
    }

    @Test
    void throttlingIsBusyWithTheServicesRetryAfter() {
        AzureErrors.Mapped m = map(429, "Throttled", "Request was not processed because too many requests were received.",
                Map.of("Retry-After", "7"));
        assertEquals(AzureErrors.THROTTLED, m.row());
        assertTrue(m.row().retryable());
        assertEquals(Optional.of(Duration.ofSeconds(7)), m.retryAfter());
        SigilException e = m.toException("backend-azure 'kv' key alice", new RuntimeException("sdk"));
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals(Optional.of(Duration.ofSeconds(7)), e.retryAfter());
        assertEquals(Optional.of(Duration.ofMillis(1500)), map(429, "Throttled", "x",
                Map.of("x-ms-retry-after-ms", "1500", "Retry-After", "2")).retryAfter());
        assertEquals(Optional.empty(), map(429, "Throttled", "x",
                Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")).retryAfter());
    }

    @Test
    void aBadParameterIsAnUnsupportedAlgorithm() {
        AzureErrors.Mapped m = map(400, "BadParameter", "Key and signing algorithm are incompatible.", Map.of());
        assertEquals(AzureErrors.UNSUPPORTED_ALGORITHM, m.row());
        assertTrue(m.row().serviceFine());
    }

    @Test
    void serverErrorsTimeoutsAndTheNetworkAreRetryableUnavailable() {
        assertEquals(AzureErrors.UNAVAILABLE, map(500, "InternalServerError", "x", Map.of()).row());
        assertEquals(AzureErrors.UNAVAILABLE, map(503, "ServiceUnavailable", "x", Map.of()).row());
        assertEquals(AzureErrors.UNAVAILABLE, map(408, "RequestTimeout", "x", Map.of()).row());
        assertEquals(AzureErrors.UNAVAILABLE, AzureErrors.map(new UncheckedIOException(
                new HttpTimeoutException("request timed out"))).row());
        assertEquals(AzureErrors.UNAVAILABLE, AzureErrors.map(new RuntimeException(
                new IOException("connection refused"))).row());
        assertTrue(AzureErrors.UNAVAILABLE.retryable());
    }

    @Test
    void anythingElseIsInternal() {
        assertEquals(AzureErrors.UNLISTED, map(418, "Teapot", "x", Map.of()).row());
        assertEquals(AzureErrors.UNLISTED, AzureErrors.map(new IllegalStateException("bug")).row());
    }
}
