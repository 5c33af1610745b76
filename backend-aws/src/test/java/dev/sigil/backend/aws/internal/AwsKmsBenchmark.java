package dev.sigil.backend.aws.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.backend.testkit.FaultProxy;
import dev.sigil.backend.testkit.LocalKms;
import dev.sigil.backend.testkit.JdkVerifier;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;

/**
 * The AWS KMS backend's speed against local-kms: signatures per second through the SPI's batch
 * entry point {@code sign(KeyRef, SignatureAlgorithm, List<byte[]>, CallContext)} (one call = one
 * request) for 1 and 16 hashes per request at concurrency (client threads) 1, 8 and 32, once with
 * the backend talking to local-kms directly and once through a proxy that holds every {@code Sign}
 * call for a fixed time ({@code --latency-ms}, default 20), as a KMS a few milliseconds away would.
 * P-256 first (cheap for the emulator), then RSA-2048.
 *
 * <p>Not a test: run it with {@code ./sigil bench aws}. Options: {@code --latency-ms N} (0: only
 * the direct run), {@code --seconds S} measured per cell (default 3), {@code --keys p256|rsa|both},
 * {@code --max-parallel N} (the backend's {@code max.parallel.signatures}), {@code --warmup S},
 * {@code --keep-alive N} (the JDK's {@code http.maxConnections}: idle connections the SDK's
 * HttpURLConnection client keeps per host, 5 by default).
 */
public final class AwsKmsBenchmark {
    static final int[] CONCURRENCY = {1, 8, 32};
    static final int[] HASHES = {1, 16};
    /** Untimed requests at the start of every cell (connections, pools, the emulator's caches). */
    static final double CELL_WARMUP_SECONDS = 0.5;
    /**
     * Once, before the first cell, shared by every backend and key: the SDK is large and C2 was
     * still compiling at a third of a core 30 s into a run.
     */
    static final double WARMUP_SECONDS = 30;
    /** Distinct digests the requests cycle through. */
    static final int DIGESTS = 512;

    /** One measured cell. */
    record Cell(int hashes, int threads, int requests, double seconds, double p50, double p95, int errors,
                String firstError, Cpu cpu, int peakInFlight) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double signaturesPerSecond() {
            return requests * (double) hashes / seconds;
        }

