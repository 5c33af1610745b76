package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.signing.BackendStatus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Jazzer over the request handling of every endpoint, v1 and v2: the HTTP request as Jetty parses
 * it, the router's checks, the JSON body, the request object each endpoint reads from it and its
 * validation, down to core's services (the recording doubles of {@link CscFakes}). The same chain as
 * the real server ({@link RequestIdHandler}, {@link Router}, {@link JsonErrorHandler}) on an
 * in-memory connector, so that tens of thousands of requests fit in the test command's fuzzing pass.
 *
 * <p>A finding is an answer with a 5xx status, without the JSON error shape, or no answer at all
 * (an unexpected {@link RuntimeException} in an endpoint is a 500); a value that reached core's
 * doubles although the store could not hold it ({@link CscFakes#BEYOND_THE_EDGE}); a body that is
 * not UTF-8 accepted. Half of the inputs are JSON
 * objects built from the CSC field names with values of any type; the other half are raw bodies.
 *
 * <p>Regression mode (every {@code mvn test}) replays the inputs under
 * {@code src/test/resources/.../RequestFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes, which the
 * module's {@code fuzz} surefire execution does for a bounded time. The kept inputs are findings on
 * the code before issue 11 (a control character in a user name, a bearer token and an audited
 * credentialID reached core); they are bytes this method consumes in order, so a change to what it
 * consumes changes their meaning: fuzz the old code again to renew them.
 */
class RequestFuzzTest {
    @TempDir
    static Path dir;
    static Server server;
    static LocalConnector connector;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final List<String> PATHS = new ArrayList<>();

    static {
        for (String v : List.of("/csc/v2/", "/csc/v1/")) {
            PATHS.add(v + "info");
            Csc.METHODS.forEach(m -> PATHS.add(v + m));
        }
        PATHS.add("/health");
        PATHS.add("/csc/v2/nothing");
    }

    private static final String[] METHODS = {"POST", "POST", "POST", "GET", "PUT", "DELETE", "OPTIONS"};

    private static final String[] FIELDS = {"credentialID", "numSignatures", "hashes", "hash", "hashAlgorithmOID",
        "hashAlgo", "PIN", "OTP", "authData", "SAD", "signAlgo", "signAlgoParams", "userID", "maxResults",
        "pageToken", "credentialInfo", "certificates", "certInfo", "token", "token_type_hint", "rememberMe", "lang",
        "clientData", "id", "value"};

    private static final String[] STRINGS = {"c1", "c2", "sad-1", "token-alice", "2.16.840.1.101.3.4.2.1",
        "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.10",
        "1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.2.840.10045.4.3.2", "none", "single", "chain",
        "access_token", "PIN", "OTP", "123456", "", "alice", "bob", "1.2.3"};

    private static final List<String> PSS_PARAMS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestTls tls = new TestTls(dir);
        HttpsSettings settings = HttpsSettings.from(Configs.of(HttpsConfig.class, Map.of(
                "port", 0,
                "tls.keystore.path", tls.keystore.toString(),
                "tls.keystore.password.env", "PW")), Map.of("PW", TestTls.PASSWORD)::get);
        // /health answers 503 without a backend that is up
        List<BackendStatus> backends = List.of(new BackendStatus("b", BackendHealth.UP,
                EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PSS_SHA256)));
        CscFakes.CREDENTIALS.clear();
        CscFakes.CREDENTIALS.add(new Credential("c1", "alice", new KeyRef("b", "k"), List.of(tls.certificate),
                EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PSS_SHA256), 3, 2, true));
        CscFakes.CREDENTIALS.add(new Credential("c2", "bob", new KeyRef("b", "k2"), List.of(),
                EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256), 1, 2, true));
        for (String h : List.of("SHA-256", "SHA-384", "SHA-512")) {
            AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
            MGF1ParameterSpec mgf = new MGF1ParameterSpec(h);
            p.init(new PSSParameterSpec(h, "MGF1", mgf, Integer.parseInt(h.substring(4)) / 8, 1));
            PSS_PARAMS.add(Base64.getEncoder().encodeToString(p.getEncoded()));
        }
        SigilHttpServer.Routes routes = HttpsServerComponent.routes(settings,
                new SigilHttpServerTest.FakeSigning(() -> backends), new CscFakes.Sessions(), new CscFakes.Control(),
                new CscFakes.Directory(), CscFakes.AUDIT);
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        // The server's own chain without its TLS, concurrency and per-client limits: the request id,
        // /health, and the body read whole before the routes.
        server.setHandler(new RequestIdHandler(new org.eclipse.jetty.server.Handler.Sequence(
                SigilHttpServer.only("/health", routes.health()), new BodyReader(routes.api(), settings.maxBodyBytes(),
                        settings.limits().bodyTimeoutMs(), settings.limits().minRequestDataRate()))));
        server.setErrorHandler(new JsonErrorHandler());
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @FuzzTest(maxDuration = "40s")
    void everyEndpointAnswersAnyRequestWithTheJsonErrorShapeAndNever5xx(FuzzedDataProvider data) throws Exception {
        String path = data.pickValue(PATHS);
        String method = data.pickValue(METHODS);
        String authorization = switch (data.consumeInt(0, 5)) {
            case 0 -> null;
            case 1 -> "Basic " + Base64.getEncoder().encodeToString("alice:pä:ss".getBytes(StandardCharsets.UTF_8));
            case 2 -> "Basic " + Base64.getEncoder().encodeToString(data.consumeBytes(80));
            case 3 -> headerValue(data.consumeString(80));
            default -> "Bearer token-alice";
        };
        String contentType = switch (data.consumeInt(0, 3)) {
            case 0 -> null;
            case 1 -> headerValue(data.consumeString(40));
            default -> "application/json";
        };
        byte[] body = data.consumeBoolean() ? object(data, 0).toString().getBytes(StandardCharsets.UTF_8)
                : data.consumeRemainingAsBytes();

        ByteArrayOutputStream request = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\nConnection: close\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        request.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        request.writeBytes(body);

        CscFakes.BEYOND_THE_EDGE.clear();
        ByteBuffer answer = connector.getResponse(ByteBuffer.wrap(request.toByteArray()), 10, TimeUnit.SECONDS);
        assertNotNull(answer, "no answer to " + method + " " + path);
        HttpTester.Response r = HttpTester.parseResponse(answer);
        assertNotNull(r, "an unparsable answer to " + method + " " + path);
        assertTrue(r.getStatus() < 500, "a " + r.getStatus() + " for " + method + " " + path + ": " + r.getContent());
        assertEquals(List.of(), CscFakes.BEYOND_THE_EDGE, "passed the edge in " + method + " " + path);
        if (r.getStatus() < 300 && method.equals("POST") && body.length > 0) {
            assertTrue(isUtf8(body), "a body that is not UTF-8 was accepted by " + method + " " + path);
        }
        if (r.getStatus() == 204) {
            return;
        }
        assertEquals("application/json", r.get("Content-Type"), method + " " + path + ": " + r.getContent());
        JsonNode json = Json.MAPPER.readTree(r.getContent());
        assertTrue(json.isObject(), r.getContent());
        if (r.getStatus() >= 400) {
            assertEquals(3, json.size(), r.getContent());
            assertTrue(json.path("error").isTextual() && json.path("error_description").isTextual(), r.getContent());
            assertEquals(r.get(RequestIdHandler.HEADER), json.path("request_id").asText(), r.getContent());
        }
    }

    private static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** A header value as a client library would send it: no line breaks (Jetty's parser is not the target). */
    private static String headerValue(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    /** A JSON object of CSC field names (and others) with values of any type. */
    private static ObjectNode object(FuzzedDataProvider data, int depth) {
        ObjectNode o = F.objectNode();
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String name = data.consumeBoolean() ? data.pickValue(FIELDS) : data.consumeString(12);
            o.set(name, value(data, depth));
        }
        return o;
    }

    private static JsonNode value(FuzzedDataProvider data, int depth) {
        switch (data.consumeInt(0, depth < 3 ? 11 : 8)) {
            case 0: return F.textNode(data.pickValue(STRINGS));
            case 1: return F.textNode(data.consumeString(300));
            case 2: return F.textNode(Base64.getEncoder().encodeToString(data.consumeBytes(data.consumeInt(0, 70))));
            case 3: return F.textNode(Base64.getUrlEncoder().withoutPadding().encodeToString(data.consumeBytes(70)));
            case 4: return F.numberNode(data.consumeInt());
            case 5: return F.numberNode(data.consumeLong());
            case 6: return F.numberNode(data.consumeDouble());
            case 7: return data.consumeBoolean() ? F.booleanNode(data.consumeBoolean()) : F.nullNode();
            case 8: return F.textNode(data.pickValue(PSS_PARAMS));
            case 9: {
                ArrayNode a = F.arrayNode();
                int n = data.consumeInt(0, 4);
                for (int i = 0; i < n; i++) {
                    a.add(value(data, depth + 1));
                }
                return a;
            }
            case 10: {
                ArrayNode a = F.arrayNode(); // authData
                int n = data.consumeInt(0, 3);
                for (int i = 0; i < n; i++) {
                    a.addObject().put("id", data.pickValue(new String[] {"PIN", "OTP", "x"}))
                            .set("value", value(data, depth + 1));
                }
                return a;
            }
            default: return object(data, depth + 1);
        }
    }
}
