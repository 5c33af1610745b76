package dev.sigil.backend.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The real KMS that Sigil's tests run against, for backend-aws's tests and the assembled server's:
 * local-kms (github.com/nsmithuk/local-kms) wrapped by the Go program in
 * {@code backend-aws/src/test/go/localkms}, built once per JVM into the calling module's
 * {@code target/localkms} with the Go toolchain (modules and caches in {@code <repo>/.tools/go}),
 * started on a loopback port of the kernel's choosing with {@code GODEBUG=fips140=on} (so
 * RSASSA-PSS uses a salt as long as the digest, as AWS KMS does) in a fresh data directory, and
 * stopped by closing its stdin.
 *
 * <p>The repository root is the system property {@code sigil.root} if set, else the nearest
 * directory above the module (the {@code basedir} property, else the working directory) that holds
 * the Go program. A missing or too old Go fails the test with what to install; nothing is skipped.
 *
 * <p>{@link #client()} needs the AWS SDK's {@code kms} and {@code url-connection-client} on the
 * test class path (an optional dependency of this module); {@link #call} needs nothing.
 */
public final class LocalKms implements AutoCloseable {
    public static final String REGION = "eu-west-2";
    public static final String ACCOUNT = "111122223333";
    /** Static test credentials: local-kms checks no signatures, but the SDK signs every request. */
    public static final String ACCESS_KEY_ID = "AKIASIGILTESTKEY0001";
    public static final String SECRET_ACCESS_KEY = "sigil-test-secret-access-key-0000000000";
    /** The go directive of localkms/go.mod: crypto/fips140 needs Go 1.24. */
    public static final String MIN_GO = "1.24";
    public static final String INSTALL = "install Go >= " + MIN_GO + " from https://go.dev/dl (Debian bookworm's "
            + "golang-go is 1.19, too old) and put it on the PATH, or set GO to its go binary";
    /** The Go program, relative to the repository root. */
    public static final String SOURCE = "backend-aws/src/test/go/localkms";
    private static final Pattern LISTENING = Pattern.compile("LISTENING (127\\.0\\.0\\.1:(\\d+))");
    private static Path built;

    private final Process process;
    private final Path dataDir;
    private final boolean ownDataDir;
    private final Path log;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private LocalKms(Process process, Path dataDir, boolean ownDataDir, Path log, URI endpoint) {
        this.process = process;
        this.dataDir = dataDir;
        this.ownDataDir = ownDataDir;
        this.log = log;
        this.endpoint = endpoint;
    }

    /** Builds local-kms if this JVM has not yet, and starts a fresh instance in a temporary directory. */
    public static LocalKms start() throws Exception {
        return start(Files.createTempDirectory("sigil-local-kms-"), true, REGION);
    }

    /**
     * Builds local-kms if this JVM has not yet, and starts an instance keeping its data in
     * {@code dataDir} (left in place on close) and its log beside it.
     */
    public static LocalKms start(Path dataDir, String region) throws Exception {
        return start(Files.createDirectories(dataDir), false, region);
    }

    private static LocalKms start(Path dataDir, boolean own, String region) throws Exception {
        Path binary = build();
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(binary.toString()).redirectError(log.toFile());
        pb.environment().put("GODEBUG", "fips140=on");
        pb.environment().put("KMS_DATA_PATH", dataDir.resolve("db").toString());
        pb.environment().put("KMS_REGION", region);
        pb.environment().put("KMS_ACCOUNT_ID", ACCOUNT);
        Process p = pb.start();
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String hostPort = address.get(30, TimeUnit.SECONDS);
        if (hostPort == null) {
            p.destroyForcibly();
            fail("local-kms did not say where it listens; its log:\n" + Files.readString(log));
        }
        return new LocalKms(p, dataDir, own, log, URI.create("http://" + hostPort));
    }

    /** Where the SDK reaches it: {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A KMS client for setting up keys (CreateKey, DisableKey, ...), as an administrator would. */
    public KmsClient client() {
        return client(endpoint);
    }

    /** A KMS client of local-kms (or a {@link FaultProxy} in front of it) at {@code endpoint}. */
    public static KmsClient client(URI endpoint) {
        return KmsClient.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .build();
    }

    /**
     * One KMS JSON call without the SDK, unsigned (local-kms checks no signatures), as an
     * administrator's tool would make it; fails the test unless KMS answers 200.
     *
     * @param operation the KMS operation, e.g. {@code ListAliases}
     * @param json      the request body, e.g. {@code {}}
     * @return the response body
     */
    public String call(String operation, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "TrentService." + operation)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            fail(operation + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** local-kms's request log, for failure messages. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops local-kms (and removes its data if {@link #start()} made the directory). */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close(); // local-kms exits when its stdin closes
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (ownDataDir) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(log);
        }
    }

    // ---- building ----

    /** The calling module's directory: surefire and failsafe run the tests in it. */
    private static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null ? basedir : "").toAbsolutePath().normalize();
    }

    /** The repository root: {@code sigil.root}, else the nearest directory above the module with the Go program. */
    public static Path repositoryRoot() {
        String root = System.getProperty("sigil.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        for (Path dir = moduleDir(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(SOURCE).resolve("go.mod"))) {
                return dir;
            }
        }
        fail("the local-kms wrapper (" + SOURCE + ") is in no directory above " + moduleDir()
                + ": run the tests from a module of the Sigil repository (Maven), or set sigil.root");
        return null;
    }

    /** Builds local-kms into the calling module's {@code target/localkms} once per JVM; returns the binary. */
    public static synchronized Path build() throws Exception {
        if (built != null) {
            return built;
        }
        Path root = repositoryRoot();
        Path source = root.resolve(SOURCE);
        if (!Files.isRegularFile(source.resolve("go.mod"))) {
            fail("the local-kms wrapper is not at " + source);
        }
        Path tools = root.resolve(".tools/go");
        Path binary = moduleDir().resolve("target/localkms/localkms");
        String go = findGo();
        String version = run(source, tools, go, "env", "GOVERSION").strip();
        if (!atLeast(version, MIN_GO)) {
            fail("Go " + version + " is too old for local-kms: " + INSTALL);
        }
        Files.createDirectories(binary.getParent());
        System.err.println("LocalKms: building local-kms with " + go + " (" + version + ") into " + binary
                + "; a cold build downloads its modules into " + tools + " and takes about 2 minutes");
        long t0 = System.nanoTime();
        run(source, tools, go, "build", "-trimpath", "-o", binary.toString(), ".");
        System.err.printf("LocalKms: built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        built = binary;
        return binary;
    }

    private static String findGo() {
        String env = System.getenv("GO");
        if (env != null && !env.isBlank()) {
            if (Files.isExecutable(Path.of(env))) {
                return env;
            }
            fail("GO=" + env + " is not an executable: " + INSTALL);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "go");
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        Path usual = Path.of("/usr/local/go/bin/go");
        if (Files.isExecutable(usual)) {
            return usual.toString();
        }
        fail("Go is not installed (no go on the PATH, no /usr/local/go/bin/go); the AWS KMS tests build "
                + "local-kms with it: " + INSTALL);
        return null;
    }

    /** Runs go with the project-local module cache and build cache; fails the test on a non-zero exit. */
    private static String run(Path dir, Path tools, String go, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(go));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GOPATH", tools.toString());
        pb.environment().put("GOMODCACHE", tools.resolve("pkg/mod").toString());
        pb.environment().put("GOCACHE", tools.resolve("cache").toString());
        pb.environment().put("GOFLAGS", "-modcacherw");
        pb.environment().put("GOTOOLCHAIN", "local");
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (!"env".equals(args[0])) {
                    System.err.println("LocalKms: go: " + line); // progress of a cold build
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 10 minutes");
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out.toString();
    }

    /** Whether "go1.26.8" is at least "1.24". */
    public static boolean atLeast(String goVersion, String min) {
        Matcher m = Pattern.compile("go(\\d+)\\.(\\d+)").matcher(goVersion);
        if (!m.find()) {
            return false;
        }
        String[] want = min.split("\\.");
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int wantMajor = Integer.parseInt(want[0]);
        int wantMinor = Integer.parseInt(want[1]);
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }
}
