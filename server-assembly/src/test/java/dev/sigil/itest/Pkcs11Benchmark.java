package dev.sigil.itest;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.backend.pkcs11.internal.Pkcs11Backend;
import dev.sigil.backend.pkcs11.internal.Pkcs11BackendConfig;
import dev.sigil.backend.pkcs11.internal.Pkcs11Settings;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.StaticLogger;
import org.xipki.pkcs11.wrapper.Token;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The PKCS#11 backend's speed, in one run, against a SoftHSM2 token: signatures per second and
 * latency percentiles for RSA-2048 and P-256 at concurrency 1, 2 and 8,
 * (a) raw PKCS#11 through the wrapper (one session per thread),
 * (b) through the backend's SPI (its session pool, cached handles, DER conversion),
 * (c) through the whole server (CSC signHash over HTTPS, HTTP/2 on one kept-alive connection, one
 *     hash per request, all authorized by one SAD per key), and the ratios b/a and c/a.
 * Not a test: run it with {@code ./sigil bench}. Every cell signs the same number of digests.
 */
public final class Pkcs11Benchmark {
    static final String MODULE = "/usr/lib/softhsm/libsofthsm2.so";
    static final String LABEL = "sigil-bench";
    static final String PIN = "246801";
    static final int[] CONCURRENCY = {1, 2, 8};
    /** Per cell at the server: 1000 per key in all, the hashes of one SAD (one one-time code per key). */
    static final int[] COUNTS = {300, 300, 400};
    /** Per cell for (a) and (b), long enough (seconds) for a stable rate: RSA-2048, then P-256. */
    static final int[] LOCAL_COUNTS = {4000, 20000};
    static final int WARMUP = 2000;

    /** One measured cell. */
    record Cell(double perSecond, double p50, double p95, double p99) {
        @Override
        public String toString() {
            return String.format("%9.0f/s  p50 %6.2f  p95 %6.2f  p99 %6.2f ms", perSecond, p50, p95, p99);
        }
    }

    /** A signing call; returns after one signature. */
    @FunctionalInterface
    interface SignOnce {
        void sign(int thread, int index) throws Exception;
    }

