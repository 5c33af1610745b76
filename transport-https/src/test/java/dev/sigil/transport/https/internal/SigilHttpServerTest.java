package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.signing.BackendStatus;
import dev.sigil.api.signing.SigningService;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** The Jetty server with the real routes, over real TLS, with a signing service double. */
class SigilHttpServerTest {
    @TempDir
    static Path dir;
    static TestTls tls;
    static SigilHttpServer server;
    static HttpClient h2;
    static HttpClient h1;
    static String base;
    static final List<BackendStatus> BACKENDS = new ArrayList<>();
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final java.security.PublicKey RSA_PUBLIC;

    static {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            RSA_PUBLIC = g.generateKeyPair().getPublic();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Answers from the backends it is given; everything else is outside what these tests reach. */
    static final class FakeSigning implements SigningService {
        /** How often a test asked the backend for a key. */
        static final java.util.concurrent.atomic.AtomicInteger KEY_CALLS = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.function.Supplier<List<BackendStatus>> backends;

        FakeSigning(java.util.function.Supplier<List<BackendStatus>> backends) {
            this.backends = backends;
        }

        @Override
        public byte[] signDigest(KeyRef key, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "not in this test");
        }

        @Override
        public List<byte[]> signDigests(KeyRef key, SignatureAlgorithm algorithm, List<byte[]> digests,
                                        dev.sigil.api.backend.CallContext context) throws SigilException {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "not in this test");
        }

