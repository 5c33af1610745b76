package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory holds the database (password and PIN verifiers, encrypted TOTP seeds, the
 * audit log), the keystores and their passwords: after a start of the assembled server, the
 * directory and every directory in it are {@code 0700} and every file {@code 0600}, whatever made
 * them (the launcher, H2, the OSGi framework, the demo account), and even when the directory existed
 * before with wider permissions.
 */
class DataDirectoryPermissionsIT {
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path dir;

    @Test
    void afterAStartTheDataDirectoryIsOwnerOnlyThroughout() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Distribution server = new Distribution(data, Map.of(), "--port", "0")) {
            String base = server.awaitListening(Duration.ofSeconds(60));
            // A login and a refused one: the database, its audit log and the lockout table are written.
            TestCsc csc = new TestCsc(base, data);
            java.util.Properties demo = new java.util.Properties();
            try (var r = Files.newBufferedReader(data.resolve("demo-account.properties"))) {
                demo.load(r);
            }
            csc.login(demo.getProperty("user"), demo.getProperty("password"));

            List<String> wrong = new ArrayList<>();
            try (Stream<Path> all = Files.walk(data)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    if (Files.isSymbolicLink(p)) {
                        wrong.add(data.relativize(p) + " is a symbolic link");
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? !perms.equals(DIRECTORY)
                            : !perms.equals(FILE)) {
                        wrong.add("/" + data.relativize(p) + " " + PosixFilePermissions.toString(perms));
                    }
                }
            }
            assertTrue(Files.exists(data.resolve("db")), "the database directory exists");
            assertEquals(List.of(), wrong, "paths in the data directory that are not owner-only\n" + server.output());
        }
    }
}