    static Cell measure(int threads, int count, SignOnce op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit((Callable<Void>) () -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    long t0 = System.nanoTime();
                    op.sign(thread, i);
                    latencies[i] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(latencies);
        return new Cell(count / seconds, latencies[count / 2] / 1e6, latencies[(int) (count * 0.95)] / 1e6,
                latencies[(int) (count * 0.99)] / 1e6);
    }

    static byte[][] digests(String prefix, int n) throws Exception {
        byte[][] out = new byte[n][];
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < n; i++) {
            out[i] = md.digest((prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    public static void main(String[] args) throws Exception {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || !Files.exists(Path.of(conf))) {
            throw new IllegalStateException("SOFTHSM2_CONF must name a SoftHSM2 configuration (./sigil bench sets it)");
        }
        Path work = Path.of(conf).getParent();
        Map<String, String> env = Map.of("SOFTHSM2_CONF", conf);
        run(env, "softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", PIN, "--so-pin", "13579135");
        // Keys made by a third tool, so that (a) and (b) sign with the very same keys.
        for (String[] k : List.of(new String[] {"rsa:2048", "bench-rsa", "01"}, new String[] {"EC:prime256v1", "bench-ec", "02"})) {
            run(env, "pkcs11-tool", "--module", MODULE, "--token-label", LABEL, "--login", "--pin", PIN,
                    "--keypairgen", "--key-type", k[0], "--label", k[1], "--id", k[2]);
        }
        // The wrapper prints its INFO lines to standard output, into the table, unless given a
        // logger; the backend gives it SLF4J, but (a) loads the wrapper before the backend does.
        StaticLogger.setLogger(new WarningsToStderr());
        Map<String, Cell[]> raw = raw();
        Map<String, Cell[]> spi = spi();
        Map<String, Cell[]> server = server(work, env);

        System.out.println();
        System.out.println("PKCS#11 backend benchmark: SoftHSM2, " + Runtime.getRuntime().availableProcessors()
                + " cores; (a), (b): " + LOCAL_COUNTS[0] + " (RSA) / " + LOCAL_COUNTS[1] + " (P-256) signatures per cell after "
                + WARMUP + " to warm up; (c): " + Arrays.toString(COUNTS) + " signHash requests at concurrency "
                + Arrays.toString(CONCURRENCY));
        System.out.printf("%-9s %4s | %-48s | %-48s | %-48s | %5s %5s%n", "key", "conc", "(a) raw PKCS#11", "(b) backend SPI",
                "(c) server, CSC signHash over HTTPS", "b/a", "c/a");
        for (String key : raw.keySet()) {
            for (int i = 0; i < CONCURRENCY.length; i++) {
                Cell a = raw.get(key)[i];
                Cell b = spi.get(key)[i];
                Cell c = server.get(key)[i];
                System.out.printf("%-9s %4d | %s | %s | %s | %5.2f %5.2f%n", key, CONCURRENCY[i], a, b, c,
                        b.perSecond() / a.perSecond(), c.perSecond() / a.perSecond());
            }
        }
        System.out.println(SERVER_SIDE);
        System.out.println("Targets: b/a >= 0.95; c/a >= 0.80 for RSA-2048 at concurrency 8.");
    }

    /** The wrapper's log for the benchmark: warnings and errors to standard error, nothing else. */
    private static final class WarningsToStderr implements org.xipki.pkcs11.wrapper.Logger {
        private static void print(String level, String format, Object... args) {
            System.err.println("PKCS#11 wrapper " + level + ": " + format.replace("{}", "%s").formatted(args));
        }

        @Override
        public void info(String format, Object... args) {
        }

        @Override
        public void warn(String format, Object... args) {
            print("WARN", format, args);
        }

        @Override
        public void error(String format, Object... args) {
            print("ERROR", format, args);
        }

        @Override
        public void debug(String format, Object... args) {
        }

        @Override
        public void trace(String format, Object... args) {
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }
    }

    /** (a): the wrapper alone, one logged-in session per thread, the key handle found once. */
    static Map<String, Cell[]> raw() throws Exception {
        PKCS11Module module = PKCS11Module.getInstance(MODULE);
        module.initialize();
        try {
            Token token = null;
            for (Slot slot : module.getSlotList(true)) {
                if (slot.getToken().getTokenInfo().getLabel().trim().equals(LABEL)) {
                    token = slot.getToken();
                }
            }
            if (token == null) {
                throw new IllegalStateException("token " + LABEL + " not found");
            }
            Session[] sessions = new Session[8];
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = token.openSession(true);
            }
            sessions[0].login(CKU_USER, PIN.toCharArray());
            Map<String, Cell[]> out = new LinkedHashMap<>();
            for (String label : List.of("bench-rsa", "bench-ec")) {
                long handle = sessions[0].findObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY).label(label), 1)[0];
                boolean rsa = label.endsWith("rsa");
                Cell[] cells = new Cell[CONCURRENCY.length];
                int n = LOCAL_COUNTS[rsa ? 0 : 1];
                byte[][] d = digests("raw-" + label, n);
                SignOnce op = (t, i) -> sessions[t].signSingle(new Mechanism(rsa ? CKM_RSA_PKCS : CKM_ECDSA), handle,
                        rsa ? HashAlgorithm.SHA256.digestInfo(d[i]) : d[i]);
                measure(2, WARMUP, op);
                for (int c = 0; c < CONCURRENCY.length; c++) {
                    cells[c] = measure(CONCURRENCY[c], n, op);
                }
                out.put(rsa ? "RSA-2048" : "P-256", cells);
            }
            for (Session s : sessions) {
                s.closeSession();
            }
            return out;
        } finally {
            module.finalize(null);
        }
    }