        /** The columns of a table row after the key, latency, hashes and concurrency. */
        String columns() {
            return String.format(Locale.ROOT, "%12.0f %11.0f %7.1f %7.1f | %4.2f %4.2f %4.2f | %9s",
                    signaturesPerSecond(), requestsPerSecond(), p50, p95, cpu.jvm(), cpu.kms(), cpu.all(),
                    peakInFlight < 0 ? "-" : String.valueOf(peakInFlight));
        }
    }

    /**
     * Cores busy during a cell: this JVM (client threads, backend, SDK, and in the proxied runs the
     * latency proxy), local-kms, and the whole machine (with whatever else runs on it).
     */
    record Cpu(double jvm, double kms, double all) {
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

    public static void main(String[] args) throws Exception {
        long latencyMs = 20;
        double seconds = 3;
        double warmupSeconds = WARMUP_SECONDS;
        String keys = "both";
        int maxParallel = AwsKmsSettings.DEFAULT_MAX_PARALLEL;
        int maxConcurrent = AwsKmsSettings.DEFAULT_MAX_CONCURRENT_CALLS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--latency-ms" -> latencyMs = Long.parseLong(value(args, ++i));
                case "--seconds" -> seconds = Double.parseDouble(value(args, ++i));
                case "--keys" -> keys = value(args, ++i);
                case "--warmup" -> warmupSeconds = Double.parseDouble(value(args, ++i));
                case "--max-parallel" -> maxParallel = Integer.parseInt(value(args, ++i));
                case "--max-concurrent" -> maxConcurrent = Integer.parseInt(value(args, ++i));
                // The JDK's HttpURLConnection (the backend's SDK HTTP client) keeps this many idle
                // connections per host (default 5); read once, before the first connection.
                case "--keep-alive" -> System.setProperty("http.maxConnections", String.valueOf(
                        Integer.parseInt(value(args, ++i))));
                default -> usage("unknown option " + args[i]);
            }
        }
        if (latencyMs < 0 || seconds <= 0 || !List.of("p256", "rsa", "both").contains(keys)) {
            usage("bad option value");
        }
        List<String> keyNames = keys.equals("both") ? List.of("P-256", "RSA-2048")
                : List.of(keys.equals("p256") ? "P-256" : "RSA-2048");
        List<Long> latencies = latencyMs == 0 ? List.of(0L) : List.of(0L, latencyMs);

        List<Run> runs = new ArrayList<>();
        String settingsLine;
        Map<String, Object> explicit = new LinkedHashMap<>();
        explicit.put("max.concurrent.calls", String.valueOf(maxConcurrent));
        explicit.put("max.parallel.signatures", String.valueOf(maxParallel));
        explicit.put("call.timeout.ms", String.valueOf(AwsKmsSettings.DEFAULT_CALL_TIMEOUT_MS));
        explicit.put("attempt.timeout.ms", String.valueOf(AwsKmsSettings.DEFAULT_ATTEMPT_TIMEOUT_MS));
        explicit.put("max.retries", String.valueOf(AwsKmsSettings.DEFAULT_MAX_RETRIES));
        progress("starting local-kms (built with Go on the first run)");
        // Closed in finally rather than by try-with-resources: LocalKms.close() may throw
        // InterruptedException, which javac's try lint warns about.
        LocalKms kms = LocalKms.start();
        try (FaultProxy proxy = new FaultProxy(kms.endpoint()); KmsClient admin = kms.client()) {
            String prefix = "alias/sigil-bench-" + ProcessHandle.current().pid() + "/";
            Map<String, String> keyIds = new LinkedHashMap<>();
            keyIds.put("P-256", Fixtures.createKey(admin, KeySpec.ECC_NIST_P256, prefix + "p256"));
            keyIds.put("RSA-2048", Fixtures.createKey(admin, KeySpec.RSA_2048, prefix + "rsa2048"));
            proxy.signLatency(latencyMs);
            // One backend per latency, both built first: the warm-up runs every code path (direct
            // and proxied, both keys) before anything is measured, so that the JIT has settled.
            Map<Long, AwsKmsBackend> backends = new LinkedHashMap<>();
            settingsLine = null;
            try {
                for (long latency : latencies) {
                    URI endpoint = latency == 0 ? kms.endpoint() : proxy.endpoint();
                    Map<String, Object> config = Fixtures.config("bench", endpoint, prefix);
                    config.putAll(explicit);
                    AwsKmsSettings settings = AwsKmsSettings.from(Fixtures.config(config), Fixtures::env);
                    if (settingsLine == null) {
                        settingsLine = settings.toString();
                    }
                    try {
                        backends.put(latency, new AwsKmsBackend(settings));
                    } finally {
                        settings.clearSecrets();
                    }
                }
                Map<String, List<byte[]>> digests = new LinkedHashMap<>();
                for (String name : keyNames) {
                    digests.put(name, digests(algorithm(name), name));
                    for (AwsKmsBackend backend : backends.values()) {
                        check(backend, new KeyRef("bench", keyIds.get(name)), algorithm(name));
                    }
                }
                progress(String.format(Locale.ROOT, "warming up for %.0f s", warmupSeconds));
                double share = warmupSeconds / (backends.size() * keyNames.size());
                for (AwsKmsBackend backend : backends.values()) {
                    for (String name : keyNames) {
                        measure(backend, new KeyRef("bench", keyIds.get(name)), algorithm(name), digests.get(name), 16,
                                8, share, 0.01, null);
                    }
                }
                for (Map.Entry<Long, AwsKmsBackend> b : backends.entrySet()) {
                    long latency = b.getKey();
                    for (String name : keyNames) {
                        Map<String, Cell> cells = new LinkedHashMap<>();
                        for (int hashes : HASHES) {
                            for (int threads : CONCURRENCY) {
                                progress(String.format(Locale.ROOT, "%s, %d ms latency, %2d hash(es)/request,"
                                        + " %2d threads...", name, latency, hashes, threads));
                                Cell c = measure(b.getValue(), new KeyRef("bench", keyIds.get(name)), algorithm(name),
                                        digests.get(name), hashes, threads, CELL_WARMUP_SECONDS, seconds,
                                        latency == 0 ? null : proxy);
                                cells.put(hashes + "x" + threads, c);
                            }
                        }
                        runs.add(new Run(name, latency, cells));
                    }
                }
            } finally {
                for (AwsKmsBackend backend : backends.values()) {
                    backend.close();
                }
            }
        } finally {
            kms.close();
        }
        print(runs, settingsLine, explicit, warmupSeconds, seconds, latencyMs);
    }

    private static void print(List<Run> runs, String settingsLine, Map<String, Object> explicit,
                              double warmupSeconds, double seconds, long latencyMs) {
        runs = new ArrayList<>(runs);
        runs.sort(java.util.Comparator.comparing(Run::key).thenComparingLong(Run::latencyMs));
        System.out.println("");
        System.out.println("AWS KMS backend benchmark: local-kms (Go emulator, loopback), "
                + Runtime.getRuntime().availableProcessors()
                + " cores shared by the client threads, the backend, the latency proxy and the emulator");
        System.out.printf(Locale.ROOT, "one request = one backend.sign(key, alg, List<byte[]>, CallContext) call;"
                + " %.0f s warm-up in all, then per cell %.1f s untimed and %.1f s measured (the requests completed"
                + " in it)%n", warmupSeconds, CELL_WARMUP_SECONDS, seconds);
        System.out.println("cores = CPU cores busy in the measured window: this JVM (client, backend, SDK, and the proxy),"
                + " local-kms, the whole machine (anything else running included)");
        System.out.println("backend settings (set explicitly): " + explicit);
        System.out.println("  as the settings object reads them: " + settingsLine);
        String keepAlive = System.getProperty("http.maxConnections");
        System.out.println("  SDK HTTP client: UrlConnectionHttpClient (HttpURLConnection), idle keep-alive connections kept"
                + " per host: http.maxConnections = " + (keepAlive == null ? "5 (the JDK's default)" : keepAlive));
        System.out.println("latency: 0 ms = the backend talks to local-kms directly; " + latencyMs + " ms = through a proxy that"
                + " holds every Sign call that long (in flight = most Sign calls the proxy held at once)");
        System.out.printf(Locale.ROOT, "%-8s %7s %6s %4s | %12s %11s %7s %7s | %-14s | %9s | %5s%n", "key", "latency",
                "hashes", "conc", "signatures/s", "requests/s", "p50 ms", "p95 ms", "cores jvm kms all", "in flight", "16/1");
        for (Run r : runs) {
            for (int hashes : HASHES) {
                for (int threads : CONCURRENCY) {
                    System.out.printf(Locale.ROOT, "%-8s %4d ms %6d %4d | %s | %5s%n", r.key(), r.latencyMs(), hashes,
                            threads, r.cell(hashes, threads).columns(),
                            hashes == 1 ? "" : String.format(Locale.ROOT, "%.2f", r.ratio(threads)));
                }
            }
        }
        for (Run r : runs) {
            for (Cell c : r.cells().values()) {
                if (c.errors() > 0) {
                    System.out.printf(Locale.ROOT, "errors: %s %d ms, %d hash(es) x %d threads: %d failed requests,"
                            + " first: %s%n", r.key(), r.latencyMs(), c.hashes(), c.threads(), c.errors(), c.firstError());
                }
            }
        }
        Run target = runs.stream().filter(r -> r.key().equals("P-256") && r.latencyMs() == latencyMs && latencyMs > 0)
                .findFirst().orElse(null);
        String measured = target == null ? "not measured (needs --latency-ms > 0 and the P-256 key)"
                : String.format(Locale.ROOT, "measured %.2fx with %d ms (P-256) -> %s%s", target.ratio(8), latencyMs,
                        target.ratio(8) >= 5 ? "PASS" : "MISS", latencyMs == 20 ? "" : " (the target is for 20 ms)");
        System.out.println("Target: with 20 ms latency, 16 hashes/request at concurrency 8 >= 5x the signatures/s of 1 hash/request"
                + " at concurrency 8: " + measured);
    }

    private static SignatureAlgorithm algorithm(String keyName) {
        return keyName.startsWith("RSA") ? SignatureAlgorithm.RSA_PKCS1_SHA256 : SignatureAlgorithm.ECDSA_SHA256;
    }

    /** One signature per key verified with the JDK before measuring, so that the figures are of real signatures. */
    private static void check(AwsKmsBackend backend, KeyRef ref, SignatureAlgorithm alg) throws Exception {
        byte[] message = "sigil bench check".getBytes(StandardCharsets.UTF_8);
        byte[] digest = JdkVerifier.digest(alg, message);
        List<byte[]> sigs = backend.sign(ref, alg, List.of(digest, digest), CallContext.of("bench-check",
                Duration.ofSeconds(10)));
        KeyInfo key = backend.key(ref);
        for (byte[] s : sigs) {
            if (!JdkVerifier.verify(alg, key.publicKey(), message, s)) {
                throw new IllegalStateException("a " + alg + " signature of key " + ref + " does not verify");
            }
        }
    }

    private static List<byte[]> digests(SignatureAlgorithm alg, String prefix) throws Exception {
        List<byte[]> out = new ArrayList<>(DIGESTS);
        for (int i = 0; i < DIGESTS; i++) {
            out.add(JdkVerifier.digest(alg, (prefix + " document " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * Runs {@code threads} clients, each sending requests of {@code hashes} digests back to back,
     * for {@code warmup} then {@code seconds} seconds; counts the requests completed in the measured
     * window and their latencies.
     */
    static Cell measure(AwsKmsBackend backend, KeyRef ref, SignatureAlgorithm alg, List<byte[]> digests, int hashes,
                        int threads, double warmup, double seconds, FaultProxy proxy) throws Exception {
        List<List<byte[]>> batches = new ArrayList<>();
        for (int b = 0; b < DIGESTS / hashes; b++) {
            batches.add(List.copyOf(digests.subList(b * hashes, (b + 1) * hashes)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
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
                    List<byte[]> batch = batches.get(Math.floorMod(next.getAndIncrement(), batches.size()));
                    boolean ok;
                    try {
                        backend.sign(ref, alg, batch, CallContext.of("bench", CallContext.DEFAULT_TIMEOUT));
                        ok = true;
                    } catch (SigilException | RuntimeException e) {
                        ok = false;
                        if (System.nanoTime() >= from) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                        }
                    }
                    long end = System.nanoTime();
                    if (ok && end >= from && end <= to) {
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
        if (proxy != null) {
            proxy.resetCounts();
        }
        long[] cpu0 = cpu();
        long t0 = System.nanoTime();
        Thread.sleep(Math.max(0, (window[1] - System.nanoTime()) / 1_000_000));
        long[] cpu1 = cpu();
        double wall = (System.nanoTime() - t0) / 1e9;
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
        int cores = Runtime.getRuntime().availableProcessors();
        Cpu busy = new Cpu((cpu1[2] - cpu0[2]) / 1e9 / wall, (cpu1[3] - cpu0[3]) / (double) TICKS / wall,
                cpu1[1] == cpu0[1] ? Double.NaN : cores * (1 - (double) (cpu1[0] - cpu0[0]) / (cpu1[1] - cpu0[1])));
        return new Cell(hashes, threads, n, seconds, n == 0 ? Double.NaN : all[n / 2] / 1e6,
                n == 0 ? Double.NaN : all[Math.min(n - 1, (int) (n * 0.95))] / 1e6, errors.get(), firstError.get(), busy,
                proxy == null ? -1 : proxy.maxSignsInFlight());
    }

    /** Linux's USER_HZ: the unit of the CPU times in /proc. */
    private static final int TICKS = 100;

    /**
     * The machine's idle and total CPU ticks (/proc/stat), this JVM's CPU time in nanoseconds, and
     * local-kms's CPU ticks (/proc/PID/stat of this JVM's child process); 0 where unknown.
     */
    private static long[] cpu() {
        long[] out = new long[4];
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < f.length && i <= 8; i++) {
                out[1] += Long.parseLong(f[i]);
            }
            out[0] = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        } catch (Exception e) {
            // not Linux: the column says NaN
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out[2] = os.getProcessCpuTime();
        }
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            try {
                String stat = Files.readString(Path.of("/proc/" + child.pid() + "/stat"));
                // after "(comm)": state ppid ... utime (14th field) stime (15th)
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out[3] += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (Exception e) {
                // gone, or not Linux
            }
        }
        return out;
    }

    private static void progress(String s) {
        System.err.println("aws bench: " + s);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("AwsKmsBenchmark: " + problem + "\nusage: AwsKmsBenchmark [--latency-ms N (20; 0: direct only)]"
                + " [--seconds S (3)] [--warmup S (" + WARMUP_SECONDS + ")] [--keys p256|rsa|both] [--max-parallel N ("
                + AwsKmsSettings.DEFAULT_MAX_PARALLEL + ")] [--max-concurrent N (" + AwsKmsSettings.DEFAULT_MAX_CONCURRENT_CALLS
                + ")] [--keep-alive N (http.maxConnections)]");
        System.exit(2);
    }

    private AwsKmsBenchmark() {
    }
}
