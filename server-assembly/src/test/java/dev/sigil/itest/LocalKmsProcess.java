package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * local-kms for the assembled server's test: the same Go program as backend-aws's tests
 * ({@code backend-aws/src/test/go/localkms}, see LocalKms.java there), built into this module's
 * {@code target/localkms} with the project-local Go caches in {@code .tools/go}, started on a
 * loopback port with {@code GODEBUG=fips140=on}, stopped by closing its stdin. A missing Go fails
 * the test with what to install.
 */
final class LocalKmsProcess implements AutoCloseable {
    static final String INSTALL = "install Go >= 1.24 from https://go.dev/dl (Debian bookworm's golang-go is "
            + "1.19, too old) and put it on the PATH, or set GO to its go binary";
    private static final Pattern LISTENING = Pattern.compile("LISTENING (127\\.0\\.0\\.1:\\d+)");

    final Process process;
    final URI endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    private LocalKmsProcess(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static LocalKmsProcess start(Path dataDir, String region) throws Exception {
        Path root = Path.of(System.getProperty("sigil.root", "..")).toAbsolutePath().normalize();
        Path source = root.resolve("backend-aws/src/test/go/localkms");
        Path binary = root.resolve("server-assembly/target/localkms/localkms");
        build(root, source, binary);
        Path log = dataDir.resolveSibling("local-kms.log");
        ProcessBuilder pb = new ProcessBuilder(binary.toString()).redirectError(log.toFile());
        pb.environment().put("GODEBUG", "fips140=on");
        pb.environment().put("KMS_DATA_PATH", dataDir.toString());
        pb.environment().put("KMS_REGION", region);
        Process p = pb.start();
        String hostPort = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            } catch (IOException ignored) {
                // exited
            }
            return null;
        }).get(30, TimeUnit.SECONDS);
        if (hostPort == null) {
            p.destroyForcibly();
            fail("local-kms did not start:\n" + Files.readString(log));
        }
        return new LocalKmsProcess(p, URI.create("http://" + hostPort));
    }

    /** One KMS JSON call, unsigned (local-kms checks no signatures), as an administrator's tool would. */
    String call(String operation, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "TrentService." + operation)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), operation + ": " + r.body());
        return r.body();
    }

    private static synchronized void build(Path root, Path source, Path binary) throws Exception {
        String go = System.getenv("GO");
        if (go == null || go.isBlank()) {
            go = null;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, "go"))) {
                    go = Path.of(dir, "go").toString();
                    break;
                }
            }
            if (go == null && Files.isExecutable(Path.of("/usr/local/go/bin/go"))) {
                go = "/usr/local/go/bin/go";
            }
        }
        if (go == null || !Files.isExecutable(Path.of(go))) {
            fail("Go is not installed; the AWS KMS end-to-end test builds local-kms with it: " + INSTALL);
        }
        Files.createDirectories(binary.getParent());
        System.err.println("LocalKmsProcess: building local-kms into " + binary + " (a cold build takes about 2 minutes)");
        Path tools = root.resolve(".tools/go");
        List<String> cmd = new ArrayList<>(List.of(go, "build", "-trimpath", "-o", binary.toString(), "."));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(source.toFile()).redirectErrorStream(true);
        pb.environment().put("GOPATH", tools.toString());
        pb.environment().put("GOMODCACHE", tools.resolve("pkg/mod").toString());
        pb.environment().put("GOCACHE", tools.resolve("cache").toString());
        pb.environment().put("GOFLAGS", "-modcacherw");
        pb.environment().put("GOTOOLCHAIN", "local");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail("go build of local-kms failed (" + INSTALL + "):\n" + out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
