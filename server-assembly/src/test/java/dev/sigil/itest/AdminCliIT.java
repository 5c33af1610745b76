package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The admin command against the assembled server: a user with password and TOTP, credentials
 * certified by the development CA or through a CSR signed inside the backend, the user's signature
 * through the CSC API, and the audit command naming a record altered directly in the database.
 */
class AdminCliIT {
    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    private Run admin(String base, Map<String, String> env, String... args) throws Exception {
        // No URL given: sigil-admin finds the admin API through <data>/admin.endpoint, as an operator's would.
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    private Run ok(String base, Map<String, String> env, String... args) throws Exception {
        Run r = admin(base, env, args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out());
        return r;
    }

    @Test
    void anAdministratorEnrollsAUserWhoThenSignsAndTheAuditCommandCatchesTampering() throws Exception {
        Map<String, String> none = Map.of();
        try (Distribution server = new Distribution(dir.resolve("data"), none, "--port", "0")) {
            String base = server.awaitListening(Duration.ofSeconds(60));
            ok(base, Map.of("SIGIL_NEW_PASSWORD", "alice-secret-pw"), "user", "add", "alice", "--name", "Alice Example");
            Run dup = admin(base, Map.of("SIGIL_NEW_PASSWORD", "alice-secret-pw"), "user", "add", "alice");
            assertEquals(1, dup.code(), dup.out());
            assertTrue(dup.out().startsWith("sigil-admin: users/add: invalid_request: The user alice exists"), dup.out());

            Run totp = ok(base, none, "totp", "enroll", "alice");
            Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(totp.out());
            assertTrue(seed.find(), totp.out());

            ok(base, Map.of("SIGIL_NEW_PIN", "246810"), "credential", "create", "alice-ec", "--user", "alice",
                    "--key-type", "ec-p256", "--dev-ca", "--subject", "CN=Alice Example,O=Sigil test");
            Path csr = dir.resolve("alice-rsa.csr");
            ok(base, Map.of("SIGIL_NEW_PIN", "135790"), "credential", "create", "alice-rsa", "--user", "alice",
                    "--key-type", "rsa-2048", "--csr", csr.toString(), "--subject", "CN=Alice Example");
            try (PemReader r = new PemReader(Files.newBufferedReader(csr))) {
                PKCS10CertificationRequest req = new PKCS10CertificationRequest(r.readPemObject().getContent());
                assertTrue(req.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .build(req.getSubjectPublicKeyInfo())), "the CSR is signed by the new key, inside the backend");
                assertEquals("CN=Alice Example", req.getSubject().toString());
            }
            Run list = ok(base, none, "credential", "list", "--user", "alice");
            assertTrue(list.out().contains("alice-ec") && list.out().contains("O=Sigil test,CN=Alice Example"), list.out());
            assertTrue(list.out().contains("alice-rsa") && list.out().contains("(none yet)"), list.out());
            Run users = ok(base, none, "user", "list");
            assertTrue(users.out().matches("(?s).*alice\\s+true\\s+PASSWORD,TOTP\\s+2.*"), users.out());

            signAsAlice(base, seed.group(1));
            securityCasesOverHttp(base, seed.group(1));

            Run verify = ok(base, none, "audit", "verify");
            assertTrue(verify.out().startsWith("Audit log intact: "), verify.out());
            Run tail = ok(base, none, "audit", "tail", "-n", "30");
            assertTrue(tail.out().contains("signatures.signHash"), tail.out());
            long refusals = tail.out().lines().filter(l -> l.contains(" REFUSED ")).count();
            assertTrue(refusals >= 7, "the refusals are audited:\n" + tail.out());

            adminApiIsApartFromThePublicPort(base);
            aLockedPinIsUnblockedByTheAdministrator(base);
            theAuditLogIsExportedWithASignedCheckpoint(base);

            Files.writeString(dir.resolve("data/secrets/admin.token.bak"), Files.readString(dir.resolve("data/secrets/admin.token")));
            Files.writeString(dir.resolve("data/secrets/admin.token"), "not-the-token\n");
            Run badToken = admin(base, none, "user", "list");
            Files.move(dir.resolve("data/secrets/admin.token.bak"), dir.resolve("data/secrets/admin.token"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(1, badToken.code(), badToken.out());
            assertTrue(badToken.out().contains("invalid_token"), badToken.out());
            Run afterBadToken = ok(base, none, "audit", "tail", "-n", "3");
            assertTrue(afterBadToken.out().lines().anyMatch(l -> l.contains("admin.users/list") && l.contains(" REFUSED ")
                    && l.contains("Invalid admin token")), "a failed admin authentication is audited:\n" + afterBadToken.out());
        }
        assertFalse(Files.exists(dir.resolve("data/admin.endpoint")), "the stopped server removed its admin URL");
        Run stopped = admin(null, Map.of(), "user", "list");
        assertEquals(1, stopped.code(), stopped.out());
        assertTrue(stopped.out().startsWith("sigil-admin: cannot read the admin API's address from "), stopped.out());

        // A writer with access to the database (the server is stopped: H2 has one writer) attacks the
        // log twice, each time on the log as it was: first cuts the newest records and moves the head
        // back, then changes a record. The checkpoint file outside the database and the audit key
        // name each attack.
        Path db = dir.resolve("data/db/sigil.mv.db");
        Path asItWas = dir.resolve("sigil.mv.db.as-it-was");
        Files.copy(db, asItWas);
        List<String> checkpoints = Files.readAllLines(dir.resolve("data/audit/checkpoints"));
        long last = Long.parseLong(checkpoints.get(checkpoints.size() - 1).split(" ")[1]);
        try (Connection c = h2(dir); Statement s = c.createStatement()) {
            assertEquals(3, s.executeUpdate("DELETE FROM audit_log WHERE seq > " + (last - 3)));
            assertEquals(1, s.executeUpdate("UPDATE audit_head SET seq = " + (last - 3) + ", record_hash = "
                    + "(SELECT record_hash FROM audit_log WHERE seq = " + (last - 3) + ") WHERE id = 1"));
        }
        String cut = brokenAudit(dir, none);
        assertTrue(cut.matches("sigil-admin: audit log BROKEN: the log ends at record " + (last - 3)
                + " but the checkpoint of \\S+ names record \\d+ \\(records were removed at the end\\)"), cut);
        Files.copy(asItWas, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = h2(dir); Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3"));
        }
        assertEquals("sigil-admin: audit log BROKEN: record 3 was altered (its content does not match its keyed link)",
                brokenAudit(dir, none));
    }

    private static Connection h2(Path dir) throws java.sql.SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/db/sigil") + ";MODE=PostgreSQL",
                "sigil", "");
    }

