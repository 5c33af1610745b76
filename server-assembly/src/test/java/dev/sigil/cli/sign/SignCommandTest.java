package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, environment and the failures that happen before or without a server. */
class SignCommandTest {
    private static final Map<String, String> SECRETS = Map.of("SIGIL_PASSWORD", "pw", "SIGIL_PIN", "123456",
            "SIGIL_OTP", "567890");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private Path doc() throws Exception {
        Path p = dir.resolve("doc.txt");
        Files.writeString(p, "hello");
        return p;
    }

    private static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SignCommand.run(env, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> env(Map<String, String> base, String... kv) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void helpNamesTheDefaultServerAndTheSecretVariables() {
        Result r = run(Map.of(), "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("https://localhost:8443/"), r.out());
        assertTrue(r.out().contains("SIGIL_PASSWORD, SIGIL_PIN, SIGIL_OTP"), r.out());
    }

    @Test
    void theServerDefaultComesFromSigilServer() {
        Result r = run(Map.of("SIGIL_SERVER", "https://sign.example:9443/"), "--help");
        assertTrue(r.out().contains("https://sign.example:9443/"), r.out());
    }

    @Test
    void aMissingCredentialIsAUsageError() throws Exception {
        Result r = run(env(SECRETS, "SIGIL_USER", "demo"), doc().toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sigil-sign: Missing required option: '--credential=ID'"), r.err());
    }

    @Test
    void aMissingUserIsAUsageErrorThatNamesSigilUser() throws Exception {
        Result r = run(SECRETS, "--credential", "demo", doc().toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sigil-sign: Missing required option: '--user=NAME' (or set SIGIL_USER)"), r.err());
    }

    @Test
    void anUnknownAlgorithmOrApiIsAUsageError() throws Exception {
        Result r = run(SECRETS, "--user", "demo", "--credential", "demo", "--algorithm", "md5WithRSA", doc().toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown signature algorithm 'md5WithRSA'"), r.err());
        Result api = run(SECRETS, "--user", "demo", "--credential", "demo", "--api", "v3", doc().toString());
        assertEquals(2, api.code());
        assertTrue(api.err().contains("expected v1 or v2 but was 'v3'"), api.err());
    }

    @Test
    void aPlainHttpServerIsRefusedBecauseThePasswordWouldTravelInClear() throws Exception {
        Result r = run(env(SECRETS, "SIGIL_SERVER", "http://localhost:8443/"), "--user", "demo", "--credential", "demo",
                doc().toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sigil-sign: --server must be an https:// URL"), r.err());
    }

    @Test
    void withoutATerminalTheMissingSecretVariablesAreNamedInOneLine() throws Exception {
        Result r = run(Map.of("SIGIL_USER", "demo", "SIGIL_PASSWORD", "pw"), "--credential", "demo", doc().toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sigil-sign: no terminal to ask for the secrets; set SIGIL_PIN, SIGIL_OTP"), r.errLines());
    }

    @Test
    void aMissingInputFileFailsBeforeAnySecretIsNeeded() {
        Result r = run(Map.of(), "--user", "demo", "--credential", "demo", dir.resolve("nope.pdf").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sigil-sign: cannot read " + dir.resolve("nope.pdf") + ": no such file"), r.errLines());
    }

    @Test
    void aCaFileThatIsNotPemIsReportedInOneLine() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        Result r = run(env(SECRETS, "SIGIL_CA", ca.toString(), "SIGIL_USER", "demo"), "--credential", "demo",
                doc().toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sigil-sign: --ca " + ca + ": not a PEM certificate file"), r.errLines());
    }

    @Test
    void anUnreachableServerIsOneLineWithNoSecretAndNoSignatureFile() throws Exception {
        Path doc = doc();
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        Result r = run(env(SECRETS, "SIGIL_SERVER", "https://127.0.0.1:1"), "--user", "demo", "--credential", "demo",
                doc.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("sigil-sign: auth/login: cannot connect to https://127.0.0.1:1/"), r.err());
        for (String secret : SECRETS.values()) {
            assertFalse(r.err().contains(secret) || r.out().contains(secret));
        }
        assertFalse(Files.exists(dir.resolve("doc.txt.p7s")));
        assertEquals(List.of("doc.txt"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }
}
