package dev.sigil.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The assembled distribution run as a user runs it: {@code bin/sigil-server} in a child process,
 * with its output collected.
 */
final class Distribution implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("is listening on (https://\\S+/)");

    final Path home;
    final Path data;
    final Process process;
    final long launchedNanos;
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();

    /** The distribution directory the build made (failsafe passes it as sigil.dist). */
    static Path home() {
        String dist = System.getProperty("sigil.dist");
        if (dist == null || !Files.isExecutable(Path.of(dist, "bin", "sigil-server"))) {
            throw new IllegalStateException("sigil.dist does not point at a built distribution: " + dist
                    + " (run the tests through Maven: mvn verify)");
        }
        return Path.of(dist);
    }

    Distribution(Path data, Map<String, String> env, String... args) throws IOException {
        this(data, env, null, args);
    }

    /**
     * @param stderrFile where the server's standard error goes instead of {@link #stderr}, or null: for
     *                   load tests, whose access log would otherwise be collected line by line here
     *                   (and, when this side falls behind, fill the pipe and stall the server's logging)
     */
    Distribution(Path data, Map<String, String> env, Path stderrFile, String... args) throws IOException {
        this.home = home();
        this.data = data;
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/sigil-server").toString(),
                "--data", data.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        if (stderrFile != null) {
            pb.redirectError(stderrFile.toFile());
        }
        launchedNanos = System.nanoTime();
        process = pb.start();
        pump(process.getInputStream(), stdout);
        if (stderrFile == null) {
            pump(process.getErrorStream(), stderr);
        }
    }

    private static void pump(InputStream in, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** Waits for the "is listening on" line and returns the base URL. */
    String awaitListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : stdout) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("sigil-server exited with " + process.exitValue() + "\n" + output());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("sigil-server did not report listening within " + timeout + "\n" + output());
    }

    /** The demo account of the first start ({@code demo-account.properties}), once the server wrote it. */
    Properties demoAccount() throws Exception {
        Path account = data.resolve("demo-account.properties");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(account) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Properties p = new Properties();
        try (java.io.Reader r = Files.newBufferedReader(account)) {
            p.load(r);
        }
        return p;
    }

    /** Waits for the process to end and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sigil-server did not exit within " + timeout + "\n" + output());
        }
        // let the pumps take the last lines
        Thread.sleep(100);
        return process.exitValue();
    }

    String output() {
        return "--- stdout\n" + String.join("\n", stdout) + "\n--- stderr\n" + String.join("\n", stderr);
    }

    /** A client TLS context that trusts only the development CA the server generated. */
    SSLContext trustingDevelopmentCa() throws Exception {
        return trusting(data);
    }

    /** A client TLS context that trusts only the development CA of a data directory. */
    static SSLContext trusting(Path data) throws Exception {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(data.resolve("ca/dev-ca.pem"))) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dev-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
