package dev.sigil.backend.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake for fault injection only: an HTTP proxy on 127.0.0.1 between the SDK and local-kms that
 * passes requests through unchanged, unless told to throttle, refuse credentials or slow down the
 * calls of one KMS operation. It counts the requests per operation and the most {@code Sign} calls
 * it saw in flight at once. Used by backend-aws's tests (in front of {@link LocalKms}); a KMS
 * client reaches it at {@link #endpoint()}.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    /** How many of the next calls of {@link #faultOperation} get {@link #faultStatus}/{@link #faultCode}. */
    private final AtomicInteger faults = new AtomicInteger();
    private volatile String faultOperation = "Sign";
    private volatile int faultStatus = 400;
    private volatile String faultCode = "ThrottlingException";
    private volatile long signLatencyMs;

    public FaultProxy(URI target) throws IOException {
        this.target = target;
        // The JDK's HttpServer writes a response's headers and body in two segments: without
        // TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold the body back for about
        // 40 ms, which a latency test would measure as the key service's. Read when the first
        // server of the JVM starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next {@code n} calls of {@code operation} fail with this status and AWS error code (null: none). */
    public void fail(String operation, int n, int status, String awsCode) {
        faultOperation = operation;
        faultStatus = status;
        faultCode = awsCode;
        faults.set(n);
    }

    public void throttleSigns(int n) {
        fail("Sign", n, 400, "ThrottlingException");
    }

    public void refuseCredentials(String operation, int n) {
        fail(operation, n, 400, "UnrecognizedClientException");
    }

    public void clearFaults() {
        faults.set(0);
    }

    public void signLatency(long ms) {
        signLatencyMs = ms;
    }

    public int count(String operation) {
        AtomicInteger c = counts.get(operation);
        return c == null ? 0 : c.get();
    }

    public void resetCounts() {
        counts.clear();
        maxInFlight.set(0);
    }

    public int maxSignsInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String amzTarget = ex.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = amzTarget == null ? "" : amzTarget.substring(amzTarget.indexOf('.') + 1);
            counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            boolean sign = operation.equals("Sign");
            if (sign) {
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
            }
            try {
                if (operation.equals(faultOperation) && faults.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    String json = faultCode == null ? "{}" : "{\"__type\":\"" + faultCode
                            + "\",\"message\":\"injected by the test's fault proxy\"}";
                    send(ex, faultStatus, json.getBytes(StandardCharsets.UTF_8), "application/x-amz-json-1.1");
                    return;
                }
                if (sign && signLatencyMs > 0) {
                    Thread.sleep(signLatencyMs);
                }
                HttpRequest.Builder rb = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().getRawPath()))
                        .timeout(Duration.ofSeconds(30))
                        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                ex.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                        for (String v : values) {
                            rb.header(name, v);
                        }
                    }
                });
                HttpResponse<byte[]> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
                send(ex, r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse("application/x-amz-json-1.1"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ex, 502, new byte[0], "text/plain");
            } finally {
                if (sign) {
                    inFlight.decrementAndGet();
                }
            }
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, String contentType) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("x-amzn-RequestId", "fault-proxy");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
