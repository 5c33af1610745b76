package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
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
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the assembled server's tests of a remote key service's backend (AWS KMS, Azure Key Vault)
 * share: the distribution's configuration with the backend's file added, two users whose
 * credentials have keys generated in the service (carol RSA-2048, dave P-256), the CSC flow signing
 * with them and verifying each signature with the certificate, and the service throttling every
 * signature: 503 with a {@code Retry-After} and nothing of the vendor's, {@code /health} DEGRADED,
 * the audit log's ERROR with the hashes given back, and the same SAD signing once the service
 * accepts calls again.
 */
final class RemoteBackendFlow {
    /** What the test's fake of the service can do to its sign calls. */
    interface SignFaults {
        void resetCounts();

        /** Throttle every sign call from now on. */
        void throttleEverySign();

        void clearFaults();

        /** Sign calls since {@link #resetCounts()}. */
        int signCalls();
    }

    /** The users' TOTP seeds. */
    record Seeds(String carol, String dave) {
    }

    private final Path dir;
    private final String backendId;
    private final String service;
    private final int maxRetries;

    /**
     * @param dir        the test's directory: {@code conf/} and {@code data/} are made in it
     * @param backendId  the backend's {@code sigil.backend.id}; it names the credentials too
     * @param service    the service's name for documents and messages ({@code AWS KMS})
     * @param maxRetries the backend's {@code max.retries}
     */
    RemoteBackendFlow(Path dir, String backendId, String service, int maxRetries) {
        this.dir = dir;
        this.backendId = backendId;
        this.service = service;
        this.maxRetries = maxRetries;
    }

    Path data() {
        return dir.resolve("data");
    }

