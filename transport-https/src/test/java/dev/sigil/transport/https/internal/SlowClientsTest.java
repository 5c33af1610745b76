package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.signing.BackendStatus;
import dev.sigil.api.signing.SigningService;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Slow request bodies against the real server over real TLS, with the shipped limits: the attacker
 * (127.0.0.2) must not be able to starve another client (127.0.0.1), and every slow request must
 * end with a clear JSON error. Prints the latencies seen during the attack.
 */
class SlowClientsTest {
    @TempDir
    static Path dir;
    static TestTls tls;
    static SigilHttpServer server;
    static HttpClient normal;
    static String base;

    /** One healthy backend; nothing here signs. */
    static SigningService upSigning() {
        List<BackendStatus> one = List.of(new BackendStatus("default", BackendHealth.UP,
                EnumSet.of(SignatureAlgorithm.ECDSA_SHA256)));
        return new SigilHttpServerTest.FakeSigning(() -> one);
    }

    @BeforeAll
    static void start() throws Exception {
        tls = new TestTls(dir);
        // The shipped limits (conf/dev.sigil.transport.https.cfg), nothing lowered for the test.
        HttpsSettings settings = tls.settings(Map.of());
        server = new SigilHttpServer(settings, TestTls.PASSWORD.toCharArray(),
                HttpsServerComponent.routes(settings, upSigning(), new CscFakes.Sessions(), new CscFakes.Control(),
                        new CscFakes.Directory(), CscFakes.AUDIT));
        server.start();
        base = "https://localhost:" + server.port();
        normal = HttpClient.newBuilder().sslContext(tls.clientContext("TLS")).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Before each attack: the previous attacker's connections are gone on the server too, and the
     * normal client is connected (its first TLS handshake in a cold JVM is not what is measured).
     */
    @BeforeEach
    void quiet() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connectionsFrom(SlowClients.ATTACKER) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.connectionsFrom(SlowClients.ATTACKER), "the attacker's connections are counted down");
        assertEquals(200, timed("warm-up", HttpRequest.newBuilder(URI.create(base + "/health")).GET().build()).status());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stopQuietly();
        }
    }

    /** A normal client's call: status and milliseconds. */
    private record Timed(String what, int status, long millis) {
        @Override
        public String toString() {
            return what + " " + status + " in " + millis + " ms";
        }
    }

    private static Timed timed(String what, HttpRequest request) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = normal.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .get(30, TimeUnit.SECONDS);
        return new Timed(what, r.statusCode(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** A POST info and a GET health from the normal client, a few times while the attack goes on. */
    private static List<Timed> normalCallsDuring(Runnable trickle) throws Exception {
        List<Timed> calls = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            trickle.run();
            calls.add(timed("info", HttpRequest.newBuilder(URI.create(base + "/csc/v2/info"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build()));
            calls.add(timed("health", HttpRequest.newBuilder(URI.create(base + "/health")).GET().build()));
            Thread.sleep(250);
        }
        return calls;
    }

    private static void assertAnsweredWithinOneSecond(List<Timed> calls) {
        for (Timed c : calls) {
            assertEquals(200, c.status(), "during the attack: " + calls);
            assertTrue(c.millis() < 1000, "during the attack: " + calls);
        }
    }

    /** Every slow request ended with a JSON error naming the request, never a 5xx or a bare reset. */
    private static void assertEachEndedWithAClearError(List<SlowClients.Outcome> outcomes) throws Exception {
        for (SlowClients.Outcome o : outcomes) {
            assertTrue(o.status() == 408 || o.status() == 429, "each slow request ends with 408 or 429: " + o);
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(o.body());
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + o, e);
            }
            assertTrue(n.path("error").isTextual() && n.path("request_id").isTextual(), o.toString());
        }
    }

    private static String summary(List<SlowClients.Outcome> outcomes) {
        Map<String, Long> byEnd = outcomes.stream().collect(Collectors.groupingBy(
                o -> o.reset() != null ? "reset" : o.status() + " " + description(o.body()), TreeMap::new,
                Collectors.counting()));
        long slowest = outcomes.stream().mapToLong(SlowClients.Outcome::millis).max().orElse(0);
        return byEnd + ", the last after " + slowest + " ms";
    }

    private static String description(String body) {
        try {
            return Json.MAPPER.readTree(body).path("error_description").asText("?");
        } catch (java.io.IOException e) {
            return "(not JSON)";
        }
    }

    private static String figures(List<Timed> calls, String what) {
        return calls.stream().filter(c -> c.what().equals(what)).map(c -> c.status() + "/" + c.millis() + "ms")
                .collect(Collectors.joining(" "));
    }

    @Test
    void aHundredSlowBodiesOnOneHttp2ConnectionStarveNeitherInfoNorHealth() throws Exception {
        try (SlowClients.Http2 attack = new SlowClients.Http2(tls.clientContext("TLS"), server.port())) {
            attack.open(100, "/csc/v2/auth/login", 200);
            Thread.sleep(300);
            List<Timed> calls = normalCallsDuring(attack::trickle);
            System.out.println("FIGURE slow bodies, HTTP/2, 100 streams on one connection: info "
                    + figures(calls, "info") + "; health " + figures(calls, "health"));
            List<SlowClients.Outcome> outcomes = awaitAll(attack.outcomes, attack::trickle);
            System.out.println("FIGURE slow bodies, HTTP/2: the slow requests ended " + summary(outcomes));
            assertAnsweredWithinOneSecond(calls);
            assertEachEndedWithAClearError(outcomes);
        }
    }

    @Test
    void aHundredSlowBodiesOnRawHttp11ConnectionsStarveNeitherInfoNorHealth() throws Exception {
        List<SlowClients.Http11> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                sockets.add(new SlowClients.Http11(tls.clientContext("TLS"), server.port(), "/csc/v2/auth/login", 200));
            }
            Thread.sleep(300);
            Runnable trickle = () -> sockets.forEach(SlowClients.Http11::trickle);
            List<Timed> calls = normalCallsDuring(trickle);
            System.out.println("FIGURE slow bodies, HTTP/1.1, 100 connections: info "
                    + figures(calls, "info") + "; health " + figures(calls, "health"));
            List<CompletableFuture<SlowClients.Outcome>> answers = new ArrayList<>();
            for (SlowClients.Http11 s : sockets) {
                answers.add(CompletableFuture.supplyAsync(s::answer));
            }
            List<SlowClients.Outcome> outcomes = awaitAll(answers, trickle);
            System.out.println("FIGURE slow bodies, HTTP/1.1: the slow requests ended " + summary(outcomes));
            assertAnsweredWithinOneSecond(calls);
            assertEachEndedWithAClearError(outcomes);
        } finally {
            for (SlowClients.Http11 s : sockets) {
                s.close();
            }
        }
    }

    /**
     * A body that keeps above the minimum rate but would take longer than {@code body.timeout.ms}
     * in all is ended at that time (here 1 s; 2.4 kB/s against 1 kB/s for a 100 kB body).
     */
    @Test
    void aBodyFastEnoughButLongerThanTheTimeoutEndsAtTheTimeout() throws Exception {
        SigilHttpServer quick = new SigilHttpServer(tls.settings(Map.of("body.timeout.ms", 1000)),
                TestTls.PASSWORD.toCharArray(), HttpsServerComponent.routes(tls.settings(Map.of()), upSigning(),
                        new CscFakes.Sessions(), new CscFakes.Control(), new CscFakes.Directory(), CscFakes.AUDIT));
        quick.start();
        try (SlowClients.Http11 client = new SlowClients.Http11(tls.clientContext("TLS"), quick.port(),
                "/csc/v2/auth/login", 100_000)) {
            CompletableFuture<SlowClients.Outcome> answer = CompletableFuture.supplyAsync(client::answer);
            for (int i = 0; i < 40 && !answer.isDone(); i++) {
                client.send(600);
                Thread.sleep(250);
            }
            SlowClients.Outcome o = answer.get(10, TimeUnit.SECONDS);
            assertEquals(408, o.status(), o.toString());
            assertEquals("The request body did not arrive within 1000 ms", description(o.body()));
            assertTrue(o.millis() < 3000, o.toString());
        } finally {
            quick.stopQuietly();
        }
    }

    /** Waits up to 30 s for every slow request to end, the attacker trickling on meanwhile. */
    private static List<SlowClients.Outcome> awaitAll(List<CompletableFuture<SlowClients.Outcome>> futures,
                                                      Runnable trickle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
        while (!all.isDone() && System.nanoTime() < deadline) {
            trickle.run();
            try {
                all.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillGoing) {
                // once more
            }
        }
        long pending = futures.stream().filter(f -> !f.isDone()).count();
        assertEquals(0, pending, pending + " slow requests still open after 30 s");
        return futures.stream().map(CompletableFuture::join).collect(Collectors.toList());
    }
}