    /** (b): the backend, as core calls it. */
    static Map<String, Cell[]> spi() throws Exception {
        Path pin = Files.createTempFile("bench", ".pin");
        Files.writeString(pin, PIN);
        Map<String, Object> values = Map.of("sigil.backend.id", "bench", "module.path", MODULE, "token.label", LABEL,
                "user.pin.file", pin.toString(), "pool.size", 8);
        Pkcs11BackendConfig config = (Pkcs11BackendConfig) Proxy.newProxyInstance(Pkcs11BackendConfig.class.getClassLoader(),
                new Class<?>[] {Pkcs11BackendConfig.class}, (p, m, a) -> {
                    String key = m.getName().replace('_', '.');
                    return values.containsKey(key) ? values.get(key) : m.getDefaultValue();
                });
        Map<String, Cell[]> out = new LinkedHashMap<>();
        try (Pkcs11Backend backend = new Pkcs11Backend(Pkcs11Settings.from(config, k -> null))) {
            for (KeyInfo key : backend.keys()) {
                boolean rsa = key.type() == dev.sigil.api.KeyType.RSA;
                SignatureAlgorithm alg = rsa ? SignatureAlgorithm.RSA_PKCS1_SHA256 : SignatureAlgorithm.ECDSA_SHA256;
                KeyRef ref = key.ref();
                Cell[] cells = new Cell[CONCURRENCY.length];
                int n = LOCAL_COUNTS[rsa ? 0 : 1];
                byte[][] d = digests("spi-" + ref, n);
                SignOnce op = (t, i) -> backend.sign(ref, alg, d[i]);
                measure(2, WARMUP, op);
                for (int c = 0; c < CONCURRENCY.length; c++) {
                    cells[c] = measure(CONCURRENCY[c], n, op);
                }
                out.put(rsa ? "RSA-2048" : "P-256", cells);
            }
        } finally {
            Files.deleteIfExists(pin);
        }
        return out;
    }

