package dev.sigil.backend.azure.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.backend.testkit.JdkVerifier;
import dev.sigil.backend.testkit.KeyVaultFake;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Azure Key Vault backend's speed against the test kit's {@link KeyVaultFake} (HTTPS on the
 * loopback, in this JVM): signatures per second through the SPI's batch entry point
 * {@code sign(KeyRef, SignatureAlgorithm, List<byte[]>, CallContext)} (one call = one request) for 1
 * and 16 hashes per request at concurrency (client threads) 1, 8 and 32, once with the fake
 * answering each sign call at once and once with the fake holding every sign call for a fixed time
 * ({@code --latency-ms}, default 20, the fake's {@link KeyVaultFake#signLatency}), as a vault a few
 * milliseconds away would. P-256 (EC-HSM) first, then RSA-2048 (RSA-HSM).
 *
 * <p>The backend is opened as the tests open it ({@link Fixtures#fakeConfig}, {@link Fixtures#open}):
 * a real client-secret credential against the fake's Entra ID token endpoint, the JDK HTTP client
 * trusting the fake's certificate. {@code max.concurrent.calls} and
 * {@code max.parallel.signatures} are set explicitly (the defaults unless given) and printed.
 *
 * <p>Not a measurement of failures: one signature per key is verified with the JDK before
 * measuring, and during the cells one request in {@value #VERIFY_EVERY} has one of its signatures
 * verified (a bad one counts as an error); errors are counted per cell and printed, and so are the
 * requests the fake found outside the documented API.
 *
 * <p>Warm-up: {@value #WARMUP_SECONDS} s by default ({@code --warmup S}), once before the first
 * cell: both keys with 1 and 16 hashes per request at concurrency 8, no latency, in turns of
 * {@value #WARMUP_SLICE_SECONDS} s so that every path is compiled from the start. That is three
 * times the AWS benchmark's, because everything runs in this one JVM — the Azure SDK (azure-core,
 * Jackson, the JDK HTTP client, TLS) and, on the other side of the loopback, the fake's HTTPS server
 * (TLS, Jackson, the signing) — where the AWS benchmark's emulator is a Go process. Measured on the
 * 2-core machine of the first runs (shared with other work at the time), C1 and C2 spent about 85 s
 * of compiler-thread time on this workload: 19 s in the first 10 s of warm-up, 40 s by 30 s, 70 s
 * by 60 s, 85 s by 80 s, nothing more after 90 s; a 20 s warm-up left 45 s of compilation to the
 * measured cells, most of a core taken from the first (CPU-bound) ones, and 90 s left 1 to 2 s. The
 * header prints the compilation time in the warm-up and in the measured cells, so that a run can
 * be judged by it.
 *
 * <p>Not a test: run it with {@code ./sigil bench azure}. Options: {@code --latency-ms N} (0: only
 * the run without latency), {@code --seconds S} measured per cell (default 3), {@code --keys
 * p256|rsa|both}, {@code --max-concurrent N} ({@code max.concurrent.calls}), {@code --max-parallel N}
 * ({@code max.parallel.signatures}), {@code --warmup S}, {@code --keep-alive N} (the JDK HTTP
 * client's {@code jdk.httpclient.connectionPoolSize}: idle connections it keeps, 0 = unbounded, its
 * default; the AWS benchmark's option of the same name sets its HTTP client's equivalent).
 */
public final class AzureKeyVaultBenchmark {
    static final int[] CONCURRENCY = {1, 8, 32};
    static final int[] HASHES = {1, 16};
    /** Untimed requests at the start of every cell (connections, pools). */
    static final double CELL_WARMUP_SECONDS = 0.5;
    /** Once, before the first cell, shared by both keys (see the class comment). */
    static final double WARMUP_SECONDS = 90;
    /** The warm-up runs each key with 1 and 16 hashes per request in turn, this long each. */
    static final double WARMUP_SLICE_SECONDS = 2.5;
    /** Distinct digests the requests cycle through. */
    static final int DIGESTS = 512;
    /** One request in this many has one of its signatures verified with the JDK. */
    static final int VERIFY_EVERY = 32;
    static final String BACKEND_ID = "bench";
    /** The fake's threads: its handler pool, and the JDK HTTPS server's dispatcher (accept, select). */
    private static final List<String> FAKE_THREADS = List.of("key-vault-fake", "HTTP-Dispatcher");

    /** A key in the fake, and what the requests sign with it. */
    record BenchKey(String name, KeyRef ref, SignatureAlgorithm alg, PublicKey publicKey, List<byte[]> messages,
                    List<byte[]> digests) {
    }

    /** One measured cell. */
    record Cell(int hashes, int threads, int requests, double seconds, double p50, double p95, int errors,
                String firstError, Cpu cpu, int vaultSigns, int peakInFlight, int verified) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double signaturesPerSecond() {
            return requests * (double) hashes / seconds;
        }

        /** The columns of a table row after the key, latency, hashes and concurrency. */
        String columns() {
            return String.format(Locale.ROOT, "%12.0f %11.0f %13.0f %7.1f %7.1f |       %4.2f %4.2f %4.2f | %9d",
                    signaturesPerSecond(), requestsPerSecond(), vaultSigns / seconds, p50, p95, cpu.jvm(), cpu.fake(),
                    cpu.all(), peakInFlight);
        }
    }

    /**
     * Cores busy during a cell: this JVM (client threads, backend, SDK and the fake), the fake's
     * threads alone (an estimate: a thread that ended within the cell is not counted), and the
     * whole machine (with whatever else runs on it).
     */
    record Cpu(double jvm, double fake, double all) {
    }

    /** One table: a key at one injected latency. */
    record Run(String key, long latencyMs, Map<String, Cell> cells) {
        Cell cell(int hashes, int threads) {
            return cells.get(hashes + "x" + threads);
        }

        double ratio(int threads) {
            return cell(16, threads).signaturesPerSecond() / cell(1, threads).signaturesPerSecond();
        }
    }

    /**
     * azure-core-http-jdk-httpclient logs a WARN for every POST (the SDK sets a content-length
     * header, which java.net.http sets itself and refuses from callers): one line per signature.
     * Set to ERROR before the first logger exists, unless given on the command line.
     */
    static final String JDK_HTTP_CLIENT_LOG = "org.slf4j.simpleLogger.log.com.azure.core.http.jdk.httpclient";

    public static void main(String[] args) throws Exception {
        if (System.getProperty(JDK_HTTP_CLIENT_LOG) == null) {
            System.setProperty(JDK_HTTP_CLIENT_LOG, "error");
        }
        long latencyMs = 20;
        double seconds = 3;
        double warmupSeconds = WARMUP_SECONDS;
        String keys = "both";
        int maxParallel = AzureKeyVaultSettings.DEFAULT_MAX_PARALLEL;
        int maxConcurrent = AzureKeyVaultSettings.DEFAULT_MAX_CONCURRENT_CALLS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--latency-ms" -> latencyMs = Long.parseLong(value(args, ++i));
                case "--seconds" -> seconds = Double.parseDouble(value(args, ++i));
                case "--keys" -> keys = value(args, ++i);
                case "--warmup" -> warmupSeconds = Double.parseDouble(value(args, ++i));
                case "--max-parallel" -> maxParallel = Integer.parseInt(value(args, ++i));
                case "--max-concurrent" -> maxConcurrent = Integer.parseInt(value(args, ++i));
                // The JDK HTTP client (the backend's) keeps this many idle connections (0, its
                // default: no limit); read once, before the first client is built.
                case "--keep-alive" -> System.setProperty("jdk.httpclient.connectionPoolSize", String.valueOf(
                        Integer.parseInt(value(args, ++i))));
                default -> usage("unknown option " + args[i]);
            }
        }
        if (latencyMs < 0 || seconds <= 0 || warmupSeconds < 0 || !List.of("p256", "rsa", "both").contains(keys)) {
            usage("bad option value");
        }
        List<String> keyNames = keys.equals("both") ? List.of("P-256", "RSA-2048")
                : List.of(keys.equals("p256") ? "P-256" : "RSA-2048");
        List<Long> latencies = latencyMs == 0 ? List.of(0L) : List.of(0L, latencyMs);

        Map<String, Object> explicit = new LinkedHashMap<>();
        explicit.put("max.concurrent.calls", String.valueOf(maxConcurrent));
        explicit.put("max.parallel.signatures", String.valueOf(maxParallel));
        explicit.put("call.timeout.ms", String.valueOf(AzureKeyVaultSettings.DEFAULT_CALL_TIMEOUT_MS));
        explicit.put("attempt.timeout.ms", String.valueOf(AzureKeyVaultSettings.DEFAULT_ATTEMPT_TIMEOUT_MS));
        explicit.put("max.retries", String.valueOf(AzureKeyVaultSettings.DEFAULT_MAX_RETRIES));

        List<Run> runs = new ArrayList<>();
        List<String> baseline = new ArrayList<>();
        String settingsLine;
        List<String> violations;
        double[] jit = new double[3];
        progress("starting the Key Vault fake");
        try (KeyVaultFake fake = KeyVaultFake.start()) {
            Map<String, Object> config = Fixtures.fakeConfig(fake, BACKEND_ID);
            config.putAll(explicit);
            AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(Fixtures.config(config), Fixtures::env);
            settingsLine = settings.toString();
            settings.clearSecrets();
            Map<String, BenchKey> benchKeys = new LinkedHashMap<>();
            AzureKeyVaultBackend backend = Fixtures.open(fake, config);
            try {
                for (String name : keyNames) {
                    boolean rsa = name.startsWith("RSA");
                    String keyName = rsa ? "bench-rsa2048" : "bench-p256";
                    String version = fake.createKey(keyName, rsa ? "RSA-HSM" : "EC-HSM", rsa ? 2048 : 256);
                    BenchKey key = benchKey(backend, name, new KeyRef(BACKEND_ID, keyName + "/" + version));
                    check(backend, key);
                    benchKeys.put(name, key);
                }
                // From here on the fake counts requests but no longer keeps them (they would fill the memory).
                fake.recordRequests(false);
                fake.resetRequests();
                jit[0] = compilationSeconds();
                progress(String.format(Locale.ROOT, "warming up for %.0f s", warmupSeconds));
                // Short slices in turn, so that every path is compiled from the start.
                double slice = Math.min(WARMUP_SLICE_SECONDS, warmupSeconds / (benchKeys.size() * HASHES.length));
                double warmed = 0;
                while (warmed < warmupSeconds - 1e-9) {
                    for (BenchKey key : benchKeys.values()) {
                        for (int hashes : HASHES) {
                            double s = Math.min(slice, warmupSeconds - warmed);
                            if (s > 1e-9) {
                                measure(backend, fake, key, hashes, 8, s, 0.01);
                                warmed += s;
                            }
                        }
                    }
                    progress(String.format(Locale.ROOT, "  %3.0f s warmed up, %3.0f s of JIT compilation so far", warmed,
                            compilationSeconds() - jit[0]));
                }
                jit[1] = compilationSeconds();
                for (long latency : latencies) {
                    fake.signLatency(Duration.ofMillis(latency));
                    for (BenchKey key : benchKeys.values()) {
                        Map<String, Cell> cells = new LinkedHashMap<>();
                        for (int hashes : HASHES) {
                            for (int threads : CONCURRENCY) {
                                progress(String.format(Locale.ROOT, "%s, %d ms latency, %2d hash(es)/request,"
                                        + " %2d threads...", key.name(), latency, hashes, threads));
                                cells.put(hashes + "x" + threads, measure(backend, fake, key, hashes, threads,
                                        CELL_WARMUP_SECONDS, seconds));
                            }
                        }
                        runs.add(new Run(key.name(), latency, cells));
                    }
                }
                jit[2] = compilationSeconds();
                // The fake's own pace, without the backend or the Azure SDK: what a sign call costs
                // when nothing but a plain java.net.http client stands between the threads and it.
                BenchKey first = benchKeys.values().iterator().next();
                for (int threads : new int[] {8, 32}) {
                    progress(String.format(Locale.ROOT, "baseline: a plain java.net.http client, %d threads...", threads));
                    baseline.add(baseline(fake, first, latencies.get(latencies.size() - 1), threads, seconds));
                }
            } finally {
                backend.close();
            }
            violations = fake.violations();
        }
        print(runs, settingsLine, explicit, warmupSeconds, seconds, latencyMs, jit, violations);
        System.out.println("baseline: the fake's pace with a plain java.net.http client instead of the backend and the"
                + " Azure SDK (one POST .../sign per call: the same TLS and body, the fake's test token):");
        baseline.forEach(b -> System.out.println("  " + b));
    }

    /**
     * Sign calls per second and their mean duration with {@code threads} threads each posting one
     * sign after the other with a plain JDK client (its own connection pool), {@code latencyMs} set.
     */
    private static String baseline(KeyVaultFake fake, BenchKey key, long latencyMs, int threads, double seconds)
            throws Exception {
        fake.signLatency(Duration.ofMillis(latencyMs));
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(fake.clientSslContext())
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI uri = java.net.URI.create(fake.vaultUrl() + "keys/" + key.ref().keyId() + "/sign?api-version="
                + AzureClients.API_VERSION.getVersion());
        String alg = key.name().startsWith("RSA") ? "RS256" : "ES256";
        String body = "{\"alg\":\"" + alg + "\",\"value\":\""
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key.digests().get(0)) + "\"}";
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + KeyVaultFake.TEST_TOKEN).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        AtomicInteger calls = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int measuring = 0; measuring < 2; measuring++) {
                long until = System.nanoTime() + (long) ((measuring == 0 ? CELL_WARMUP_SECONDS : seconds) * 1e9);
                boolean count = measuring == 1;
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    running.add(pool.submit(() -> {
                        while (System.nanoTime() < until) {
                            long t0 = System.nanoTime();
                            java.net.http.HttpResponse<String> r = client.send(request,
                                    java.net.http.HttpResponse.BodyHandlers.ofString());
                            if (count) {
                                nanos.addAndGet(System.nanoTime() - t0);
                                calls.incrementAndGet();
                                if (r.statusCode() != 200) {
                                    failures.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return String.format(Locale.ROOT, "%s, %d ms latency, %2d threads: %6.0f calls/s, mean %5.1f ms per call%s",
                key.name(), latencyMs, threads, calls.get() / seconds, nanos.get() / 1e6 / Math.max(1, calls.get()),
                failures.get() == 0 ? "" : ", " + failures.get() + " failed");
    }

    private static void print(List<Run> runs, String settingsLine, Map<String, Object> explicit, double warmupSeconds,
                              double seconds, long latencyMs, double[] jit, List<String> violations) {
        runs = new ArrayList<>(runs);
        runs.sort(Comparator.comparing(Run::key).thenComparingLong(Run::latencyMs));
        int maxConcurrent = Integer.parseInt((String) explicit.get("max.concurrent.calls"));
        int maxParallel = Integer.parseInt((String) explicit.get("max.parallel.signatures"));
        String pool = System.getProperty("jdk.httpclient.connectionPoolSize");
        System.out.println("");
        System.out.println("Azure Key Vault backend benchmark: KeyVaultFake (HTTPS on the loopback, in this same JVM), "
                + Runtime.getRuntime().availableProcessors()
                + " cores shared by the client threads, the backend, the Azure SDK and the fake");
        System.out.printf(Locale.ROOT, "one request = one backend.sign(key, alg, List<byte[]>, CallContext) call;"
                + " %.0f s warm-up in all, then per cell %.1f s untimed and %.1f s measured (the requests completed"
                + " in it)%n", warmupSeconds, CELL_WARMUP_SECONDS, seconds);
        System.out.println("cores = CPU cores busy in the measured window: this JVM (client, backend, SDK and the fake, which"
                + " runs in it), the fake's threads alone (HTTPS server, JSON, signing; an estimate, part of jvm), the whole"
                + " machine (anything else running included)");
        System.out.println("backend settings (set explicitly): " + explicit);
        System.out.println("  as the settings object reads them: " + settingsLine);
        System.out.println("  credential: client secret, tokens from the fake's Entra ID endpoint; HTTP client: the JDK's"
                + " java.net.http (HTTP/1.1 over TLS: the fake's server speaks no HTTP/2), idle connections kept:"
                + " jdk.httpclient.connectionPoolSize = " + (pool == null ? "0 (no limit, the JDK's default)" : pool));
        System.out.println("latency: 0 ms = the fake answers each sign call at once" + (latencyMs == 0 ? "" : "; " + latencyMs
                + " ms = the fake holds every sign call that long before answering") + "; vault signs/s = sign calls that"
                + " reached the fake in the window (retries included); in flight = most sign calls the fake was answering at"
                + " once (from the request read to its answer sent)");
        System.out.println("logging: " + JDK_HTTP_CLIENT_LOG.substring("org.slf4j.simpleLogger.log.".length()) + " at "
                + System.getProperty(JDK_HTTP_CLIENT_LOG) + " (at WARN it logs one line per sign call: the SDK's"
                + " content-length header, which java.net.http refuses)");
        System.out.printf(Locale.ROOT, "JIT compilation (compiler threads' time): %.1f s during the warm-up, %.1f s during"
                + " the %d measured cells%n", jit[1] - jit[0], jit[2] - jit[1], runs.size() * HASHES.length * CONCURRENCY.length);
        System.out.printf(Locale.ROOT, "%-8s %7s %6s %4s | %12s %11s %13s %7s %7s | %-20s | %9s | %5s%n", "key",
                "latency", "hashes", "conc", "signatures/s", "requests/s", "vault signs/s", "p50 ms", "p95 ms",
                "cores  jvm fake  all", "in flight", "16/1");
        for (Run r : runs) {
            for (int hashes : HASHES) {
                for (int threads : CONCURRENCY) {
                    System.out.printf(Locale.ROOT, "%-8s %4d ms %6d %4d | %s | %5s%n", r.key(), r.latencyMs(), hashes,
                            threads, r.cell(hashes, threads).columns(),
                            hashes == 1 ? "" : String.format(Locale.ROOT, "%.2f", r.ratio(threads)));
                }
            }
        }
        int errors = 0;
        int verified = 0;
        for (Run r : runs) {
            for (Cell c : r.cells().values()) {
                verified += c.verified();
                errors += c.errors();
                if (c.errors() > 0) {
                    System.out.printf(Locale.ROOT, "errors: %s %d ms, %d hash(es) x %d threads: %d failed requests,"
                            + " first: %s%n", r.key(), r.latencyMs(), c.hashes(), c.threads(), c.errors(), c.firstError());
                }
            }
        }
        System.out.printf(Locale.ROOT, "errors in the measured cells: %d failed request(s); signatures verified with the JDK"
                + " (one request in %d): %d, bad ones counted as errors; requests outside the documented API: %s%n", errors,
                VERIFY_EVERY, verified, violations.isEmpty() ? "none" : violations.size() + ", first: " + violations.get(0));
        // When latency bounds both cells, each has as many sign calls in flight as the permits allow.
        int oneHash = Math.min(8, maxConcurrent);
        int sixteen = Math.min(8 * Math.min(16, maxParallel), maxConcurrent);
        Run target = runs.stream().filter(r -> r.key().equals("P-256") && r.latencyMs() == latencyMs && latencyMs > 0)
                .findFirst().orElse(null);
        String measured = target == null ? "not measured (needs --latency-ms > 0 and the P-256 key)"
                : String.format(Locale.ROOT, "measured %.2fx with %d ms (P-256) -> %s%s", target.ratio(8), latencyMs,
                        target.ratio(8) >= 5 ? "PASS" : "MISS", latencyMs == 20 ? "" : " (the target is for 20 ms)");
        System.out.println("Target: with 20 ms latency, 16 hashes/request at concurrency 8 >= 5x the signatures/s of 1 hash/request"
                + " at concurrency 8: " + measured);
        System.out.printf(Locale.ROOT, "  (ceiling set by the permits when latency bounds both cells: %d sign calls in flight"
                + " against %d, at most %.2fx; min(8 x min(16, max.parallel.signatures), max.concurrent.calls)"
                + " / min(8, max.concurrent.calls))%n", sixteen, oneHash, sixteen / (double) oneHash);
    }

    /** A key as the backend reads it, with the messages and digests the requests sign. */
    private static BenchKey benchKey(AzureKeyVaultBackend backend, String name, KeyRef ref) throws Exception {
        SignatureAlgorithm alg = name.startsWith("RSA") ? SignatureAlgorithm.RSA_PKCS1_SHA256
                : SignatureAlgorithm.ECDSA_SHA256;
        List<byte[]> messages = new ArrayList<>(DIGESTS);
        List<byte[]> digests = new ArrayList<>(DIGESTS);
        for (int i = 0; i < DIGESTS; i++) {
            byte[] message = (name + " document " + i).getBytes(StandardCharsets.UTF_8);
            messages.add(message);
            digests.add(JdkVerifier.digest(alg, message));
        }
        return new BenchKey(name, ref, alg, backend.key(ref).publicKey(), List.copyOf(messages), List.copyOf(digests));
    }

    /** Two signatures per key verified with the JDK before measuring. */
    private static void check(AzureKeyVaultBackend backend, BenchKey key) throws Exception {
        List<byte[]> sigs = backend.sign(key.ref(), key.alg(), key.digests().subList(0, 2),
                CallContext.of("bench-check", Duration.ofSeconds(10)));
        for (int i = 0; i < sigs.size(); i++) {
            if (!JdkVerifier.verify(key.alg(), key.publicKey(), key.messages().get(i), sigs.get(i))) {
                throw new IllegalStateException("a " + key.alg() + " signature of key " + key.ref() + " does not verify");
            }
        }
    }

    /**
     * Runs {@code threads} clients, each sending requests of {@code hashes} digests back to back,
     * for {@code warmup} then {@code seconds} seconds; counts the requests completed in the measured
     * window and their latencies, and what the fake saw in it.
     */
    static Cell measure(AzureKeyVaultBackend backend, KeyVaultFake fake, BenchKey key, int hashes, int threads,
                        double warmup, double seconds) throws Exception {
        List<List<byte[]>> batches = new ArrayList<>();
        for (int b = 0; b < DIGESTS / hashes; b++) {
            batches.add(List.copyOf(key.digests().subList(b * hashes, (b + 1) * hashes)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger verified = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                ready.countDown();
                go.await();
                long from = window[0];
                long to = window[1];
                long now;
                while ((now = System.nanoTime()) < to) {
                    int seq = next.getAndIncrement();
                    int b = Math.floorMod(seq, batches.size());
                    String failure = null;
                    List<byte[]> sigs = null;
                    try {
                        sigs = backend.sign(key.ref(), key.alg(), batches.get(b),
                                CallContext.of("bench", CallContext.DEFAULT_TIMEOUT));
                        if (sigs.size() != hashes) {
                            failure = sigs.size() + " signatures for " + hashes + " digests";
                        }
                    } catch (SigilException | RuntimeException e) {
                        failure = e.toString();
                    }
                    long end = System.nanoTime();
                    boolean counted = end >= from && end <= to;
                    if (failure == null && seq % VERIFY_EVERY == 0) {
                        // Outside the request's latency, inside the window's CPU.
                        int j = (seq / VERIFY_EVERY) % hashes;
                        if (!JdkVerifier.verify(key.alg(), key.publicKey(), key.messages().get(b * hashes + j),
                                sigs.get(j))) {
                            failure = "signature " + j + " of digest " + (b * hashes + j) + " does not verify";
                        } else if (counted) {
                            verified.incrementAndGet();
                        }
                    }
                    if (failure != null) {
                        if (end >= from) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, failure);
                        }
                    } else if (counted) {
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = end - now;
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        ready.await();
        long start = System.nanoTime();
        window[0] = start + (long) (warmup * 1e9);
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown(); // the latch publishes window[] to the clients
        Thread.sleep(Math.max(0, (window[0] - System.nanoTime()) / 1_000_000));
        fake.resetRequests(); // its sign count and the most in flight, from here
        CpuSample cpu0 = CpuSample.now();
        long t0 = System.nanoTime();
        Thread.sleep(Math.max(0, (window[1] - System.nanoTime()) / 1_000_000));
        CpuSample cpu1 = CpuSample.now();
        double wall = (System.nanoTime() - t0) / 1e9;
        int vaultSigns = fake.count("sign");
        int peakInFlight = fake.maxSignsInFlight();
        long[] all = new long[0];
        for (Future<long[]> f : results) {
            long[] l = f.get();
            int old = all.length;
            all = Arrays.copyOf(all, old + l.length);
            System.arraycopy(l, 0, all, old, l.length);
        }
        pool.shutdown();
        Arrays.sort(all);
        int n = all.length;
        return new Cell(hashes, threads, n, seconds, n == 0 ? Double.NaN : all[n / 2] / 1e6,
                n == 0 ? Double.NaN : all[Math.min(n - 1, (int) (n * 0.95))] / 1e6, errors.get(), firstError.get(),
                cpu1.since(cpu0, wall),
                vaultSigns, peakInFlight, verified.get());
    }

    /**
     * The machine's idle and total CPU ticks (/proc/stat), this JVM's CPU time, and the CPU time of
     * each of the fake's threads in nanoseconds; 0 (or none) where unknown.
     */
    record CpuSample(long machineIdle, long machineTotal, long jvm, Map<Long, Long> fakeThreads) {
        static CpuSample now() {
            long idle = 0;
            long total = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            } catch (Exception e) {
                // not Linux: the column says NaN
            }
            long jvm = 0;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                jvm = os.getProcessCpuTime();
            }
            Map<Long, Long> fake = new HashMap<>();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            if (threads.isThreadCpuTimeSupported()) {
                for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                    if (t != null && FAKE_THREADS.contains(t.getThreadName())) {
                        long ns = threads.getThreadCpuTime(t.getThreadId());
                        if (ns >= 0) {
                            fake.put(t.getThreadId(), ns);
                        }
                    }
                }
            }
            return new CpuSample(idle, total, jvm, fake);
        }

        /** Cores busy from {@code before} to this sample, {@code wall} seconds later. */
        Cpu since(CpuSample before, double wall) {
            long fake = 0;
            for (Map.Entry<Long, Long> t : fakeThreads.entrySet()) {
                // A thread started within the window counts from 0; one that ended within it is lost.
                fake += t.getValue() - before.fakeThreads.getOrDefault(t.getKey(), 0L);
            }
            int cores = Runtime.getRuntime().availableProcessors();
            return new Cpu((jvm - before.jvm) / 1e9 / wall, fake / 1e9 / wall, machineTotal == before.machineTotal
                    ? Double.NaN : cores * (1 - (double) (machineIdle - before.machineIdle) / (machineTotal - before.machineTotal)));
        }
    }

    /** Seconds the JIT's compiler threads have spent compiling so far (0 if the JVM does not say). */
    private static double compilationSeconds() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() / 1e3 : 0;
    }

    private static void progress(String s) {
        System.err.println("azure bench: " + s);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("AzureKeyVaultBenchmark: " + problem + "\nusage: AzureKeyVaultBenchmark [--latency-ms N (20; 0:"
                + " no latency only)] [--seconds S (3)] [--warmup S (" + WARMUP_SECONDS + ")] [--keys p256|rsa|both]"
                + " [--max-parallel N (" + AzureKeyVaultSettings.DEFAULT_MAX_PARALLEL + ")] [--max-concurrent N ("
                + AzureKeyVaultSettings.DEFAULT_MAX_CONCURRENT_CALLS + ")] [--keep-alive N (jdk.httpclient.connectionPoolSize)]");
        System.exit(2);
    }

    private AzureKeyVaultBenchmark() {
    }
}
