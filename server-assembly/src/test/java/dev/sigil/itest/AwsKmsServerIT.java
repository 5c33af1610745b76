package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.backend.testkit.LocalKms;

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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The assembled server with an AWS KMS backend (local-kms standing in for KMS): the bundle with the
 * embedded SDK resolves and starts in Felix, an administrator creates credentials whose keys are
 * generated in KMS, and the user signs through the whole CSC flow; the signatures verify with the
 * certificates' public keys.
 */
class AwsKmsServerIT {
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
    void credentialsWithKeysInKmsSignThroughTheCscApi() throws Exception {
        long t0 = System.nanoTime();
        try (LocalKms kms = LocalKms.start(dir.resolve("kms"), LocalKms.REGION)) {
            // Static test credentials, from files as an operator would keep them.
            Path keyId = Files.writeString(dir.resolve("aws-access-key-id"), "AKIASIGILITEST000001\n");
            Path secret = Files.writeString(dir.resolve("aws-secret-access-key"), "sigil-itest-secret-0000000000\n");
            Path conf = Files.createDirectories(dir.resolve("conf"));
            try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
                for (Path p : s) {
                    Files.copy(p, conf.resolve(p.getFileName()));
                }
            }
            Files.writeString(conf.resolve("dev.sigil.backend.aws-kms.cfg"), "sigil.backend.id = kms\n"
                    + "region = eu-west-2\n"
                    + "endpoint.override = " + kms.endpoint() + "\n"
                    + "credentials.mode = static\n"
                    + "access.key.id.file = " + keyId + "\n"
                    + "secret.access.key.file = " + secret + "\n"
                    + "alias.prefix = alias/sigil/\n");

            try (Distribution server = new Distribution(dir.resolve("data"), Map.of(), "--port", "0", "--conf",
                    conf.toString())) {
                String base = server.awaitListening(Duration.ofSeconds(90));
                // The launcher refuses to go on with a bundle that is not ACTIVE (it names the missing
                // requirement); listening means backend-aws resolved with what the server has.
                String output = server.output();
                assertFalse(output.contains("Unable to resolve") || output.contains("missing requirement"), output);
                TestCsc csc = new TestCsc(base, dir.resolve("data"));
                JsonNode health = TestCsc.JSON.readTree(csc.client.send(HttpRequest.newBuilder(
                        URI.create(base + "health")).build(), HttpResponse.BodyHandlers.ofString()).body());
                assertEquals("UP", health.path("status").asText(), health.toString());
                assertTrue(health.toString().contains("\"id\":\"kms\",\"status\":\"UP\""), health.toString());

                admin(Map.of("SIGIL_NEW_PASSWORD", "carol-secret-pw"), "user", "add", "carol");
                Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "carol"));
                assertTrue(seed.find());
                admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", "carol-kms-rsa", "--user", "carol",
                        "--backend", "kms", "--key-type", "rsa-2048", "--dev-ca", "--subject", "CN=Carol KMS");
                // A second user for the EC key: each user's TOTP steps can be used once, and only near now.
                admin(Map.of("SIGIL_NEW_PASSWORD", "dave-secret-pw"), "user", "add", "dave");
                Matcher daveSeed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(Map.of(), "totp", "enroll", "dave"));
                assertTrue(daveSeed.find());
                admin(Map.of("SIGIL_NEW_PIN", "445566"), "credential", "create", "dave-kms-ec", "--user", "dave",
                        "--backend", "kms", "--key-type", "ec-p256", "--dev-ca", "--subject", "CN=Dave KMS EC");

                // The keys are in KMS, under the configured alias prefix.
                String aliases = kms.call("ListAliases", "{}");
                assertTrue(aliases.contains("alias/sigil/carol-kms-rsa") && aliases.contains("alias/sigil/dave-kms-ec"),
                        aliases);

                try {
                    signAll(csc, seed.group(1), daveSeed.group(1));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + server.output(), e);
                }
            }
        }
        System.out.printf("TIMING: AwsKmsServerIT %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private void signAll(TestCsc csc, String carolSeed, String daveSeed) throws Exception {
        {
            {
                String token = csc.login("carol", "carol-secret-pw");
                long step = TestTotp.step();
                sign(csc, token, "carol-kms-rsa", "1.2.840.113549.1.1.11", null, TestTotp.code(carolSeed, step));
                sign(csc, token, "carol-kms-rsa", "1.2.840.113549.1.1.10", "PSS", TestTotp.code(carolSeed, step + 1));
                String daveToken = csc.login("dave", "dave-secret-pw");
                sign(csc, daveToken, "dave-kms-ec", "1.2.840.10045.4.3.2", null, TestTotp.code(daveSeed,
                        TestTotp.step()));
            }
        }
    }

    private void sign(TestCsc csc, String token, String credential, String signAlgo, String pss, String otp)
            throws Exception {
        byte[] doc = ("signed in AWS KMS by " + credential + " " + signAlgo).getBytes(StandardCharsets.UTF_8);
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
                credential + " (" + signAlgo + "): KMS's signature verifies against the certificate");
    }

    private String admin(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd.toArray(new String[0]));
    }
}
