package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sigil-sign} from the assembled distribution, run as a script runs it (secrets in the
 * environment, no terminal), against a server launched from the same distribution with a fresh
 * data directory; every signature it writes is checked by OpenSSL against the development CA.
 *
 * <p>Each authorization takes a TOTP code, and the server accepts a code once and only for a later
 * time step than the last accepted one (within one step of now): {@link #nextOtp()} keeps to that.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignCliIT {
    @TempDir
    static Path dir;
    static Distribution server;
    static String base;
    static Path work;
    static final Properties demo = new Properties();
    static long lastStep = Long.MIN_VALUE;

    @BeforeAll
    static void launch() throws Exception {
        server = new Distribution(dir.resolve("data"), Map.of(), "--port", "0");
        base = server.awaitListening(Duration.ofSeconds(60));
        demo.putAll(server.demoAccount());
        work = Files.createDirectories(dir.resolve("work"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    record Run(int exit, List<String> stdout, List<String> stderr) {
        String describe() {
            return "exit " + exit + "\n--- stdout\n" + String.join("\n", stdout) + "\n--- stderr\n" + String.join("\n", stderr);
        }
    }

    /** Runs a program with a clean SIGIL_* environment plus {@code env}, no stdin, and waits. */
    private static Run run(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SIGIL_"));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
    }

    private static Run sign(String credential, String pin, String otp, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SIGIL_SERVER", base);
        env.put("SIGIL_CA", server.data.resolve("ca/dev-ca.pem").toString());
        env.put("SIGIL_USER", demo.getProperty("user"));
        env.put("SIGIL_PASSWORD", demo.getProperty("password"));
        env.put("SIGIL_PIN", pin);
        env.put("SIGIL_OTP", otp);
        List<String> cmd = new ArrayList<>(List.of(server.home.resolve("bin/sigil-sign").toString(),
                "--credential", credential));
        cmd.addAll(List.of(args));
        return run(env, cmd);
    }

    /** {@code openssl cms -verify} of a detached DER signature against the development CA. */
    private static void assertOpensslVerifies(Path signature, Path content) throws Exception {
        Run v = run(Map.of(), List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER",
                "-in", signature.toString(), "-content", content.toString(),
                "-CAfile", server.data.resolve("ca/dev-ca.pem").toString(), "-purpose", "any", "-out", "/dev/null"));
        assertEquals(0, v.exit(), v.describe());
        assertTrue(v.stderr().contains("Verification successful") || v.stderr().contains("CMS Verification successful"),
                v.describe());
    }

    private static Path document(String name, byte[] content) throws Exception {
        return Files.write(work.resolve(name), content);
    }

    private static void assertNoSecretIn(Run r) {
        for (String key : List.of("password", "credential.1.pin", "credential.2.pin", "totp.seed")) {
            String secret = demo.getProperty(key);
            assertFalse(String.join("\n", r.stdout()).contains(secret) || String.join("\n", r.stderr()).contains(secret),
                    key + " appears in the output");
        }
    }

    @Test
    @Order(1)
    void aWrongOneTimeCodeFailsInOneLineAndWritesNothing() throws Exception {
        Path doc = document("refused.txt", "must not be signed".getBytes(StandardCharsets.UTF_8));
        long now = currentStep();
        String wrong = "000000";
        for (int i = 0; isValidAround(wrong, now); i++) {
            wrong = String.format("%06d", 111111 * (i + 1) % 1_000_000);
        }
        Run r = sign("demo", demo.getProperty("credential.1.pin"), wrong, doc.toString());
        assertEquals(1, r.exit(), r.describe());
        assertEquals(List.of("sigil-sign: credentials/authorize: invalid_grant: Invalid PIN or OTP"), r.stderr(), r.describe());
        assertEquals(List.of(), r.stdout());
        assertNoSecretIn(r);
        try (var files = Files.list(work)) {
            assertEquals(List.of("refused.txt"), files.map(p -> p.getFileName().toString()).toList(),
                    "no .p7s and no temporary file");
        }
    }

    @Test
    @Order(2)
    void signsWithTheRsaCredentialAndOpensslVerifiesTheSignature() throws Exception {
        Path doc = document("contract.txt", "I agree to the terms.\n".getBytes(StandardCharsets.UTF_8));
        Run r = sign("demo", demo.getProperty("credential.1.pin"), nextOtp(), doc.toString());
        assertEquals(0, r.exit(), r.describe());
        assertEquals(List.of("Signed " + doc + " with credential demo (Sigil Demo Signer) -> " + doc + ".p7s"),
                r.stdout(), r.describe());
        assertEquals(List.of(), r.stderr());
        assertNoSecretIn(r);
        assertOpensslVerifies(work.resolve("contract.txt.p7s"), doc);
    }

    @Test
    @Order(3)
    void signsWithTheEcCredentialAndOpensslVerifiesTheSignature() throws Exception {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        Path doc = document("data.bin", data);
        Path out = work.resolve("data-ec.p7s");
        Run r = sign("demo-ec", demo.getProperty("credential.2.pin"), nextOtp(), "--out", out.toString(), doc.toString());
        assertEquals(0, r.exit(), r.describe());
        assertEquals(1, r.stdout().size(), r.describe());
        assertTrue(r.stdout().get(0).matches("Signed .*data\\.bin with credential demo-ec \\(.+\\) -> .*data-ec\\.p7s"),
                r.describe());
        assertOpensslVerifies(out, doc);
    }

    @Test
    @Order(4)
    void signsThroughTheV1ApiWithRsaPss() throws Exception {
        Path doc = document("v1.txt", "signed through /csc/v1/ with RSASSA-PSS\n".getBytes(StandardCharsets.UTF_8));
        Run r = sign("demo", demo.getProperty("credential.1.pin"), nextOtp(), "--api", "v1",
                "--algorithm", "rsassa-pss-sha256", doc.toString());
        assertEquals(0, r.exit(), r.describe());
        assertOpensslVerifies(work.resolve("v1.txt.p7s"), doc);
    }

    // --- TOTP (RFC 6238), with the parameters of the demo account's otpauth URI ---------------

    private static long period() {
        return Long.parseLong(uriParameter("period", "30"));
    }

    private static long currentStep() {
        return System.currentTimeMillis() / 1000 / period();
    }

    /**
     * The code for the earliest step the server still accepts after the last one used: the
     * current step, or the next one if the current was used; waits if even that is too far ahead.
     */
    private static String nextOtp() throws Exception {
        long step = Math.max(currentStep(), lastStep + 1);
        while (step > currentStep() + 1) {
            Thread.sleep(200);
        }
        lastStep = step;
        return totp(step);
    }

    private static boolean isValidAround(String code, long step) throws Exception {
        for (long s = step - 1; s <= step + 2; s++) {
            if (totp(s).equals(code)) {
                return true;
            }
        }
        return false;
    }

    private static String uriParameter(String name, String otherwise) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&]+)").matcher(demo.getProperty("totp.uri", ""));
        return m.find() ? m.group(1) : otherwise;
    }

    private static String totp(long step) throws Exception {
        return TestTotp.code(demo.getProperty("totp.seed"), step, uriParameter("algorithm", "SHA1"),
                Integer.parseInt(uriParameter("digits", "6")));
    }
}
