package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo account's secrets stay in cleartext in the data directory until the user runs
 * {@code sigil-admin demo forget}: the start banner says so, the command removes the file and says
 * what to remember, and the next start neither waits for the file nor recreates the account, whose
 * secrets still work.
 */
class DemoAccountForgetIT {
    @TempDir
    Path dir;

    @Test
    void theBannerOffersDemoForgetWhichRemovesTheSecretsForGood() throws Exception {
        Path data = dir.resolve("data");
        Properties demo = new Properties();
        try (Distribution server = new Distribution(data, Map.of(), "--port", "0")) {
            server.awaitListening(Duration.ofSeconds(60));
            awaitLine(server, "demo forget");
            String out = String.join("\n", server.stdout);
            assertTrue(out.contains("These secrets stay in cleartext in " + data.resolve("demo-account.properties")), out);
            assertTrue(out.contains("sigil-admin --data " + data + " demo forget"), out);
            try (var r = Files.newBufferedReader(data.resolve("demo-account.properties"))) {
                demo.load(r);
            }
        }

        Process p = new ProcessBuilder(Distribution.home().resolve("bin/sigil-admin").toString(), "--data", data.toString(),
                "demo", "forget", "--yes").redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), said);
        assertTrue(said.startsWith("Removed " + data.resolve("demo-account.properties")), said);
        assertTrue(said.contains("remember") && said.contains("user demo") && said.contains("demo, demo-ec"), said);
        assertFalse(said.contains(demo.getProperty("password")) || said.contains(demo.getProperty("credential.1.pin")),
                "no secret in the output: " + said);
        assertFalse(Files.exists(data.resolve("demo-account.properties")));

        try (Distribution again = new Distribution(data, Map.of(), "--port", "0")) {
            String base = again.awaitListening(Duration.ofSeconds(60));
            // Without the note, the launcher waited 20 s for the file and then said it was not created.
            assertFalse(String.join("\n", again.stdout).contains("Demo account"), again.output());
            assertFalse(String.join("\n", again.stderr).contains("demo account was not created"), again.output());
            assertFalse(Files.exists(data.resolve("demo-account.properties")), "the account is not made again");
            // The secrets the user remembered still work.
            new TestCsc(base, data).login("demo", demo.getProperty("password"));
        }
    }

    private static void awaitLine(Distribution server, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = List.copyOf(server.stdout);
            if (lines.stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + text + "'\n" + server.output());
    }
}