    /** A copy of the distribution's {@code conf/} with the backend's configuration file added. */
    Path conf(String fileName, String backendConfig) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : s) {
                Files.copy(p, conf.resolve(p.getFileName()));
            }
        }
        Files.writeString(conf.resolve(fileName), backendConfig);
        return conf;
    }

    /** The server is listening with the bundle resolved, and the backend is UP; a client for it. */
    TestCsc startedAndUp(Distribution server, String base) throws Exception {
        // The launcher refuses to go on with a bundle that is not ACTIVE (it names the missing
        // requirement); listening means the backend's bundle resolved with what the server has.
        String output = server.output();
        assertFalse(output.contains("Unable to resolve") || output.contains("missing requirement"), output);
        TestCsc csc = new TestCsc(base, data());
        JsonNode health = TestCsc.JSON.readTree(csc.client.send(HttpRequest.newBuilder(
                URI.create(base + "health")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("UP", health.path("status").asText(), health.toString());
        assertTrue(health.toString().contains("\"id\":\"" + backendId + "\",\"status\":\"UP\""), health.toString());
        return csc;
    }

    /** carol with an RSA-2048 credential, dave with a P-256 one, both keys generated in the service. */
    Seeds usersWithKeysInTheService() throws Exception {
        admin(Map.of("SIGIL_NEW_PASSWORD", "carol-secret-pw"), "user", "add", "carol");
        Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "carol"));
        assertTrue(seed.find());
        admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", credential("carol", "rsa"), "--user", "carol",
                "--backend", backendId, "--key-type", "rsa-2048", "--dev-ca", "--subject", "CN=Carol " + service);
        // A second user for the EC key: each user's TOTP steps can be used once, and only near now.
        admin(Map.of("SIGIL_NEW_PASSWORD", "dave-secret-pw"), "user", "add", "dave");
        Matcher daveSeed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "dave"));
        assertTrue(daveSeed.find());
        admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", credential("dave", "ec"), "--user", "dave",
                "--backend", backendId, "--key-type", "ec-p256", "--dev-ca", "--subject", "CN=Dave " + service + " EC");
        return new Seeds(seed.group(1), daveSeed.group(1));
    }

    /** {@code carol-kms-rsa}, {@code dave-kv-ec}. */
    String credential(String user, String key) {
        return user + "-" + backendId + "-" + key;
    }

    /**
     * Signs and verifies through the CSC API: RS256 and PS256 with carol's key, ES256 with dave's;
     * then the service throttles every signature (see the class comment).
     *
     * @param vendorWords words of the service's own answers that must not reach the client
     */
    void signThenThrottled(TestCsc csc, Seeds seeds, SignFaults faults, List<String> vendorWords, String testName)
            throws Exception {
        long daveStep = signAll(csc, seeds);
        long t1 = System.nanoTime();
        throttledIsA503AndTheSadKeepsItsHashes(csc, faults, seeds.dave(), Math.max(daveStep + 1, TestTotp.step()),
                vendorWords);
        System.out.printf("TIMING: %s throttling %.1f s%n", testName, (System.nanoTime() - t1) / 1e9);
    }

    /** @return the TOTP step whose code dave used */
    private long signAll(TestCsc csc, Seeds seeds) throws Exception {
        String token = csc.login("carol", "carol-secret-pw");
        long step = TestTotp.step();
        sign(csc, token, credential("carol", "rsa"), "1.2.840.113549.1.1.11", null, TestTotp.code(seeds.carol(), step));
        sign(csc, token, credential("carol", "rsa"), "1.2.840.113549.1.1.10", "PSS",
                TestTotp.code(seeds.carol(), step + 1));
        String daveToken = csc.login("dave", "dave-secret-pw");
        long daveStep = TestTotp.step();
        sign(csc, daveToken, credential("dave", "ec"), "1.2.840.10045.4.3.2", null, TestTotp.code(seeds.dave(), daveStep));
        return daveStep;
    }

    /**
     * The service throttles every signature for longer than the backend retries: a signHash of two
     * hashes fails as the design says, and signs once the service accepts calls again.
     */
    private void throttledIsA503AndTheSadKeepsItsHashes(TestCsc csc, SignFaults faults, String daveSeed, long step,
                                                        List<String> vendorWords) throws Exception {
        String token = csc.login("dave", "dave-secret-pw");
        String ec = "1.2.840.10045.4.3.2";
        String credential = credential("dave", "ec");
        byte[][] docs = {"throttled first".getBytes(StandardCharsets.UTF_8),
                "throttled second".getBytes(StandardCharsets.UTF_8)};
        List<String> hashes = new ArrayList<>();
        for (byte[] d : docs) {
            hashes.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(d)));
        }
        String sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", credential,
                "numSignatures", 2, "hashes", hashes, "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "445566", "OTP", TestTotp.code(daveSeed, step))).path("SAD").asText();
        Map<String, Object> body = Map.of("credentialID", credential, "SAD", sad, "hashes", hashes,
                "signAlgo", ec);

        // 1. Throttled beyond the retries: 503, temporarily_unavailable, a Retry-After, nothing of the vendor's.
        faults.resetCounts();
        faults.throttleEverySign();
        HttpResponse<String> busy = csc.send("csc/v2/signatures/signHash", token, body);
        String observed = busy.statusCode() + " " + busy.headers().map() + " " + busy.body();
        System.out.println("THROTTLED signHash: " + observed);
        assertEquals(503, busy.statusCode(), observed);
        JsonNode error = TestCsc.JSON.readTree(busy.body());
        assertEquals("temporarily_unavailable", error.path("error").asText(), observed);
        String retryAfter = busy.headers().firstValue("Retry-After").orElse(null);
        assertTrue(retryAfter != null && retryAfter.matches("[1-9][0-9]*"), observed);
        String lower = busy.body().toLowerCase(Locale.ROOT);
        List<String> leaks = new ArrayList<>(List.of("exception", "\tat ", "dev.sigil."));
        leaks.addAll(vendorWords);
        for (String leak : leaks) {
            assertFalse(lower.contains(leak), "'" + leak + "' in " + observed);
        }
        // Each hash: the first call and maxRetries retries; none was signed.
        int signCalls = faults.signCalls();
        System.out.println("THROTTLED sign calls: " + signCalls);
        assertTrue(signCalls >= hashes.size() && signCalls <= hashes.size() * (maxRetries + 1),
                signCalls + " sign calls");

        // 2. Meanwhile /health: the backend and the server DEGRADED, still 200.
        HttpResponse<String> health = csc.client.send(HttpRequest.newBuilder(URI.create(csc.base + "health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        JsonNode h = TestCsc.JSON.readTree(health.body());
        assertEquals("DEGRADED", h.path("status").asText(), health.body());
        assertTrue(health.body().contains("\"id\":\"" + backendId + "\",\"status\":\"DEGRADED\""), health.body());

        // 3. The service accepts calls again: the same SAD signs the same two hashes (they were given back).
        faults.clearFaults();
        JsonNode signed = csc.post("csc/v2/signatures/signHash", token, body);
        assertEquals(2, signed.path("signatures").size(), signed.toString());
        X509Certificate cert = certificate(csc, token, credential);
        for (int i = 0; i < docs.length; i++) {
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(cert.getPublicKey());
            v.update(docs[i]);
            assertTrue(v.verify(Base64.getDecoder().decode(signed.path("signatures").get(i).asText())),
                    "signature " + i + " after throttling verifies against the certificate");
        }

        // 4. The audit log: the failure as ERROR (BUSY, hashes given back), then the success; intact.
        String tail = admin(Map.of(), "audit", "tail", "-n", "10");
        List<String> signHash = tail.lines().filter(l -> l.contains("signatures.signHash")
                && l.contains(credential)).toList();
        assertTrue(signHash.size() >= 2, tail);
        String failed = signHash.get(signHash.size() - 2);
        System.out.println("AUDIT: " + failed + "\nAUDIT: " + signHash.get(signHash.size() - 1));
        assertTrue(failed.contains(" ERROR ") && failed.contains("signing failed: BUSY")
                && failed.contains("given back"), tail);
        assertTrue(signHash.get(signHash.size() - 1).contains(" SUCCESS ")
                && signHash.get(signHash.size() - 1).contains("2 signature(s)"), tail);
        String verify = admin(Map.of(), "audit", "verify");
        assertTrue(verify.startsWith("Audit log intact: "), verify);
    }

    private void sign(TestCsc csc, String token, String credential, String signAlgo, String pss, String otp)
            throws Exception {
        byte[] doc = ("signed in " + service + " by " + credential + " " + signAlgo).getBytes(StandardCharsets.UTF_8);
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(doc));
        JsonNode sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", credential,
                "numSignatures", 1, "hashes", List.of(hash), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "445566", "OTP", otp));
        Map<String, Object> body = new HashMap<>(Map.of("credentialID", credential, "SAD", sad.path("SAD").asText(),
                "hashes", List.of(hash), "signAlgo", signAlgo));
        if (pss != null) {
            body.put("hashAlgorithmOID", "2.16.840.1.101.3.4.2.1");
        }
        JsonNode sig = csc.post("csc/v2/signatures/signHash", token, body);
        X509Certificate cert = certificate(csc, token, credential);
        Signature v;
        if (pss != null) {
            v = Signature.getInstance("RSASSA-PSS");
            v.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        } else {
            v = Signature.getInstance(signAlgo.startsWith("1.2.840.10045") ? "SHA256withECDSA" : "SHA256withRSA");
        }
        v.initVerify(cert.getPublicKey());
        v.update(doc);
        assertTrue(v.verify(Base64.getDecoder().decode(sig.path("signatures").get(0).asText())),
                credential + " (" + signAlgo + "): " + service + "'s signature verifies against the certificate");
    }

    private static X509Certificate certificate(TestCsc csc, String token, String credential) throws Exception {
        JsonNode info = csc.post("csc/v2/credentials/info", token, Map.of("credentialID", credential,
                "certificates", "chain"));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(info.path("cert").path("certificates").get(0).asText())));
    }

    /** {@code bin/sigil-admin --data <data> args...}; its output. */
    String admin(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", data().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