    /** (c): the assembled server with the token as backend "hsm", through the CSC API. */
    static Map<String, Cell[]> server(Path work, Map<String, String> env) throws Exception {
        Path pin = Files.writeString(work.resolve("hsm.pin"), PIN + "\n");
        Path conf = Files.createDirectories(work.resolve("conf"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Distribution.home().resolve("conf"))) {
            for (Path p : s) {
                Files.copy(p, conf.resolve(p.getFileName()));
            }
        }
        Files.writeString(conf.resolve("dev.sigil.backend.pkcs11-hsm.cfg"), "sigil.backend.id = hsm\nmodule.path = "
                + MODULE + "\ntoken.label = " + LABEL + "\nuser.pin.file = " + pin + "\npool.size = 8\n");
        Path data = work.resolve("data");
        Map<String, Cell[]> out = new LinkedHashMap<>();
        Map<String, String> serverEnv = new java.util.HashMap<>(env);
        String jfr = System.getProperty("sigil.bench.jfr");
        if (jfr != null) {
            serverEnv.put("SIGIL_JAVA_OPTS", "-XX:FlightRecorderOptions=stackdepth=512 -XX:StartFlightRecording=filename=" + jfr
                    + ",settings=profile");
        }
        try (Distribution server = new Distribution(data, serverEnv, "--port", "0", "--conf", conf.toString())) {
            String base = server.awaitListening(Duration.ofSeconds(90));
            admin(base, data, Map.of("SIGIL_NEW_PASSWORD", "bench-password"), "user", "add", "bench");
            Matcher seed = Pattern.compile("seed:\\s+([A-Z2-7]+)").matcher(admin(base, data, Map.of(), "totp", "enroll", "bench"));
            seed.find();
            for (String[] k : List.of(new String[] {"rsa-2048", "RSA-2048", "1.2.840.113549.1.1.11"},
                    new String[] {"ec-p256", "P-256", "1.2.840.10045.4.3.2"})) {
                admin(base, data, Map.of("SIGIL_NEW_PIN", "112233"), "credential", "create", "bench-" + k[0], "--user",
                        "bench", "--backend", "hsm", "--key-type", k[0], "--multisign", "1000", "--dev-ca");
            }
            TestCsc csc = new TestCsc(base, data);
            String token = csc.login("bench", "bench-password");
            long step = TestTotp.step() - 1;
            // Warm the server up (JIT, pools, caches) with signatures that are not measured; this
            // takes the previous step's one-time code, the measured SADs the current and the next.
            warmUp(csc, token, "bench-rsa-2048", "1.2.840.113549.1.1.11", TestTotp.code(seed.group(1), step++));
            for (String[] k : List.of(new String[] {"rsa-2048", "RSA-2048", "1.2.840.113549.1.1.11"},
                    new String[] {"ec-p256", "P-256", "1.2.840.10045.4.3.2"})) {
                String credential = "bench-" + k[0];
                int total = Arrays.stream(COUNTS).sum();
                byte[][] d = digests("server-" + credential, total);
                List<String> hashes = new ArrayList<>();
                for (byte[] h : d) {
                    hashes.add(Base64.getEncoder().encodeToString(h));
                }
                JsonNode sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", credential,
                        "numSignatures", total, "hashes", hashes, "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                        "PIN", "112233", "OTP", TestTotp.code(seed.group(1), step++)));
                String sadValue = sad.path("SAD").asText();
                Cell[] cells = new Cell[CONCURRENCY.length];
                int offset = 0;
                for (int c = 0; c < CONCURRENCY.length; c++) {
                    int from = offset;
                    offset += COUNTS[c];
                    cells[c] = measure(CONCURRENCY[c], COUNTS[c], (t, i) -> {
                        java.net.http.HttpResponse<String> r = csc.send("csc/v2/signatures/signHash", token,
                                Map.of("credentialID", credential, "SAD", sadValue, "hashes", List.of(hashes.get(from + i)),
                                        "signAlgo", k[2]));
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("signHash: " + r.body());
                        }
                    });
                }
                out.put(k[1], cells);
            }
            serverSide(server);
        }
        return out;
    }

    private static void warmUp(TestCsc csc, String token, String credential, String signAlgo, String otp)
            throws Exception {
        byte[][] d = digests("warm-up-" + credential, 600);
        List<String> hashes = new ArrayList<>();
        for (byte[] h : d) {
            hashes.add(Base64.getEncoder().encodeToString(h));
        }
        String sad = csc.post("csc/v2/credentials/authorize", token, Map.of("credentialID", credential,
                "numSignatures", hashes.size(), "hashes", hashes, "hashAlgorithmOID", "2.16.840.1.101.3.4.2.1",
                "PIN", "112233", "OTP", otp)).path("SAD").asText();
        measure(8, hashes.size(), (t, i) -> csc.send("csc/v2/signatures/signHash", token, Map.of("credentialID",
                credential, "SAD", sad, "hashes", List.of(hashes.get(i)), "signAlgo", signAlgo)));
    }

    /** The server's own time per signHash, from its access log, to tell server from client cost. */
    private static void serverSide(Distribution server) {
        Pattern ms = Pattern.compile("\"POST /csc/v2/signatures/signHash [^\"]*\" 200 (\\d+) ms");
        List<Integer> times = new ArrayList<>();
        for (String line : server.stderr) {
            Matcher m = ms.matcher(line);
            if (m.find()) {
                times.add(Integer.parseInt(m.group(1)));
            }
        }
        // the measured requests are the last ones; the warm-up's come first
        times = new ArrayList<>(times.subList(Math.max(0, times.size() - 2 * Arrays.stream(COUNTS).sum()), times.size()));
        times.sort(null);
        if (!times.isEmpty()) {
            SERVER_SIDE.append(String.format("(c) server-side time per signHash (access log, %d requests): p50 %d ms,"
                    + " p95 %d ms", times.size(), times.get(times.size() / 2), times.get((int) (times.size() * 0.95))));
        }
    }

    static final StringBuilder SERVER_SIDE = new StringBuilder();

    private static String admin(String base, Path data, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Distribution.home().resolve("bin/sigil-admin").toString(),
                "--data", data.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("sigil-admin " + String.join(" ", args) + ": " + out);
        }
        return out;
    }
}
