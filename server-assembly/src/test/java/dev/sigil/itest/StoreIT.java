package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store inside the real framework: Flyway (embedded in the core bundle), HikariCP and H2 as
 * bundles. With the example store configuration the first start creates and migrates the embedded
 * database; the second start finds it current.
 */
class StoreIT {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedDatabaseIsCreatedAndMigratedInsideFelixOnce() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : s) {
                Files.copy(p, conf.resolve(p.getFileName()));
            }
        }
        Files.copy(Distribution.home().resolve("examples/dev.sigil.store.cfg"), conf.resolve("dev.sigil.store.cfg"));

        for (int start = 1; start <= 2; start++) {
            try (Distribution d = new Distribution(dir.resolve("data"), Map.of(), "--port", "0", "--conf",
                    conf.toString())) {
                d.awaitListening(Duration.ofSeconds(60));
                // The store activates independently of HTTPS; wait for its line or a failure.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline && d.stderr.stream().noneMatch(l -> l.contains("sigil-store - Start completed"))) {
                    Thread.sleep(50);
                }
                Thread.sleep(1000);
                String err = String.join("\n", d.stderr);
                assertTrue(Files.exists(dir.resolve("data/db/sigil.mv.db")), d.output());
                assertFalse(err.contains("sigil-server: ERROR"), d.output());
                assertEquals(start == 1, err.contains("Store schema migrated to version 1"), d.output());
                assertTrue(d.process.toHandle().destroy());
                assertEquals(143, d.awaitExit(Duration.ofSeconds(30)), d.output());
            }
        }
    }
}
