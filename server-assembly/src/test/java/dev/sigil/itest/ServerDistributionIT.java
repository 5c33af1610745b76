package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.itest.probe.SigningProbe;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;

/**
 * Launches the assembled distribution exactly as a user does ({@code bin/sigil-server}: the real
 * Felix, the real bundles, the shipped configuration, a fresh data directory), on a free loopback
 * port, and talks to it over real TLS trusting only the CA it generated.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerDistributionIT {
    @TempDir
    static Path dir;
    static Distribution server;
    static String base;
    static HttpClient client;
    static double secondsToFirstInfo;

    @BeforeAll
    static void launch() throws Exception {
        Path extra = Files.createDirectories(dir.resolve("extra"));
        buildProbeBundle(extra.resolve("signing-probe.jar"));
        server = new Distribution(dir.resolve("data"),
                Map.of("SIGIL_JAVA_OPTS", "-D" + SigningProbe.OUT + "=" + dir.resolve("probe.properties")),
                "--port", "0", "--extra-bundles", extra.toString());
        base = server.awaitListening(Duration.ofSeconds(60));
        client = HttpClient.newBuilder().sslContext(server.trustingDevelopmentCa())
                .connectTimeout(Duration.ofSeconds(5)).build();
        // Time from launching the script to the first successful info answer.
        while (true) {
            try {
                if (info().statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException notYet) {
                // keep trying
            }
            Thread.sleep(10);
        }
        secondsToFirstInfo = (System.nanoTime() - server.launchedNanos) / 1e9;
        System.out.printf("TIMING: launch to first successful /csc/v2/info: %.2f s (fresh data directory)%n",
                secondsToFirstInfo);
    }

    /** The probe bundle, built from the test classes by bnd, as the build makes Sigil's bundles. */
    private static void buildProbeBundle(Path target) throws Exception {
        try (Builder b = new Builder()) {
            b.setProperty("Bundle-SymbolicName", "dev.sigil.itest.probe");
            b.setProperty("Bundle-Version", "1.0.0");
            b.setProperty("Bundle-Activator", SigningProbe.class.getName());
            b.setProperty("Private-Package", SigningProbe.class.getPackageName());
            b.setProperty("-noextraheaders", "true");
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                b.addClasspath(new File(entry));
            }
            Jar jar = b.build();
            assertTrue(b.getErrors().isEmpty(), "bnd: " + b.getErrors());
            jar.write(target.toFile());
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> info() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "csc/v2/info")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    @Test
    @Order(1)
    void startsWithTheEmbeddedDefaultsAndSaysWhereItListens() {
        String out = String.join("\n", server.stdout);
        assertTrue(base.startsWith("https://localhost:"), base);
        assertTrue(out.contains("CA certificate: " + server.data.resolve("ca/dev-ca.pem")), out);
        assertTrue(out.contains("First start: created development CA"), out);
        assertTrue(Files.exists(server.data.resolve("keys/default.p12")));
        assertTrue(secondsToFirstInfo > 0);
    }

    @Test
    @Order(2)
    void infoOverRealTlsAdvertisesTheKeystoreBackendsAlgorithmsOverHttp2() throws Exception {
        HttpResponse<String> r = info();
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "ALPN should negotiate h2 inside Felix");
        String body = r.body();
        assertTrue(body.contains("\"specs\":\"2.0.0.2\""), body);
        assertTrue(body.contains("\"methods\":[\"info\",\"auth/login\",\"auth/revoke\",\"credentials/list\","
                + "\"credentials/info\",\"credentials/authorize\",\"credentials/extendTransaction\","
                + "\"signatures/signHash\"]"), body);
        assertTrue(body.contains("\"authType\":[\"basic\"]"), body);
        assertTrue(body.contains("\"algos\":[\"1.2.840.113549.1.1.11\",\"1.2.840.113549.1.1.12\","
                + "\"1.2.840.113549.1.1.13\",\"1.2.840.113549.1.1.10\",\"1.2.840.10045.4.3.2\","
                + "\"1.2.840.10045.4.3.3\",\"1.2.840.10045.4.3.4\"]"), body);
        HttpResponse<String> post = send("POST", "csc/v2/info", "application/json", "{\"lang\":\"en\"}".getBytes());
        assertEquals(body, post.body());
    }

    @Test
    @Order(3)
    void healthReportsTheDefaultBackendUp() throws Exception {
        HttpResponse<String> r = send("GET", "health", null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"id\":\"default\",\"status\":\"UP\""), r.body());
        assertFalse(r.body().contains("detail"), "no backend's own words in the answer: " + r.body());
    }

    /**
     * 100 requests from one address (127.0.0.2) whose bodies come one byte at a time, on raw TLS
     * sockets: info and health from another address still answer within a second, and each slow
     * request ends with the server's JSON 408 or 429 (SlowClientsTest does the same over HTTP/2).
     */
    @Test
    @Order(6)
    void slowBodiesFromOneAddressLeaveInfoAndHealthAnswering() throws Exception {
        SSLSocketFactory tls = server.trustingDevelopmentCa().getSocketFactory();
        int port = URI.create(base).getPort();
        List<SSLSocket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                SSLSocket s = (SSLSocket) tls.createSocket("localhost", port, InetAddress.getByName("127.0.0.2"), 0);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("POST /csc/v2/auth/login HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            List<String> figures = new ArrayList<>();
            long worst = 0;
            for (int round = 0; round < 3; round++) {
                for (String path : List.of("csc/v2/info", "health")) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = send("GET", path, null, null);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(200, r.statusCode(), path + " during the attack: " + r.body());
                    figures.add(path + " " + ms + " ms");
                    worst = Math.max(worst, ms);
                }
            }
            System.out.println("TIMING: during 100 slow bodies from 127.0.0.2: " + figures);
            assertTrue(worst < 1000, "info and health within a second during the attack: " + figures);
            for (SSLSocket s : slow) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 408 ") || answer.startsWith("HTTP/1.1 429 "), answer);
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                assertTrue(field(body, "error") != null && field(body, "request_id") != null, answer);
            }
        } finally {
            for (SSLSocket s : slow) {
                s.close();
            }
        }
    }

    @Test
    @Order(4)
    void signaturesMadeThroughTheCoreSigningServiceVerifyAgainstTheCertificatesOnDisk() throws Exception {
        Path out = dir.resolve("probe.properties");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(out) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(out), "the probe bundle wrote nothing\n" + server.output());
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(out)) {
            p.load(in);
        }
        assertNull(p.getProperty("failure"), p.getProperty("failure"));
        assertEquals("true", p.getProperty("done"));
        assertEquals("INVALID_DIGEST", p.getProperty("shortDigest"));

        // The verifier's keys come from the keystore file, read with the password the server made.
        char[] password = Files.readString(server.data.resolve("secrets/keystore-default.pass")).strip().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server.data.resolve("keys/default.p12"))) {
            ks.load(in, password);
        }
        Certificate[] demoChain = ks.getCertificateChain("demo");
        X509Certificate demo = (X509Certificate) demoChain[0];
        X509Certificate ca = (X509Certificate) demoChain[1];
        demo.verify(ca.getPublicKey());
        assertTrue(demo.getSubjectX500Principal().getName().contains("Sigil Demo Signer"));
        PublicKey ec = ks.getCertificate(p.getProperty("ec.keyId")).getPublicKey();

        byte[] message = SigningProbe.MESSAGE.getBytes(StandardCharsets.UTF_8);
        Map<String, String> verifiers = Map.of(
                "RSA_PKCS1_SHA256", "SHA256withRSA", "RSA_PKCS1_SHA384", "SHA384withRSA",
                "RSA_PKCS1_SHA512", "SHA512withRSA", "ECDSA_SHA256", "SHA256withECDSA",
                "ECDSA_SHA384", "SHA384withECDSA", "ECDSA_SHA512", "SHA512withECDSA");
        int verified = 0;
        for (String name : Collections.list(p.propertyNames()).stream().map(Object::toString).sorted().toList()) {
            if (!name.startsWith("sig.")) {
                continue;
            }
            String alg = name.substring(4);
            byte[] sig = Base64.getDecoder().decode(p.getProperty(name));
            Signature v;
            if (alg.startsWith("RSA_PSS_")) {
                String hash = "SHA-" + alg.substring("RSA_PSS_SHA".length());
                int len = Integer.parseInt(alg.substring("RSA_PSS_SHA".length())) / 8;
                v = Signature.getInstance("RSASSA-PSS");
                v.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), len, 1));
            } else {
                v = Signature.getInstance(verifiers.get(alg));
            }
            v.initVerify(alg.startsWith("ECDSA") ? ec : demo.getPublicKey());
            v.update(message);
            assertTrue(v.verify(sig), alg + " signature does not verify");
            verified++;
        }
        assertEquals(9, verified, "one signature per algorithm");
    }

    @Test
    @Order(4)
    void badRequestsGetTheJsonErrorAndTheRightStatus() throws Exception {
        record Case(String what, String method, String path, String type, byte[] body, int status) {
        }
        for (Case c : List.of(
                new Case("malformed JSON", "POST", "csc/v2/info", "application/json", "{\"lang\":".getBytes(), 400),
                new Case("10 MB body", "POST", "csc/v2/info", "application/json", new byte[10 * 1024 * 1024], 413),
                new Case("wrong content type", "POST", "csc/v2/info", "text/plain", "lang=en".getBytes(), 415),
                new Case("unknown route", "POST", "csc/v2/credentials/nothing", "application/json", "{}".getBytes(), 404),
                new Case("POST on a GET-only route", "POST", "health", "application/json", "{}".getBytes(), 405),
                new Case("PUT on info", "PUT", "csc/v2/info", "application/json", "{}".getBytes(), 405))) {
            HttpResponse<String> r = send(c.method(), c.path(), c.type(), c.body());
            assertEquals(c.status(), r.statusCode(), c.what() + ": " + r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), c.what());
            assertEquals("invalid_request", field(r.body(), "error"), c.what() + ": " + r.body());
            assertTrue(field(r.body(), "error_description") != null, c.what() + ": " + r.body());
            assertEquals(r.headers().firstValue("X-Request-Id").orElse("?"), field(r.body(), "request_id"), c.what());
            assertFalse(r.body().contains("Exception"), c.what() + ": " + r.body());
        }
    }

    @Test
    @Order(5)
    void pyHankosCscSignerSignsAPdfThroughV1AndTheSignatureValidates() throws Exception {
        Path root = Path.of(System.getProperty("sigil.root", "."));
        Path python = root.resolve(".tools/venv/bin/python");
        assertTrue(Files.isExecutable(python), "pyHanko is not installed: './sigil test' installs it into .tools/venv "
                + "(or: python3 -m venv .tools/venv && .tools/venv/bin/pip install -r "
                + "server-assembly/src/test/python/requirements.txt)");
        Path pdf = dir.resolve("signed-by-pyhanko.pdf");
        // The previous step's code: the CSC flow after this one uses the current and the next.
        Process p = new ProcessBuilder(python.toString(),
                root.resolve("server-assembly/src/test/python/pyhanko_csc_sign.py").toString(),
                base, server.data.resolve("ca/dev-ca.pem").toString(),
                server.data.resolve("demo-account.properties").toString(), pdf.toString(), "-1")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("The signature is judged VALID."), out);

        Path pdfsig = Path.of("/usr/bin/pdfsig");
        assertTrue(Files.isExecutable(pdfsig), "pdfsig is missing: install poppler-utils (./sigil test does as root)");
        Process check = new ProcessBuilder(pdfsig.toString(), pdf.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check.waitFor();
        assertTrue(report.contains("Signature Validation: Signature is Valid."), report);
        assertTrue(report.contains("Signer Certificate Common Name: Sigil Demo Signer"), report);
    }

    @Test
    @Order(6)
    void theDemoAccountSignsThroughTheCscApiAndEverySignatureVerifies() throws Exception {
        new CscFlow(client, base, server.data).run();
    }

    @Test
    @Order(7)
    void stopsCleanlyOnSigterm() throws Exception {
        // ProcessHandle.destroy sends SIGTERM like Process.destroy, but keeps the output pipes open
        // (Process.destroy closes them, and the server's last words would be lost).
        assertTrue(server.process.toHandle().destroy());
        int code = server.awaitExit(Duration.ofSeconds(30));
        assertEquals(143, code, server.output());
        assertTrue(server.stderr.contains("Sigil stopped."), server.output());
        assertFalse(String.join("\n", server.stderr).contains("\tat "), "no stack trace on stop\n" + server.output());
    }
}
