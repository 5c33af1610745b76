package dev.sigil.cli.sign;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CSC calls {@code sigil-sign} makes, over one {@link HttpClient}: login with HTTP Basic, then
 * bearer requests. Speaks v2 ({@code hashes}, {@code hashAlgorithmOID}, {@code authData}) or v1's
 * field names ({@code hash}, {@code hashAlgo}, {@code PIN}, {@code OTP}).
 *
 * <pre>
 * CscClient csc = new CscClient(http, URI.create("https://localhost:8443/"), ApiVersion.V2);
 * csc.login("demo", password);
 * Credential c = csc.info("demo");
 * String sad = csc.authorize("demo", hash, Digest.SHA256, pin, otp);
 * byte[] signature = csc.signHash("demo", sad, hash, SignatureAlgorithm.SHA256_WITH_RSA);
 * csc.revoke();
 * </pre>
 *
 * <p>Every failure is a {@link SignException} with a one-line message ({@link CscException} when
 * the server answered with an error). Secrets are passed as {@code char[]} and are not kept; the
 * caller zeroes them. Not thread-safe (it holds the access token).
 */
final class CscClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI base;
    private final ApiVersion api;
    private final String userAgent;
    private String token;

    /**
     * @param base the server's base URL, ending with {@code /} (the API prefix is appended)
     */
    CscClient(HttpClient http, URI base, ApiVersion api, String userAgent) {
        this.http = http;
        this.base = base;
        this.api = api;
        this.userAgent = userAgent;
    }

    /** {@code auth/login} with HTTP Basic (UTF-8); keeps the access token. */
    void login(String user, char[] password) throws SignException {
        char[] pair = new char[user.length() + 1 + password.length];
        byte[] utf8 = null;
        try {
            user.getChars(0, user.length(), pair, 0);
            pair[user.length()] = ':';
            System.arraycopy(password, 0, pair, user.length() + 1, password.length);
            utf8 = utf8(pair);
            // HttpClient takes header values as String only; this one lives until it is collected.
            HttpRequest.Builder request = request("auth/login")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(utf8))
                    .POST(HttpRequest.BodyPublishers.noBody());
            JsonNode answer = send("auth/login", request, 200);
            token = text(answer, "auth/login", "access_token");
        } finally {
            Arrays.fill(pair, '\0');
            if (utf8 != null) {
                Arrays.fill(utf8, (byte) 0);
            }
        }
    }

    /** {@code credentials/info} with the whole chain. */
    Credential info(String credentialId) throws SignException {
        String endpoint = "credentials/info";
        JsonNode answer = post(endpoint, g -> {
            g.writeStringField("credentialID", credentialId);
            g.writeStringField("certificates", "chain");
        });
        List<String> algos = new ArrayList<>();
        answer.path("key").path("algo").forEach(a -> algos.add(a.asText()));
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (JsonNode c : answer.path("cert").path("certificates")) {
                chain.add((X509Certificate) f.generateCertificate(
                        new ByteArrayInputStream(Base64.getMimeDecoder().decode(c.asText()))));
            }
        } catch (CertificateException | IllegalArgumentException | ClassCastException e) {
            throw new SignException(endpoint + ": the server sent a certificate that cannot be read (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new SignException(endpoint + ": the server sent no certificate for credential " + credentialId);
        }
        return new Credential(credentialId, algos, chain);
    }

    /**
     * {@code credentials/authorize} for exactly one hash, with the PIN and the one-time code.
     *
     * @return the SAD
     */
    String authorize(String credentialId, byte[] hash, SignatureAlgorithm.Digest digest, char[] pin, char[] otp)
            throws SignException {
        String endpoint = "credentials/authorize";
        JsonNode answer = post(endpoint, g -> {
            g.writeStringField("credentialID", credentialId);
            g.writeNumberField("numSignatures", 1);
            g.writeArrayFieldStart(api == ApiVersion.V1 ? "hash" : "hashes");
            g.writeString(Base64.getEncoder().encodeToString(hash));
            g.writeEndArray();
            if (api == ApiVersion.V1) {
                // v1 has no hash algorithm here: the server infers it from the hash's length.
                g.writeFieldName("PIN");
                g.writeString(pin, 0, pin.length);
                g.writeFieldName("OTP");
                g.writeString(otp, 0, otp.length);
            } else {
                g.writeStringField("hashAlgorithmOID", digest.oid);
                g.writeArrayFieldStart("authData");
                g.writeStartObject();
                g.writeStringField("id", "PIN");
                g.writeFieldName("value");
                g.writeString(pin, 0, pin.length);
                g.writeEndObject();
                g.writeStartObject();
                g.writeStringField("id", "OTP");
                g.writeFieldName("value");
                g.writeString(otp, 0, otp.length);
                g.writeEndObject();
                g.writeEndArray();
            }
        });
        return text(answer, endpoint, "SAD");
    }

    /** {@code signatures/signHash} for one hash; returns the signature (DER for ECDSA). */
    byte[] signHash(String credentialId, String sad, byte[] hash, SignatureAlgorithm algorithm) throws SignException {
        String endpoint = "signatures/signHash";
        JsonNode answer = post(endpoint, g -> {
            g.writeStringField("credentialID", credentialId);
            g.writeStringField("SAD", sad);
            g.writeArrayFieldStart(api == ApiVersion.V1 ? "hash" : "hashes");
            g.writeString(Base64.getEncoder().encodeToString(hash));
            g.writeEndArray();
            g.writeStringField(api == ApiVersion.V1 ? "hashAlgo" : "hashAlgorithmOID", algorithm.digest.oid);
            g.writeStringField("signAlgo", algorithm.cscOid);
            if (algorithm.signAlgoParams().isPresent()) {
                g.writeStringField("signAlgoParams", algorithm.signAlgoParams().get());
            }
        });
        JsonNode signatures = answer.path("signatures");
        if (signatures.size() != 1 || !signatures.get(0).isTextual()) {
            throw new SignException(endpoint + ": expected one signature in the answer, got " + signatures.size());
        }
        try {
            return Base64.getDecoder().decode(signatures.get(0).asText());
        } catch (IllegalArgumentException e) {
            throw new SignException(endpoint + ": the signature is not base64");
        }
    }

    /** {@code auth/revoke} of the access token, if there is one; forgets it either way. */
    void revoke() throws SignException {
        if (token == null) {
            return;
        }
        try {
            send("auth/revoke", request("auth/revoke").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()), 204);
        } finally {
            token = null;
        }
    }

    /** Writes the fields of a request's JSON object. */
    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * A bearer POST with a JSON body. The body's bytes (which may hold a PIN and a code) are
     * zeroed once the exchange is over.
     */
    private JsonNode post(String endpoint, Body body) throws SignException {
        if (token == null) {
            throw new IllegalStateException("login first");
        }
        WipeableBuffer buffer = new WipeableBuffer();
        try {
            try (JsonGenerator g = FACTORY.createGenerator(buffer)) {
                g.writeStartObject();
                body.write(g);
                g.writeEndObject();
            } catch (IOException e) {
                throw new IllegalStateException("cannot write JSON into memory", e);
            }
            HttpRequest.Builder request = request(endpoint)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(buffer.publisher());
            return send(endpoint, request, 200);
        } finally {
            buffer.wipe();
        }
    }

    private HttpRequest.Builder request(String endpoint) {
        return HttpRequest.newBuilder(base.resolve(api.prefix + endpoint))
                .timeout(REQUEST_TIMEOUT)
                .header("User-Agent", userAgent)
                .header("Accept", "application/json");
    }

    /** Sends, and turns every way it can go wrong into one line. */
    private JsonNode send(String endpoint, HttpRequest.Builder request, int expected) throws SignException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignException(endpoint + ": interrupted");
        } catch (IOException e) {
            throw new SignException(describe(endpoint, e), e);
        }
        JsonNode json = null;
        byte[] body = response.body();
        if (body != null && body.length > 0) {
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                json = null;
            }
        }
        if (response.statusCode() != expected) {
            String error = json != null && json.path("error").isTextual() ? json.path("error").asText() : null;
            String description = json != null && json.path("error_description").isTextual()
                    ? json.path("error_description").asText() : null;
            throw new CscException(endpoint, response.statusCode(), error, description);
        }
        if (expected == 204) {
            return null;
        }
        if (json == null || !json.isObject()) {
            throw new SignException(endpoint + ": the server's answer is not a JSON object");
        }
        return json;
    }

    private String describe(String endpoint, IOException e) {
        String server = base.getScheme() + "://" + base.getAuthority() + "/";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException) {
                return endpoint + ": TLS with " + server + " failed: its certificate does not chain to a trusted CA"
                        + " (pass the CA certificate with --ca or SIGIL_CA)";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return endpoint + ": TLS with " + server + " failed: " + message(t)
                        + " (is the server's CA trusted? see --ca)";
            }
            if (t instanceof ConnectException) {
                return endpoint + ": cannot connect to " + server + ": " + message(t);
            }
            if (t instanceof HttpTimeoutException) {
                return endpoint + ": " + server + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
            }
        }
        return endpoint + ": " + message(e);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getCause() != null && t.getCause().getMessage() != null
                    ? t.getCause().getMessage() : t.getClass().getSimpleName();
        }
        return m.replaceAll("[\\r\\n]+", " ").strip();
    }

    private static String text(JsonNode answer, String endpoint, String field) throws SignException {
        JsonNode v = answer.path(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new SignException(endpoint + ": the answer has no " + field);
        }
        return v.asText();
    }

    private static byte[] utf8(char[] chars) throws SignException {
        ByteBuffer b = null;
        try {
            b = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(chars));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new SignException("the user name or password is not valid Unicode");
        } finally {
            if (b != null && b.hasArray()) {
                Arrays.fill(b.array(), (byte) 0);
            }
        }
    }

    /**
     * A byte buffer that is sent without a copy and can be zeroed afterwards. Large enough from
     * the start that it does not grow (growing would leave an unzeroed copy behind).
     */
    private static final class WipeableBuffer extends ByteArrayOutputStream {
        WipeableBuffer() {
            super(4096);
        }

        HttpRequest.BodyPublisher publisher() {
            return HttpRequest.BodyPublishers.ofByteArray(buf, 0, count);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
            count = 0;
        }
    }

    /** For tests: whether a token is held. */
    boolean loggedIn() {
        return token != null;
    }
}