    /** Starts the server on the data directory and returns what a failing 'audit verify' says. */
    private String brokenAudit(Path dir, Map<String, String> env) throws Exception {
        try (Distribution server = new Distribution(dir.resolve("data"), env, "--port", "0")) {
            String base = server.awaitListening(Duration.ofSeconds(60));
            Run broken = admin(base, env, "audit", "verify");
            assertEquals(1, broken.code(), broken.out());
            return broken.out().strip();
        }
    }

    /**
     * The admin API listens on its own loopback port, written to {@code <data>/admin.endpoint}; the public
     * port does not serve it even with the right token.
     */
    private void adminApiIsApartFromThePublicPort(String base) throws Exception {
        java.util.Properties endpoint = new java.util.Properties();
        try (var r = Files.newBufferedReader(dir.resolve("data/admin.endpoint"))) {
            endpoint.load(r);
        }
        URI admin = URI.create(endpoint.getProperty("url"));
        assertTrue(endpoint.getProperty("certificate.sha256").matches("[0-9a-f]{64}"), endpoint.toString());
        URI pub = URI.create(base);
        assertEquals("127.0.0.1", admin.getHost(), admin.toString());
        assertNotEquals(pub.getPort(), admin.getPort(), admin + " vs " + pub);
        String token = Files.readString(dir.resolve("data/secrets/admin.token")).strip();
        HttpClient client = HttpClient.newBuilder().sslContext(Distribution.trusting(dir.resolve("data"))).build();
        for (URI where : List.of(pub, admin)) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(where.resolve("admin/v1/users/list"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(where == pub ? 404 : 200, r.statusCode(), where + ": " + r.body());
        }
    }

    /**
     * Optional configurations reach their components before the server says where it listens: none
     * of them restarts the HTTPS component afterwards (on another port, with port 0).
     */
    @Test
    void theFirstCallAfterTheStartReachesTheAnnouncedPortWithOptionalConfigurations() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : files) {
                Files.copy(p, conf.resolve(p.getFileName()));
            }
        }
        Files.writeString(conf.resolve("dev.sigil.policy.cfg"), "token.ttl.seconds = 60\n");
        Files.writeString(conf.resolve("dev.sigil.auth.password.cfg"), "iterations = 600000\n");
        Files.writeString(conf.resolve("dev.sigil.auth.pin.cfg"), "iterations = 600000\n");
        try (Distribution server = new Distribution(dir.resolve("data"), Map.of(), "--port", "0",
                "--conf", conf.toString())) {
            String base = server.awaitListening(Duration.ofSeconds(60));
            ok(base, Map.of(), "user", "list");
            assertEquals(1, server.stderr.stream().filter(l -> l.contains("SigilHttpServer - HTTPS on")).count(),
                    server.output());
        }
    }

    /** Alice logs in, authorizes one hash with her PIN and a code from her seed, and signs it. */
    private void signAsAlice(String base, String seed) throws Exception {
        TestCsc csc = new TestCsc(base, dir.resolve("data"));
        String token = csc.login("alice", "alice-secret-pw");
        byte[] doc = "alice's contract".getBytes(StandardCharsets.UTF_8);
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(doc));
        JsonNode sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", "alice-ec",
                "numSignatures", 1, "hashes", List.of(hash), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "246810", "OTP", totp(seed, TestTotp.step())));
        JsonNode sig = csc.post("csc/v2/signatures/signHash", token, Map.of("credentialID", "alice-ec",
                "SAD", sad.path("SAD").asText(), "hashes", List.of(hash), "signAlgo", "1.2.840.10045.4.3.2"));
        JsonNode info = csc.post("csc/v2/credentials/info", token, Map.of("credentialID", "alice-ec",
                "certificates", "chain"));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(info.path("cert").path("certificates").get(0).asText())));
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(cert);
        v.update(doc);
        assertTrue(v.verify(Base64.getDecoder().decode(sig.path("signatures").get(0).asText())));
    }

    /**
     * The sole-control refusals as a client sees them: status, CSC error and description, each
     * audited as REFUSED. (Every rule is also a unit test in core, on H2 and PostgreSQL.)
     */
    private void securityCasesOverHttp(String base, String aliceSeed) throws Exception {
        TestCsc csc = new TestCsc(base, dir.resolve("data"));
        java.util.Properties demo = new java.util.Properties();
        try (var r = Files.newBufferedReader(dir.resolve("data/demo-account.properties"))) {
            demo.load(r);
        }
        String alice = csc.login("alice", "alice-secret-pw");
        String bob = csc.login(demo.getProperty("user"), demo.getProperty("password"));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("security".getBytes(StandardCharsets.UTF_8));
        String hash = Base64.getEncoder().encodeToString(digest);
        long step = System.currentTimeMillis() / 30_000 + 1; // signAsAlice used the current step's code
        String code = totp(aliceSeed, step);
        JsonNode sad = csc.post("csc/v2/credentials/authorize", alice, Map.of("credentialID", "alice-ec",
                "numSignatures", 1, "hashes", List.of(hash), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "246810", "OTP", code));
        String aliceSad = sad.path("SAD").asText();
        Map<String, Object> sign = Map.of("credentialID", "alice-ec", "SAD", aliceSad, "hashes", List.of(hash),
                "signAlgo", "1.2.840.10045.4.3.2");

        refused(csc, "csc/v2/signatures/signHash", bob, sign, 400, "invalid_request",
                "Invalid parameter credentialID");
        Map<String, Object> bobWithAlicesSad = new HashMap<>(sign);
        bobWithAlicesSad.put("credentialID", demo.getProperty("credential.2"));
        refused(csc, "csc/v2/signatures/signHash", bob, bobWithAlicesSad, 400, "invalid_request",
                "Invalid parameter SAD");
        Map<String, Object> other = new HashMap<>(sign);
        other.put("hashes", List.of(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest("not authorized".getBytes(StandardCharsets.UTF_8)))));
        refused(csc, "csc/v2/signatures/signHash", alice, other, 400, "invalid_request",
                "Hash is not authorized by the SAD");
        csc.post("csc/v2/signatures/signHash", alice, sign);
        refused(csc, "csc/v2/signatures/signHash", alice, sign, 400, "invalid_request",
                "More hashes than the SAD still authorizes");
        refused(csc, "csc/v2/credentials/authorize", alice, Map.of("credentialID", "alice-ec",
                "numSignatures", 1, "hashes", List.of(hash), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "246810", "OTP", code), 400, "invalid_grant", "Invalid PIN or OTP");
        refused(csc, "csc/v2/credentials/authorize", alice, Map.of("credentialID", "alice-ec",
                "numSignatures", 1, "hashes", List.of(Base64.getEncoder().encodeToString(new byte[20])),
                "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1", "PIN", "246810", "OTP", "000000"), 400,
                "invalid_request", "Invalid hash length: a SHA-256 hash is 32 bytes");
        refused(csc, "csc/v2/credentials/authorize", alice, Map.of("credentialID", "alice-ec",
                "numSignatures", 1, "hashes", List.of("***"), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1"), 400,
                "invalid_request", "Invalid Base64 hashes string parameter");
        refused(csc, "csc/v2/signatures/signHash", alice, Map.of("credentialID", "alice-ec",
                "SAD", aliceSad, "hashes", List.of(hash), "signAlgo", "1.2.3.4.5"), 400, "invalid_request",
                "Invalid parameter signAlgo");
        refused(csc, "csc/v2/credentials/list", null, Map.of(), 401, "invalid_token",
                "Missing access token (Authorization: Bearer)");
        refused(csc, "csc/v2/credentials/info", bob, Map.of("credentialID", "alice-ec"), 400,
                "invalid_request", "Invalid parameter credentialID");
    }

    private void aLockedPinIsUnblockedByTheAdministrator(String base) throws Exception {
        TestCsc csc = new TestCsc(base, dir.resolve("data"));
        String alice = csc.login("alice", "alice-secret-pw");
        Map<String, Object> wrong = Map.of("credentialID", "alice-rsa", "numSignatures", 1,
                "hashes", List.of(Base64.getEncoder().encodeToString(new byte[32])),
                "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1", "PIN", "000000", "OTP", "000000");
        int status = 400;
        for (int i = 0; i < 6 && status == 400; i++) {
            status = csc.send("csc/v2/credentials/authorize", alice, wrong).statusCode();
        }
        assertEquals(403, status, "wrong PIN/code combinations lock the credential");
        Run unblock = ok(base, Map.of(), "credential", "unblock", "alice-rsa");
        assertTrue(unblock.out().contains("is unblocked"), unblock.out());
        assertEquals(400, csc.send("csc/v2/credentials/authorize", alice, wrong).statusCode(),
                "after the unblock a wrong PIN is wrong again, not locked");
        Run unknown = admin(base, Map.of(), "credential", "unblock", "nobody");
        assertEquals(1, unknown.code(), unknown.out());
        assertTrue(unknown.out().contains("No credential nobody"), unknown.out());
    }

    private void theAuditLogIsExportedWithASignedCheckpoint(String base) throws Exception {
        Path export = dir.resolve("audit-export.jsonl");
        Run r = ok(base, Map.of(), "audit", "export", "--out", export.toString());
        assertTrue(r.out().contains("Exported "), r.out());
        List<String> lines = Files.readAllLines(export);
        JsonNode first = TestCsc.JSON.readTree(lines.get(0));
        assertEquals(1, first.path("seq").asLong());
        assertTrue(first.path("link").asText().matches("[0-9a-f]{64}"), lines.get(0));
        JsonNode last = TestCsc.JSON.readTree(lines.get(lines.size() - 2));
        assertTrue(last.path("clientAddress").isTextual(), "every record names its client: " + lines.get(lines.size() - 2));
        String checkpoint = TestCsc.JSON.readTree(lines.get(lines.size() - 1)).path("checkpoint").asText();
        assertTrue(checkpoint.startsWith("sigil-audit-checkpoint-v1 " + last.path("seq").asLong() + " "
                + last.path("link").asText() + " "), checkpoint);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(export)));
        assertEquals(1, admin(base, Map.of(), "audit", "export", "--out", export.toString()).code(),
                "an existing file is not overwritten");
    }

    private static void refused(TestCsc csc, String path, String token, Object body, int status, String error,
                                String description) throws Exception {
        HttpResponse<String> r = csc.send(path, token, body);
        JsonNode n = TestCsc.JSON.readTree(r.body());
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        assertEquals(error, n.path("error").asText(), path + ": " + r.body());
        assertEquals(description, n.path("error_description").asText(), path + ": " + r.body());
    }

    private static String totp(String seedB32, long step) throws Exception {
        return TestTotp.code(seedB32, step);
    }
}
