package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.backend.testkit.KeyVaultFake;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The assembled server with an Azure Key Vault backend (the test kit's HTTPS Key Vault fake standing
 * in for Key Vault and Entra ID): the bundle with the embedded Azure SDK resolves and starts in
 * Felix, its client-secret credential gets a token from the fake's token endpoint, an administrator
 * creates credentials whose keys are generated in the vault (as HSM keys), and users sign through
 * the whole CSC flow; the signatures verify with the certificates' public keys. The server resolves
 * the vault's name ({@code *.vault.azure.net}, so the SDK's check of the challenge's resource runs
 * as in production) to the loopback through the JDK's {@code jdk.net.hosts.file} and trusts the
 * fake's certificate through its trust store. Then the vault throttles every sign: the client gets
 * 503 {@code temporarily_unavailable} with a {@code Retry-After}, {@code /health} says DEGRADED,
 * the audit log records the failure with the hashes given back, and once the vault stops
 * throttling the same SAD signs the same hashes (docs/backends/azure.md).
 */
class AzureKeyVaultServerIT {
    /** The backend's retries of a throttled call (its {@code max.retries}). */
    private static final int MAX_RETRIES = 1;

    @TempDir
    Path dir;

    private String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + out);
        return out;
    }

    @Test
    void credentialsWithKeysInKeyVaultSignThroughTheCscApi() throws Exception {
        long t0 = System.nanoTime();
        String host = "sigil-itest.vault.azure.net";
        try (KeyVaultFake vault = KeyVaultFake.start(host)) {
            String clientId = "0f0e0d0c-0b0a-4909-8807-060504030201";
            String secret = "sigil-itest-client-secret-0000000000";
            vault.acceptClientSecret(clientId, secret);
            // The client secret in a file, as an operator would keep it.
            Path secretFile = Files.writeString(dir.resolve("azure-client-secret"), secret + "\n");
            Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost " + host + "\n");
            Path trust = vault.writeTrustStore(dir.resolve("trust.p12"));
            Path conf = Files.createDirectories(dir.resolve("conf"));
            try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
                for (Path p : s) {
                    Files.copy(p, conf.resolve(p.getFileName()));
                }
            }
            Files.writeString(conf.resolve("dev.sigil.backend.azure-kv.cfg"), "sigil.backend.id = kv\n"
                    + "vault.url = " + vault.vaultUrl() + "\n"
                    + "tenant.id = " + KeyVaultFake.TENANT + "\n"
                    + "authority.host = " + vault.authorityHost() + "\n"
                    + "credential.mode = client-secret\n"
                    + "client.id = " + clientId + "\n"
                    + "client.secret.file = " + secretFile + "\n"
                    // One retry of a throttled call, so that the throttled request fails fast.
                    + "max.retries = " + MAX_RETRIES + "\n"
                    // The fake makes a created key's RSA pair while the request waits: slow on a loaded machine.
                    + "call.timeout.ms = 20000\n"
                    + "attempt.timeout.ms = 15000\n");
            Map<String, String> env = Map.of("SIGIL_JAVA_OPTS", "-Djdk.net.hosts.file=" + hosts
                    + " -Djavax.net.ssl.trustStore=" + trust + " -Djavax.net.ssl.trustStorePassword=changeit");

            try (Distribution server = new Distribution(dir.resolve("data"), env, "--port", "0", "--conf",
                    conf.toString())) {
                String base = server.awaitListening(Duration.ofSeconds(90));
                // The launcher refuses to go on with a bundle that is not ACTIVE (it names the missing
                // requirement); listening means backend-azure resolved with what the server has.
                String output = server.output();
                assertFalse(output.contains("Unable to resolve") || output.contains("missing requirement"), output);
                TestCsc csc = new TestCsc(base, dir.resolve("data"));
                JsonNode health = TestCsc.JSON.readTree(csc.client.send(HttpRequest.newBuilder(
                        URI.create(base + "health")).build(), HttpResponse.BodyHandlers.ofString()).body());
                assertEquals("UP", health.path("status").asText(), health.toString());
                assertTrue(health.toString().contains("\"id\":\"kv\",\"status\":\"UP\""), health.toString());

                admin(Map.of("SIGIL_NEW_PASSWORD", "carol-secret-pw"), "user", "add", "carol");
                Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "carol"));
                assertTrue(seed.find());
                admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", "carol-kv-rsa", "--user", "carol",
                        "--backend", "kv", "--key-type", "rsa-2048", "--dev-ca", "--subject", "CN=Carol Key Vault");
                // A second user for the EC key: each user's TOTP steps can be used once, and only near now.
                admin(Map.of("SIGIL_NEW_PASSWORD", "dave-secret-pw"), "user", "add", "dave");
                Matcher daveSeed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "dave"));
                assertTrue(daveSeed.find());
                admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", "dave-kv-ec", "--user", "dave",
                        "--backend", "kv", "--key-type", "ec-p256", "--dev-ca", "--subject", "CN=Dave Key Vault EC");

                // The keys were created in the vault as HSM keys, allowed to sign and verify only.
                List<String> creates = vault.requests().stream().filter(r -> r.operation().equals("create"))
                        .map(KeyVaultFake.Request::body).toList();
                assertEquals(2, creates.size(), creates.toString());
                assertTrue(creates.get(0).contains("\"kty\":\"RSA-HSM\"") && creates.get(1).contains("\"kty\":\"EC-HSM\"")
                        && creates.get(1).contains("\"key_ops\":[\"sign\",\"verify\"]"), creates.toString());
                assertTrue(vault.count("token") >= 1, "the client-secret credential got its token from Entra ID");

                try {
                    long daveStep = signAll(csc, seed.group(1), daveSeed.group(1));
                    long t1 = System.nanoTime();
                    throttledVaultIsA503AndTheSadKeepsItsHashes(csc, vault, daveSeed.group(1),
                            Math.max(daveStep + 1, TestTotp.step()));
                    System.out.printf("TIMING: AzureKeyVaultServerIT throttling %.1f s%n", (System.nanoTime() - t1) / 1e9);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + server.output(), e);
                }
                assertEquals(List.of(), vault.violations(), "requests outside the documented Key Vault API");
                String log = server.output();
                assertFalse(log.contains(secret), "the client secret is never logged");
                // The SDK's per-request chatter stays out of the log (bin/sigil-server's levels);
                // the backend's own lines say what happened.
                for (String noise : List.of("JdkHttpClient", "RetryPolicy", "HttpHelper", "az.sdk.message")) {
                    assertFalse(log.contains(noise), noise + " in the server's log:\n" + log);
                }
                assertTrue(log.contains("backend-azure 'kv': Azure Key Vault (" + vault.vaultUrl() + ") with client "
                        + "secret of " + clientId), log);
            }
        }
        System.out.printf("TIMING: AzureKeyVaultServerIT %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** @return the TOTP step whose code dave used */
    private long signAll(TestCsc csc, String carolSeed, String daveSeed) throws Exception {
        String token = csc.login("carol", "carol-secret-pw");
        long step = TestTotp.step();
        sign(csc, token, "carol-kv-rsa", "1.2.840.113549.1.1.11", null, TestTotp.code(carolSeed, step));
        sign(csc, token, "carol-kv-rsa", "1.2.840.113549.1.1.10", "PSS", TestTotp.code(carolSeed, step + 1));
        String daveToken = csc.login("dave", "dave-secret-pw");
        long daveStep = TestTotp.step();
        sign(csc, daveToken, "dave-kv-ec", "1.2.840.10045.4.3.2", null, TestTotp.code(daveSeed, daveStep));
        return daveStep;
    }

    /**
     * The vault throttles every sign for longer than the backend retries: a signHash of two hashes
     * fails as the design says, and signs once the vault accepts calls again.
     */
    private void throttledVaultIsA503AndTheSadKeepsItsHashes(TestCsc csc, KeyVaultFake vault, String daveSeed, long step)
            throws Exception {
        String token = csc.login("dave", "dave-secret-pw");
        String ec = "1.2.840.10045.4.3.2";
        byte[][] docs = {"throttled first".getBytes(StandardCharsets.UTF_8),
                "throttled second".getBytes(StandardCharsets.UTF_8)};
        List<String> hashes = new ArrayList<>();
        for (byte[] d : docs) {
            hashes.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(d)));
        }
        String sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", "dave-kv-ec",
                "numSignatures", 2, "hashes", hashes, "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "445566", "OTP", TestTotp.code(daveSeed, step))).path("SAD").asText();
        Map<String, Object> body = Map.of("credentialID", "dave-kv-ec", "SAD", sad, "hashes", hashes,
                "signAlgo", ec);

        // 1. Throttled beyond the retries: 503, temporarily_unavailable, a Retry-After, nothing of Azure's.
        vault.resetRequests();
        vault.throttleSigns(1000, Duration.ofSeconds(1));
        HttpResponse<String> busy = csc.send("csc/v2/signatures/signHash", token, body);
        String observed = busy.statusCode() + " " + busy.headers().map() + " " + busy.body();
        System.out.println("THROTTLED signHash: " + observed);
        assertEquals(503, busy.statusCode(), observed);
        JsonNode error = TestCsc.JSON.readTree(busy.body());
        assertEquals("temporarily_unavailable", error.path("error").asText(), observed);
        String retryAfter = busy.headers().firstValue("Retry-After").orElse(null);
        assertTrue(retryAfter != null && retryAfter.matches("[1-9][0-9]*"), observed);
        String lower = busy.body().toLowerCase(Locale.ROOT);
        for (String leak : List.of("too many requests were received", "exception", "vaultrequesttypelimitreached", "\tat ", "com.azure",
                "dev.sigil.")) {
            assertFalse(lower.contains(leak), "'" + leak + "' in " + observed);
        }
        // Each hash: the first call and MAX_RETRIES retries; none was signed.
        int signCalls = vault.count("sign");
        System.out.println("THROTTLED Sign calls: " + signCalls);
        assertTrue(signCalls >= hashes.size() && signCalls <= hashes.size() * (MAX_RETRIES + 1),
                signCalls + " Sign calls");

        // 2. Meanwhile /health: the backend and the server DEGRADED, still 200.
        HttpResponse<String> health = csc.client.send(HttpRequest.newBuilder(URI.create(csc.base + "health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        JsonNode h = TestCsc.JSON.readTree(health.body());
        assertEquals("DEGRADED", h.path("status").asText(), health.body());
        assertTrue(health.body().contains("\"id\":\"kv\",\"status\":\"DEGRADED\""), health.body());

        // 3. The vault accepts calls again: the same SAD signs the same two hashes (they were given back).
        vault.clearFaults();
        JsonNode signed = csc.post("csc/v2/signatures/signHash", token, body);
        assertEquals(2, signed.path("signatures").size(), signed.toString());
        JsonNode info = csc.post("csc/v2/credentials/info", token, Map.of("credentialID", "dave-kv-ec",
                "certificates", "chain"));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(info.path("cert").path("certificates").get(0).asText())));
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
                && l.contains("dave-kv-ec")).toList();
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
        byte[] doc = ("signed in Azure Key Vault by " + credential + " " + signAlgo).getBytes(StandardCharsets.UTF_8);
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
        JsonNode info = csc.post("csc/v2/credentials/info", token, Map.of("credentialID", credential,
                "certificates", "chain"));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(info.path("cert").path("certificates").get(0).asText())));
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
                credential + " (" + signAlgo + "): Key Vault's signature verifies against the certificate");
    }

    private String admin(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd.toArray(new String[0]));
    }
}
