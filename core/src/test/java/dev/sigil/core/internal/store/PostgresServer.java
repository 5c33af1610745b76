package dev.sigil.core.internal.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: {@code initdb} in a temporary directory, {@code pg_ctl}
 * on a free loopback port, one fresh database per test, stopped when the test JVM exits. Started
 * once per JVM. As root, the server runs as the {@code postgres} user (PostgreSQL refuses root).
 *
 * <p>Missing binaries fail the test with what to install; nothing is skipped.
 */
final class PostgresServer {
    static final String USER = "sigil";
    static final String PASSWORD = "sigil-test-password";

    private static PostgresServer instance;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;
    private final AtomicInteger databases = new AtomicInteger();

    static synchronized PostgresServer get() throws Exception {
        if (instance == null) {
            instance = new PostgresServer();
        }
        return instance;
    }

    private PostgresServer() throws Exception {
        bin = findBinaries();
        asPostgresUser = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("sigil-pg-");
        Path data = dir.resolve("data");
        Path pwfile = dir.resolve("pw");
        Files.writeString(pwfile, PASSWORD + "\n");
        if (asPostgresUser) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pwfile, postgres);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=scram-sha-256",
                "--pwfile=" + pwfile, "-E", "UTF8", "--no-instructions"));
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "postgres-stop"));
    }

    private static Path findBinaries() {
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
        } catch (IOException none) {
            // not installed there
        }
        for (Path p : candidates) {
            if (Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))) {
                return p;
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found under "
                + "/usr/lib/postgresql: install them (Debian: apt-get install -y postgresql); './sigil test' "
                + "does that when run as root");
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("PostgreSQL: " + String.join(" ", command) + " failed:\n" + out);
        }
    }

    /** A new, empty database; its JDBC URL. */
    String newDatabase() throws Exception {
        String name = "t" + databases.incrementAndGet();
        try (java.sql.Connection c = new org.postgresql.ds.PGSimpleDataSource() {
            private static final long serialVersionUID = 1L;
            {
                setURL("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
                setUser(USER);
                setPassword(PASSWORD);
            }
        }.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    private void stop() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "stop"));
        } catch (Exception e) {
            System.err.println("stopping the test PostgreSQL failed: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
