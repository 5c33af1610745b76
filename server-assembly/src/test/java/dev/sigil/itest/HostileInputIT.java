package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hostile input against the assembled server, over real TLS: one distribution, a table of named
 * requests ({@link HostileCorpus}), and for each the documented error status and JSON shape, never a
 * 5xx; afterwards no stack trace in the server's log and an intact audit log
 * ({@code sigil-admin audit verify}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    @TempDir
    static Path dir;
    static Distribution server;
    static String base;
    static HttpClient h2;
    static HttpClient h1;
    static RawTls raw;
    static TestCsc csc;
    static Properties demo;
    static String token;

    @BeforeAll
    static void launch() throws Exception {
        server = new Distribution(dir.resolve("data"), Map.of(), "--port", "0");
        base = server.awaitListening(Duration.ofSeconds(60));
        h2 = HttpClient.newBuilder().sslContext(server.trustingDevelopmentCa()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        h1 = HttpClient.newBuilder().sslContext(server.trustingDevelopmentCa()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        raw = new RawTls(server.trustingDevelopmentCa(), URI.create(base));
        demo = server.demoAccount();
        csc = new TestCsc(base, server.data);
        token = csc.login(demo.getProperty("user"), demo.getProperty("password"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Finding 9 of issue 11: a credentialID longer than the database column is refused at the edge. */
    @Test
    @Order(1)
    void aCredentialIdOver64CharactersIsRefusedWith400AndAudited() throws Exception {
        String longId = "d".repeat(65);
        for (String path : List.of("csc/v2/credentials/authorize", "csc/v1/credentials/authorize",
                "csc/v2/credentials/extendTransaction", "csc/v2/signatures/signHash", "csc/v2/credentials/info")) {
            HttpResponse<String> r = csc.send(path, token, Map.of("credentialID", longId, "numSignatures", 1,
                    "hashes", List.of(HostileCorpus.SHA256_B64), "hash", List.of(HostileCorpus.SHA256_B64),
                    "hashAlgorithmOID", HostileCorpus.SHA256, "SAD", "bogus-sad", "signAlgo", HostileCorpus.RSA_SHA256,
                    "PIN", "123456", "OTP", "123456"));
            JsonNode n = TestCsc.JSON.readTree(r.body());
            assertEquals(400, r.statusCode(), path + ": " + r.body());
            assertEquals("invalid_request", n.path("error").asText(), path + ": " + r.body());
            assertEquals("Invalid parameter credentialID", n.path("error_description").asText(), path);
        }
        assertNoStackTraceInTheLog();
        AdminCli.Run tail = AdminCli.ok(server, "audit", "tail", "-n", "5");
        assertEquals(5, tail.out().lines().filter(l -> l.contains(" REFUSED ")
                && l.contains("Invalid parameter credentialID")).count(), "each refusal is audited:\n" + tail.out());
        assertTrue(AdminCli.ok(server, "audit", "verify").out().startsWith("Audit log intact: "));
    }

    @Test
    @Order(2)
    void everyHostileRequestGetsTheDocumentedErrorNeverA5xxNorAStackTrace() throws Exception {
        HostileCorpus corpus = new HostileCorpus(h2, h1, raw, base, token,
                demo.getProperty("user") + ":" + demo.getProperty("password"));
        List<HostileCorpus.Case> cases = corpus.cases();
        List<String> failures = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (HostileCorpus.Case c : cases) {
            assertTrue(names.add(c.name()), "case names are unique: " + c.name());
            RawTls.Answer a;
            try {
                a = c.send().call();
            } catch (Exception e) {
                failures.add(c.name() + ": the request failed: " + e);
                continue;
            }
            String why = judge(c, a);
            if (why != null) {
                failures.add(c.name() + ": " + why + " (got " + a.status() + " " + a.outcome() + " "
                        + abbreviate(a.body()) + ")");
            }
        }
        System.out.printf("HOSTILE INPUT: %d cases sent, %d as expected%n", cases.size(), cases.size() - failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n"
                + String.join("\n", failures));
        assertTrue(cases.size() >= 200, "at least 200 cases: " + cases.size());
        assertNoStackTraceInTheLog();
    }

    @Test
    @Order(3)
    void theAuditLogIsIntactAfterTheCorpusAndTheServerStillSigns() throws Exception {
        AdminCli.Run verify = AdminCli.ok(server, "audit", "verify");
        assertTrue(verify.out().startsWith("Audit log intact: "), verify.out());
        HttpResponse<String> list = csc.send("csc/v2/credentials/list", token, Map.of());
        assertEquals(200, list.statusCode(), list.body());
        assertEquals("[\"demo\",\"demo-ec\"]", TestCsc.JSON.readTree(list.body()).path("credentialIDs").toString());
    }

    /** Null if the answer is the case's documented one, else why not. */
    private static String judge(HostileCorpus.Case c, RawTls.Answer a) {
        if (a.status() >= 500) {
            return "a 5xx";
        }
        if (a.outcome().contains("then more")) {
            return "a second answer on the connection: a request was smuggled";
        }
        // A request whose framing or head was refused ends its connection; an absolute-form target
        // naming another host is a well-framed request refused, after which the connection is in step.
        if (c.name().startsWith("HTTP/1.1 ") && c.status() == 400 && !c.name().contains("absolute-form")
                && !a.outcome().equals("response then closed")) {
            return "the connection stayed open after a refused framing";
        }
        if (c.status() == HostileCorpus.RESET) {
            boolean reset = a.status() < 0 && (a.outcome().equals("RST_STREAM 1") || a.outcome().equals("GOAWAY 1"));
            return reset || a.status() == 400 && jsonError(a, "invalid_request") == null ? null
                    : "expected a stream reset (PROTOCOL_ERROR) or a 400";
        }
        if (a.status() != c.status()) {
            return "expected " + c.status();
        }
        if (a.status() < 400) {
            return null;
        }
        return jsonError(a, c.error());
    }

    private static String jsonError(RawTls.Answer a, String error) {
        if (!a.headers().getOrDefault("content-type", "").toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return "not JSON: Content-Type " + a.headers().get("content-type");
        }
        JsonNode n;
        try {
            n = TestCsc.JSON.readTree(a.body());
        } catch (Exception e) {
            return "a body that is not JSON";
        }
        if (n.size() != 3 || !n.path("error").isTextual() || !n.path("error_description").isTextual()
                || !n.path("request_id").isTextual()) {
            return "not the error shape {error, error_description, request_id}";
        }
        if (!n.path("request_id").asText().equals(a.headers().get("x-request-id"))) {
            return "request_id differs from X-Request-Id";
        }
        if (error != null && !error.equals(n.path("error").asText())) {
            return "expected error " + error;
        }
        String d = n.path("error_description").asText();
        if (d.contains("Exception") || d.contains("\tat ") || d.contains("org.eclipse") || d.contains("java.")) {
            return "a description with internals";
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** No stack trace, exception or error in the server's output since it started. */
    private static void assertNoStackTraceInTheLog() throws InterruptedException {
        Thread.sleep(200); // the pumps take the last lines
        List<String> all = new ArrayList<>(server.stdout);
        all.addAll(server.stderr);
        List<String> bad = all.stream().filter(l -> l.contains("\tat ") || l.contains("Exception")
                || l.contains("[ERROR]")).toList();
        assertTrue(bad.isEmpty(), "the server logged failures:\n" + String.join("\n", bad));
    }

    /** {@code sigil-admin} of the distribution, run as an operator runs it. */
    static final class AdminCli {
        record Run(int code, String out) {
        }

        static Run ok(Distribution server, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                    "--data", server.data.toString())); // the admin API's address is in the data directory
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            assertEquals(0, code, String.join(" ", args) + "\n" + out);
            return new Run(code, out);
        }
    }
}