        @Override
        public KeyInfo key(KeyRef key) {
            KEY_CALLS.incrementAndGet();
            return new KeyInfo(key, dev.sigil.api.KeyType.RSA, 2048, null, RSA_PUBLIC, List.of(),
                    EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256));
        }

        @Override
        public List<KeyInfo> keys(String backendId) {
            return List.of();
        }

        @Override
        public KeyInfo generateKey(String backendId, KeySpec spec, String label) throws SigilException {
            throw new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "not in this test");
        }

        @Override
        public Set<SignatureAlgorithm> algorithms() {
            Set<SignatureAlgorithm> all = EnumSet.noneOf(SignatureAlgorithm.class);
            backends.get().forEach(b -> all.addAll(b.algorithms()));
            return all;
        }

        @Override
        public List<BackendStatus> backends() {
            return List.copyOf(backends.get());
        }
    }

    @BeforeAll
    static void start() throws Exception {
        tls = new TestTls(dir);
        HttpsSettings settings = tls.settings(Map.of("max.concurrent.requests", 2, "max.wait.ms", 1));
        SigilHttpServer.Routes routes = HttpsServerComponent.routes(settings, new FakeSigning(() -> BACKENDS),
                new CscFakes.Sessions(), new CscFakes.Control(), new CscFakes.Directory(), CscFakes.AUDIT);
        routes.api()
                .route("/test/block", List.of("GET"), body -> {
                    ENTERED.countDown();
                    try {
                        RELEASE.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Endpoint.Reply.ok(Json.object());
                })
                .route("/test/busy", List.of("GET"), body -> {
                    throw new SigilException(ErrorCode.BUSY, "All 2 sessions of token t are in use");
                })
                .route("/test/internal", List.of("GET"), body -> {
                    throw new SigilException(ErrorCode.INTERNAL, "CKR_DEVICE_ERROR 0x30 at /opt/hsm/lib.so");
                })
                .route("/test/crash", List.of("GET"), body -> {
                    throw new IllegalStateException("secret internals");
                });
        server = new SigilHttpServer(settings, TestTls.PASSWORD.toCharArray(), routes);
        server.start();
        base = "https://localhost:" + server.port();
        h2 = HttpClient.newBuilder().sslContext(tls.clientContext("TLS")).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        h1 = HttpClient.newBuilder().sslContext(tls.clientContext("TLS")).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        server.stopQuietly();
    }

    private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, String path, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        return Json.MAPPER.readTree(r.body());
    }

    /** Asserts the one error shape and that its request id is the one in the header. */
    private static JsonNode error(HttpResponse<String> r, int status, String error) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = json(r);
        assertEquals(error, n.path("error").asText(), r.body());
        assertTrue(n.path("error_description").isTextual(), r.body());
        assertEquals(r.headers().firstValue(RequestIdHandler.HEADER).orElse("?"), n.path("request_id").asText());
        assertEquals(3, n.size(), r.body());
        return n;
    }

    @Test
    void infoReportsTheRegisteredBackendsAlgorithmsAsDistinctOids() throws Exception {
        BACKENDS.clear();
        BACKENDS.add(new BackendStatus("a", BackendHealth.UP, EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256,
                SignatureAlgorithm.RSA_PSS_SHA256, SignatureAlgorithm.RSA_PSS_SHA512)));
        BACKENDS.add(new BackendStatus("b", BackendHealth.UP, EnumSet.of(SignatureAlgorithm.ECDSA_SHA384)));
        JsonNode info = json(post(h2, "/csc/v2/info", "application/json", "{\"lang\":\"en-US\"}".getBytes()));
        assertEquals("2.0.0.2", info.path("specs").asText());
        assertEquals("Sigil", info.path("name").asText());
        assertEquals(List.of("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.10", "1.2.840.10045.4.3.3"),
                Json.MAPPER.convertValue(info.path("signAlgorithms").path("algos"), List.class));
        assertEquals("info", info.path("methods").get(0).asText());
        assertEquals("signatures/signHash", info.path("methods").get(7).asText());
        assertEquals("basic", info.path("authType").get(0).asText());
    }

    @Test
    void infoAnswersGetAndAnEmptyPost() throws Exception {
        assertEquals(200, get(h2, "/csc/v2/info").statusCode());
        assertEquals(200, post(h2, "/csc/v2/info", null, new byte[0]).statusCode());
    }

    @Test
    void http2IsNegotiatedThroughAlpnAndHttp11StillWorks() throws Exception {
        assertEquals(List.of("h2", "http/1.1"), server.protocols());
        assertEquals(HttpClient.Version.HTTP_2, get(h2, "/csc/v2/info").version());
        assertEquals(HttpClient.Version.HTTP_1_1, get(h1, "/csc/v2/info").version());
    }

    @Test
    void healthIsUpOnlyWithHealthyBackends() throws Exception {
        BACKENDS.clear();
        HttpResponse<String> none = get(h2, "/health");
        assertEquals(503, none.statusCode());
        assertEquals("DOWN", json(none).path("status").asText());
        BACKENDS.add(new BackendStatus("a", BackendHealth.UP, EnumSet.of(SignatureAlgorithm.ECDSA_SHA256)));
        HttpResponse<String> up = get(h2, "/health");
        assertEquals(200, up.statusCode());
        assertEquals("UP", json(up).path("status").asText());
        assertEquals("UP", json(up).path("backends").get(0).path("status").asText());
        BACKENDS.add(new BackendStatus("hsm", BackendHealth.down("token not present"), Set.of()));
        HttpResponse<String> degraded = get(h2, "/health");
        assertEquals(503, degraded.statusCode());
        assertEquals("DEGRADED", json(degraded).path("status").asText());
        assertEquals("DOWN", json(degraded).path("backends").get(1).path("status").asText());
        BACKENDS.remove(0);
        assertEquals("DOWN", json(get(h2, "/health")).path("status").asText());
    }

    @Test
    void aThrottledBackendIsDegradedButTheNodeStaysInTheBalancer() throws Exception {
        BACKENDS.clear();
        BACKENDS.add(new BackendStatus("a", BackendHealth.UP, EnumSet.of(SignatureAlgorithm.ECDSA_SHA256)));
        BACKENDS.add(new BackendStatus("kms", BackendHealth.degraded("3 of the last 9 calls were throttled"),
                EnumSet.of(SignatureAlgorithm.ECDSA_SHA256)));
        HttpResponse<String> r = get(h2, "/health");
        assertEquals(200, r.statusCode(), "every node shares the key service: a balancer gains nothing");
        assertEquals("DEGRADED", json(r).path("status").asText());
        assertEquals("DEGRADED", json(r).path("backends").get(1).path("status").asText());
        assertFalse(r.body().contains("throttled"), r.body());
        BACKENDS.add(new BackendStatus("hsm", BackendHealth.down("token not present"), Set.of()));
        assertEquals(503, get(h2, "/health").statusCode(), "a backend down is a node that cannot sign everything");
        BACKENDS.clear();
        BACKENDS.add(new BackendStatus("kms", BackendHealth.degraded("throttled"), Set.of()));
        assertEquals("DEGRADED", json(get(h2, "/health")).path("status").asText(), "a degraded backend still signs");
    }

    @Test
    void healthNeverShowsABackendsOwnReason() throws Exception {
        BACKENDS.clear();
        String vendor = "CKR_DEVICE_ERROR (0x30) from /opt/safenet/lunaclient/lib/libCryptoki2_64.so, slot 3";
        BACKENDS.add(new BackendStatus("hsm", BackendHealth.down(vendor), Set.of()));
        HttpResponse<String> r = get(h2, "/health");
        assertEquals(503, r.statusCode());
        JsonNode backend = json(r).path("backends").get(0);
        assertEquals("DOWN", backend.path("status").asText());
        assertFalse(backend.has("detail"), r.body());
        for (String fragment : List.of("CKR", "0x30", "safenet", "slot")) {
            assertFalse(r.body().contains(fragment), r.body());
        }
        Set<String> fields = new java.util.HashSet<>();
        backend.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("id", "status", "algorithms"), fields, r.body());
    }

    @Test
    void unknownRouteIs404() throws Exception {
        error(get(h2, "/csc/v2/nothing"), 404, "invalid_request");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(base + "/csc/v2/info"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        error(r, 405, "invalid_request");
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElse(""));
        error(post(h2, "/health", "application/json", "{}".getBytes()), 405, "invalid_request");
    }

    @Test
    void aBodyThatIsNotJsonIs415() throws Exception {
        error(post(h2, "/csc/v2/info", "text/plain", "{}".getBytes()), 415, "invalid_request");
        error(post(h2, "/csc/v2/info", null, "{}".getBytes()), 415, "invalid_request");
        error(post(h2, "/csc/v2/info", "application/json; charset=ISO-8859-1", "{}".getBytes()), 415,
                "invalid_request");
        assertEquals(200, post(h2, "/csc/v2/info", "application/json; charset=utf-8", "{}".getBytes()).statusCode());
    }

    @Test
    void malformedJsonIs400() throws Exception {
        for (String bad : List.of("{", "[1,2]", "\"text\"", "{\"lang\":\"a\",\"lang\":\"b\"}", "{} {}",
                "{\"lang\": 5}", "[".repeat(100))) {
            error(post(h2, "/csc/v2/info", "application/json", bad.getBytes(StandardCharsets.UTF_8)), 400,
                    "invalid_request");
        }
    }

    @Test
    void anOversizedBodyIs413OverBothProtocols() throws Exception {
        byte[] big = new byte[10 * 1024 * 1024];
        error(post(h2, "/csc/v2/info", "application/json", big), 413, "invalid_request");
        error(post(h1, "/csc/v2/info", "application/json", big), 413, "invalid_request");
    }

    @Test
    void backendErrorsAreMappedAndInternalDetailIsWithheld() throws Exception {
        HttpResponse<String> busy = get(h2, "/test/busy");
        error(busy, 503, "temporarily_unavailable");
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        JsonNode internal = error(get(h2, "/test/internal"), 500, "server_error");
        assertFalse(internal.toString().contains("CKR"), internal.toString());
        JsonNode crash = error(get(h2, "/test/crash"), 500, "server_error");
        assertFalse(crash.toString().contains("secret"), crash.toString());
    }

    @Test
    void onlyTls12And13AreAccepted() throws Exception {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            assertEquals(protocol, handshake(protocol), protocol);
        }
        for (String protocol : List.of("TLSv1.1", "TLSv1")) {
            javax.net.ssl.SSLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    javax.net.ssl.SSLException.class, () -> handshake(protocol), protocol);
            assertTrue(refused.getMessage() != null, protocol);
        }
    }

    /** Handshakes offering only {@code protocol}; returns the negotiated one. */
    private static String handshake(String protocol) throws Exception {
        javax.net.ssl.SSLContext ctx = tls.clientContext("TLS");
        assertTrue(List.of(ctx.getSupportedSSLParameters().getProtocols()).contains(protocol),
                "the test JVM must allow " + protocol + " (legacy-tls-allowed.security)");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", server.port())) {
            s.setSoTimeout(5000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }

    @Test
    void errorsJettyRaisesItselfAreJsonToo() throws Exception {
        try (SSLSocket s = (SSLSocket) tls.clientContext("TLS").getSocketFactory()
                .createSocket("localhost", server.port())) {
            s.setSoTimeout(5000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            OutputStream out = s.getOutputStream();
            out.write(("GET /csc/v2/info HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            JsonNode n = Json.MAPPER.readTree(body);
            assertEquals("invalid_request", n.path("error").asText(), body);
            assertEquals("Request headers too large", n.path("error_description").asText());
        }
    }

    @Test
    void beyondTheConcurrencyLimitTheServerAnswers503WithRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> first = h2.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/test/block")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(ENTERED.await(10, TimeUnit.SECONDS));
        CompletableFuture<HttpResponse<String>> second = h1.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/test/block")).build(), HttpResponse.BodyHandlers.ofString());
        // two slots: the third request is refused at once (max.wait.ms = 1)
        Thread.sleep(300);
        HttpResponse<String> third = get(h1, "/csc/v2/info");
        // the health check is outside the API's limit
        HttpResponse<String> health = get(h1, "/health");
        RELEASE.countDown();
        assertTrue(health.statusCode() == 200 || health.statusCode() == 503 && json(health).has("backends"),
                health.body());
        error(third, 503, "temporarily_unavailable");
        assertTrue(third.headers().firstValue("Retry-After").isPresent());
        assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(200, second.get(20, TimeUnit.SECONDS).statusCode());
        // The limit frees a slot just after its answer has left: wait until both are free, so the
        // next test (in whatever order JUnit runs them) does not meet this one's requests.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (get(h1, "/csc/v2/info").statusCode() == 503 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> csc(String path, String authorization, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return h2.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String userAndPassword) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loginTakesHttpBasicInUtf8AndAnswersABearerToken() throws Exception {
        JsonNode ok = json(csc("/csc/v2/auth/login", basic("alice:pä:ss"), "{}"));
        assertEquals("token-alice", ok.path("access_token").asText());
        assertEquals(1800, ok.path("expires_in").asInt());
        error(csc("/csc/v1/auth/login", basic("alice:wrong"), "{}"), 400, "invalid_grant");
        HttpResponse<String> none = csc("/csc/v2/auth/login", null, "{}");
        error(none, 401, "invalid_request");
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        error(csc("/csc/v2/auth/login", "Basic !!!", "{}"), 400, "invalid_request");
    }

    @Test
    void refusalsTheTransportMakesItselfAreAudited() throws Exception {
        CscFakes.AUDIT.records.clear();
        error(csc("/csc/v2/credentials/list", null, "{}"), 401, "invalid_token");
        error(csc("/csc/v2/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c9\",\"SAD\":\"s\","
                + "\"hashes\":[\"***\"],\"signAlgo\":\"1.2.840.113549.1.1.11\"}"), 400, "invalid_request");
        assertEquals(List.of("csc.credentials/list null Missing access token (Authorization: Bearer)",
                "csc.signatures/signHash c9 Invalid Base64 hashes string parameter"), CscFakes.AUDIT.records);
    }

    @Test
    void aMissingOrInvalidBearerTokenIs401WithAChallenge() throws Exception {
        HttpResponse<String> missing = csc("/csc/v2/credentials/list", null, "{}");
        error(missing, 401, "invalid_token");
        assertTrue(missing.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        error(csc("/csc/v2/credentials/list", "Bearer nope", "{}"), 401, "invalid_token");
        assertEquals(204, csc("/csc/v2/auth/revoke", "Bearer token-alice", "{}").statusCode());
    }

    @Test
    void authorizeTakesTheFactorsAsAuthDataOrTopLevelAndV1FieldNames() throws Exception {
        String h = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        JsonNode v2 = json(csc("/csc/v2/credentials/authorize", "Bearer token-alice", "{\"credentialID\":\"c1\","
                + "\"numSignatures\":1,\"hashes\":[\"" + h + "\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\","
                + "\"authData\":[{\"id\":\"PIN\",\"value\":\"123456\"},{\"id\":\"OTP\",\"value\":\"987654\"}]}"));
        assertEquals("sad-1", v2.path("SAD").asText());
        assertEquals(300, v2.path("expiresIn").asInt());
        assertEquals("authorize alice c1 1 1 SHA256 123456 987654", CscFakes.lastCall);
        json(csc("/csc/v2/credentials/authorize", "Bearer token-alice", "{\"credentialID\":\"c1\","
                + "\"numSignatures\":1,\"hashes\":[\"" + h + "\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\","
                + "\"PIN\":\"654321\",\"OTP\":\"111111\"}"));
        assertEquals("authorize alice c1 1 1 SHA256 654321 111111", CscFakes.lastCall);
        String h48 = java.util.Base64.getEncoder().encodeToString(new byte[48]);
        json(csc("/csc/v1/credentials/authorize", "Bearer token-alice", "{\"credentialID\":\"c1\","
                + "\"numSignatures\":1,\"hash\":[\"" + h48 + "\"],\"PIN\":\"135790\",\"OTP\":\"2\"}"));
        assertEquals("authorize alice c1 1 1 SHA384 135790 2", CscFakes.lastCall, "v1: the hash follows from the length");
        error(csc("/csc/v2/credentials/authorize", "Bearer token-alice", "{\"credentialID\":\"c1\","
                + "\"numSignatures\":1,\"hashes\":[\"%%%\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"),
                400, "invalid_request");
        error(csc("/csc/v2/credentials/authorize", "Bearer token-alice", "{\"numSignatures\":1}"), 400,
                "invalid_request");
    }

    @Test
    void signHashResolvesTheAlgorithmFromOidsAndPssParameters() throws Exception {
        String h = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        JsonNode out = json(csc("/csc/v2/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c1\","
                + "\"SAD\":\"s\",\"hashes\":[\"" + h + "\",\"" + h + "\"],\"signAlgo\":\"1.2.840.113549.1.1.11\"}"));
        assertEquals(2, out.path("signatures").size());
        assertEquals("sign alice c1 s 2 RSA_PKCS1_SHA256", CscFakes.lastCall);
        json(csc("/csc/v1/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c1\",\"SAD\":\"s\","
                + "\"hash\":[\"" + h + "\"],\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.113549.1.1.1\"}"));
        assertEquals("sign alice c1 s 1 RSA_PKCS1_SHA256", CscFakes.lastCall);
        java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        String params = java.util.Base64.getEncoder().encodeToString(p.getEncoded());
        json(csc("/csc/v2/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c1\",\"SAD\":\"s\","
                + "\"hashes\":[\"" + h + "\"],\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\""
                + params + "\"}"));
        assertEquals("sign alice c1 s 1 RSA_PSS_SHA256", CscFakes.lastCall);
        p = java.security.AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 20, 1));
        error(csc("/csc/v2/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c1\",\"SAD\":\"s\","
                + "\"hashes\":[\"" + h + "\"],\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\""
                + java.util.Base64.getEncoder().encodeToString(p.getEncoded()) + "\"}"), 400, "invalid_request");
        error(csc("/csc/v2/signatures/signHash", "Bearer token-alice", "{\"credentialID\":\"c1\",\"SAD\":\"s\","
                + "\"hashes\":[\"" + h + "\"],\"signAlgo\":\"1.2.3.4\"}"), 400, "invalid_request");
    }

    @Test
    void credentialsListAndInfoSpeakBothDialects() throws Exception {
        CscFakes.CREDENTIALS.clear();
        FakeSigning.KEY_CALLS.set(0);
        CscFakes.CREDENTIALS.add(new dev.sigil.api.credential.Credential("c1", "alice",
                new KeyRef("b", "k"), List.of(tls.certificate), EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256), 3, 2, true));
        CscFakes.CREDENTIALS.add(new dev.sigil.api.credential.Credential("c2", "bob",
                new KeyRef("b", "k2"), List.of(), EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256), 1, 2, true));
        JsonNode list = json(csc("/csc/v2/credentials/list", "Bearer token-alice", "{\"credentialInfo\":true}"));
        assertEquals(1, list.path("credentialIDs").size());
        assertEquals("c1", list.path("credentialInfos").get(0).path("credentialID").asText());
        JsonNode v2 = json(csc("/csc/v2/credentials/info", "Bearer token-alice",
                "{\"credentialID\":\"c1\",\"certificates\":\"chain\",\"certInfo\":true}"));
        assertEquals("2", v2.path("SCAL").asText());
        assertEquals(3, v2.path("multisign").asInt());
        // The key's shape comes from the stored certificate (the test TLS certificate: EC P-256),
        // without a call to the backend (whose fake would say RSA 2048).
        assertEquals(256, v2.path("key").path("len").asInt());
        assertEquals("1.2.840.113549.1.1.11", v2.path("key").path("algo").get(0).asText());
        assertEquals("1.2.840.10045.2.1", v2.path("key").path("algo").get(1).asText());
        assertEquals("1.2.840.10045.3.1.7", v2.path("key").path("curve").asText());
        assertEquals(0, FakeSigning.KEY_CALLS.get(), "credentials/list and info made a backend call");
        assertEquals(1, v2.path("cert").path("certificates").size());
        assertEquals("PIN AND OTP", v2.path("auth").path("expression").asText());
        JsonNode v1 = json(csc("/csc/v1/credentials/info", "Bearer token-alice", "{\"credentialID\":\"c1\"}"));
        assertEquals("true", v1.path("PIN").path("presence").asText());
        assertEquals("true", v1.path("OTP").path("presence").asText());
        assertEquals("explicit", v1.path("authMode").asText());
        error(csc("/csc/v2/credentials/info", "Bearer token-alice", "{\"credentialID\":\"c2\"}"), 400,
                "invalid_request");
    }
}
