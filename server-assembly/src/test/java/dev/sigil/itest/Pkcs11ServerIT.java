package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The assembled server with a SoftHSM2 token as a second backend: an administrator creates
 * credentials whose keys are generated on the token, and the user signs through the whole CSC flow.
 */
class Pkcs11ServerIT {
    static final String MODULE = "/usr/lib/softhsm/libsofthsm2.so";

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
    void credentialsOnASoftHsm2TokenSignThroughTheCscApi() throws Exception {
        assertTrue(Files.exists(Path.of(MODULE)) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util")),
                "SoftHSM2 is missing: apt-get install softhsm2 opensc (./sigil test does this as root)");
        Path tokens = Files.createDirectories(dir.resolve("softhsm/tokens"));
        Path softhsmConf = dir.resolve("softhsm/softhsm2.conf");
        Files.writeString(softhsmConf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                + "log.level = ERROR\n");
        Map<String, String> env = Map.of("SOFTHSM2_CONF", softhsmConf.toString());
        run(env, "softhsm2-util", "--init-token", "--free", "--label", "sigil-e2e", "--pin", "246801",
                "--so-pin", "13579135");
        Path pin = Files.writeString(dir.resolve("hsm.pin"), "246801\n");

        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : s) {
                Files.copy(p, conf.resolve(p.getFileName()));
            }
        }
        Files.writeString(conf.resolve("dev.sigil.backend.pkcs11-hsm.cfg"), "sigil.backend.id = hsm\n"
                + "module.path = " + MODULE + "\ntoken.label = sigil-e2e\nuser.pin.file = " + pin + "\npool.size = 4\n");

        try (Distribution server = new Distribution(dir.resolve("data"), env, "--port", "0", "--conf", conf.toString())) {
            String base = server.awaitListening(Duration.ofSeconds(60));
            TestCsc csc = new TestCsc(base, dir.resolve("data"));
            JsonNode health = TestCsc.JSON.readTree(csc.client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("UP", health.path("status").asText(), health.toString());
            assertTrue(health.toString().contains("\"id\":\"hsm\",\"status\":\"UP\""), health.toString());

            admin(base, Map.of("SIGIL_NEW_PASSWORD", "bob-secret-pw"), "user", "add", "bob");
            Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(base, Map.of(), "totp", "enroll", "bob"));
            assertTrue(seed.find());
            admin(base, Map.of("SIGIL_NEW_PIN", "112233"), "credential", "create", "bob-hsm-rsa", "--user", "bob",
                    "--backend", "hsm", "--key-type", "rsa-2048", "--dev-ca", "--subject", "CN=Bob HSM");
            admin(base, Map.of("SIGIL_NEW_PIN", "112233"), "credential", "create", "bob-hsm-ec", "--user", "bob",
                    "--backend", "hsm", "--key-type", "ec-p256", "--dev-ca", "--subject", "CN=Bob HSM EC");

            // The keys are on the token, not extractable.
            String objects = run(env, "pkcs11-tool", "--module", MODULE, "--token-label", "sigil-e2e", "--login",
                    "--pin", "246801", "--list-objects", "--type", "privkey");
            assertTrue(objects.contains("bob-hsm-rsa") && objects.contains("bob-hsm-ec"), objects);

            String token = csc.login("bob", "bob-secret-pw");
            long step = TestTotp.step();
            sign(csc, token, "bob-hsm-rsa", "1.2.840.113549.1.1.11", "SHA256withRSA", TestTotp.code(seed.group(1), step));
            sign(csc, token, "bob-hsm-ec", "1.2.840.10045.4.3.2", "SHA256withECDSA", TestTotp.code(seed.group(1), step + 1));
        }
    }

    private void sign(TestCsc csc, String token, String credential, String signAlgo, String verifier, String otp)
            throws Exception {
        byte[] doc = ("signed on a token by " + credential).getBytes(StandardCharsets.UTF_8);
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(doc));
        JsonNode sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", credential,
                "numSignatures", 1, "hashes", List.of(hash), "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "112233", "OTP", otp));
        JsonNode sig = csc.post("csc/v2/signatures/signHash", token, Map.of("credentialID", credential,
                "SAD", sad.path("SAD").asText(), "hashes", List.of(hash), "signAlgo", signAlgo));
        JsonNode info = csc.post("csc/v2/credentials/info", token, Map.of("credentialID", credential,
                "certificates", "chain"));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(info.path("cert").path("certificates").get(0).asText())));
        Signature v = Signature.getInstance(verifier);
        v.initVerify(cert);
        v.update(doc);
        assertTrue(v.verify(Base64.getDecoder().decode(sig.path("signatures").get(0).asText())),
                credential + ": the token's signature verifies against the certificate");
    }

    private String admin(String base, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd.toArray(new String[0]));
    }
}
