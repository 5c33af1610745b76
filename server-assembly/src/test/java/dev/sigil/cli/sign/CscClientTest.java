package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request shapes and error handling of the CSC client, against a scripted plain-HTTP server
 * (fault injection; the real server is exercised by SignCliIT).
 */
class CscClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Exchange(String path, Map<String, List<String>> headers, String body) {
    }

    private HttpServer server;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final Map<String, int[]> statuses = new ConcurrentHashMap<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            String path = x.getRequestURI().getPath();
            Map<String, List<String>> headers = new java.util.HashMap<>();
            x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
            exchanges.add(new Exchange(path, headers,
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            String endpoint = path.replaceFirst("^/base/csc/v[12]/", "");
            int status = statuses.getOrDefault(endpoint, new int[] {200})[0];
            byte[] body = answers.getOrDefault(endpoint, "{}").getBytes(StandardCharsets.UTF_8);
            if (status == 204) {
                x.sendResponseHeaders(204, -1);
            } else {
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(status, body.length);
                x.getResponseBody().write(body);
            }
            x.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/base/");
        answers.put("auth/login", "{\"access_token\":\"tok\",\"expires_in\":1800}");
        statuses.put("auth/revoke", new int[] {204});
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CscClient client(ApiVersion api) {
        return new CscClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), base, api, "test");
    }

    private JsonNode body(int i) throws IOException {
        return JSON.readTree(exchanges.get(i).body());
    }

    @Test
    void loginSendsBasicInUtf8AndLaterCallsTheBearerToken() throws Exception {
        CscClient c = client(ApiVersion.V2);
        c.login("jürgen", "pässwörd".toCharArray());
        answers.put("credentials/info", "{\"key\":{\"algo\":[]},\"cert\":{\"certificates\":[]}}");
        assertThrows(SignException.class, () -> c.info("x"));
        assertEquals("/base/csc/v2/auth/login", exchanges.get(0).path());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("jürgen:pässwörd".getBytes(StandardCharsets.UTF_8)),
                exchanges.get(0).headers().get("authorization").get(0));
        assertEquals("Bearer tok", exchanges.get(1).headers().get("authorization").get(0));
        assertEquals("application/json", exchanges.get(1).headers().get("content-type").get(0));
        c.revoke();
        assertEquals("/base/csc/v2/auth/revoke", exchanges.get(2).path());
        assertFalse(c.loggedIn());
    }

    @Test
    void infoAsksForTheChainAndReadsAlgorithmsAndCertificates() throws Exception {
        TestPki pki = TestPki.ec();
        Base64.Encoder b64 = Base64.getEncoder();
        answers.put("credentials/info", "{\"key\":{\"algo\":[\"1.2.840.10045.4.3.2\",\"1.2.840.10045.2.1\"]},"
                + "\"cert\":{\"certificates\":[\"" + b64.encodeToString(pki.chain.get(0).getEncoded()) + "\",\""
                + b64.encodeToString(pki.chain.get(1).getEncoded()) + "\"]}}");
        CscClient c = client(ApiVersion.V2);
        c.login("u", "p".toCharArray());
        Credential info = c.info("demo-ec");
        assertEquals("{\"credentialID\":\"demo-ec\",\"certificates\":\"chain\"}", body(1).toString());
        assertEquals(List.of("1.2.840.10045.4.3.2", "1.2.840.10045.2.1"), info.keyAlgorithms());
        assertEquals(pki.chain, info.chain());
        assertEquals("Test Signer", info.subjectCommonName());
    }

    @Test
    void v2AuthorizesOneHashWithAuthDataAndSignsWithTheCombinedOid() throws Exception {
        byte[] hash = new byte[32];
        hash[0] = 7;
        answers.put("credentials/authorize", "{\"SAD\":\"sad-1\",\"expiresIn\":300}");
        answers.put("signatures/signHash", "{\"signatures\":[\"AQID\"]}");
        CscClient c = client(ApiVersion.V2);
        c.login("u", "p".toCharArray());
        assertEquals("sad-1", c.authorize("demo", hash, SignatureAlgorithm.Digest.SHA256, "123456".toCharArray(),
                "567890".toCharArray()));
        assertArrayEquals(new byte[] {1, 2, 3}, c.signHash("demo", "sad-1", hash, SignatureAlgorithm.SHA256_WITH_RSA));
        String h = Base64.getEncoder().encodeToString(hash);
        assertEquals("{\"credentialID\":\"demo\",\"numSignatures\":1,\"hashes\":[\"" + h + "\"],"
                + "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"authData\":[{\"id\":\"PIN\",\"value\":\"123456\"},"
                + "{\"id\":\"OTP\",\"value\":\"567890\"}]}", body(1).toString());
        assertEquals("{\"credentialID\":\"demo\",\"SAD\":\"sad-1\",\"hashes\":[\"" + h + "\"],"
                + "\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}",
                body(2).toString());
    }

    @Test
    void v1UsesItsOwnFieldNamesAndPathAndPssSendsItsParameters() throws Exception {
        byte[] hash = new byte[48];
        answers.put("credentials/authorize", "{\"SAD\":\"sad-1\"}");
        answers.put("signatures/signHash", "{\"signatures\":[\"AQID\"]}");
        CscClient c = client(ApiVersion.V1);
        c.login("u", "p".toCharArray());
        c.authorize("demo", hash, SignatureAlgorithm.Digest.SHA384, "123456".toCharArray(), "567890".toCharArray());
        c.signHash("demo", "sad-1", hash, SignatureAlgorithm.RSASSA_PSS_SHA384);
        assertEquals("/base/csc/v1/credentials/authorize", exchanges.get(1).path());
        String h = Base64.getEncoder().encodeToString(hash);
        assertEquals("{\"credentialID\":\"demo\",\"numSignatures\":1,\"hash\":[\"" + h + "\"],\"PIN\":\"123456\","
                + "\"OTP\":\"567890\"}", body(1).toString());
        JsonNode sign = body(2);
        assertEquals("[\"" + h + "\"]", sign.path("hash").toString());
        assertEquals("2.16.840.1.101.3.4.2.2", sign.path("hashAlgo").asText());
        assertEquals("1.2.840.113549.1.1.10", sign.path("signAlgo").asText());
        assertEquals(SignatureAlgorithm.RSASSA_PSS_SHA384.signAlgoParams().orElseThrow(), sign.path("signAlgoParams").asText());
    }

    @Test
    void aRefusalBecomesOneLineWithTheEndpointTheErrorAndItsDescription() throws Exception {
        statuses.put("credentials/authorize", new int[] {400});
        answers.put("credentials/authorize", "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid OTP\","
                + "\"request_id\":\"abc\"}");
        CscClient c = client(ApiVersion.V2);
        c.login("u", "p".toCharArray());
        CscException e = assertThrows(CscException.class, () -> c.authorize("demo", new byte[32],
                SignatureAlgorithm.Digest.SHA256, "1".toCharArray(), "2".toCharArray()));
        assertEquals("credentials/authorize: invalid_grant: Invalid OTP", e.getMessage());
        assertEquals(400, e.status);
        assertEquals("invalid_grant", e.error);
    }

    @Test
    void anAnswerThatIsNotCscJsonStillGivesTheStatus() {
        statuses.put("auth/login", new int[] {502});
        answers.put("auth/login", "<html>Bad gateway</html>");
        SignException e = assertThrows(SignException.class, () -> client(ApiVersion.V2).login("u", "p".toCharArray()));
        assertEquals("auth/login: HTTP 502", e.getMessage());
    }

    @Test
    void aServerThatIsNotThereIsNamed() throws Exception {
        server.stop(0);
        SignException e = assertThrows(SignException.class, () -> client(ApiVersion.V2).login("u", "p".toCharArray()));
        assertTrue(e.getMessage().startsWith("auth/login: cannot connect to http://127.0.0.1:"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
