package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad configuration stops the real distribution with a one-line reason and exit code 1, never a
 * stack trace.
 */
class BadConfigurationIT {
    @TempDir
    Path dir;

    private Path confWith(String file, String from, String to) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : s) {
                String text = Files.readString(p);
                if (p.getFileName().toString().equals(file)) {
                    assertTrue(text.contains(from), file + " has no " + from);
                    text = text.replace(from, to);
                }
                Files.writeString(conf.resolve(p.getFileName()), text);
            }
        }
        return conf;
    }

    private void assertStopsWith(Path conf, String expected) throws Exception {
        try (Distribution d = new Distribution(dir.resolve("data"), Map.of(),
                "--port", "0", "--conf", conf.toString())) {
            int code = d.awaitExit(Duration.ofSeconds(60));
            assertEquals(1, code, d.output());
            assertTrue(d.stderr.contains("sigil-server: " + expected), d.output());
            String err = String.join("\n", d.stderr);
            assertFalse(err.contains("\tat ") || err.contains("Exception:"), "no stack trace\n" + d.output());
            assertFalse(String.join("\n", d.stdout).contains("is listening on"), d.output());
        }
    }

    @Test
    void aMissingTlsKeystoreIsReportedInOneLine() throws Exception {
        Path conf = confWith("dev.sigil.transport.https.cfg", "${sigil.data}/tls/server.p12",
                "${sigil.data}/tls/nothing.p12");
        assertStopsWith(conf, "transport-https: tls.keystore.path " + dir.resolve("data/tls/nothing.p12")
                + " does not exist or is not readable");
    }

    @Test
    void anUnsetPasswordVariableOfABackendIsReportedInOneLine() throws Exception {
        Path conf = confWith("dev.sigil.backend.keystore-default.cfg",
                "keystore.password.file = ${sigil.data}/secrets/keystore-default.pass",
                "keystore.password.env = SIGIL_IT_UNSET_VARIABLE");
        assertStopsWith(conf, "backend-keystore 'default': keystore.password.env names SIGIL_IT_UNSET_VARIABLE,"
                + " which is not set");
    }

    @Test
    void aMissingPepperIsReportedInOneLineNamingTheSetting() throws Exception {
        Path conf = confWith("dev.sigil.auth.kdf.cfg", "pepper.file = ${sigil.data}/secrets/pepper.key",
                "pepper.env = SIGIL_IT_UNSET_VARIABLE");
        assertStopsWith(conf, "dev.sigil.auth.kdf: pepper.env names SIGIL_IT_UNSET_VARIABLE, which is not set");
    }

    @Test
    void aPortInUseIsReportedInOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            try (Distribution d = new Distribution(dir.resolve("data"), Map.of(),
                    "--port", Integer.toString(taken.getLocalPort()))) {
                assertEquals(1, d.awaitExit(Duration.ofSeconds(60)), d.output());
                assertTrue(d.stderr.contains("sigil-server: transport-https: cannot listen on 127.0.0.1:"
                        + taken.getLocalPort() + " (address in use or not available)"), d.output());
            }
        }
    }
}
