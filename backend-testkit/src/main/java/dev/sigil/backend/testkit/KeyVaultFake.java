package dev.sigil.backend.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Azure Key Vault, faked in test code: an HTTPS server on the loopback that answers the part of the
 * Key Vault REST API that Sigil's backend uses, the way the Azure SDK for Java calls it, and the
 * part of Microsoft Entra ID's token endpoint that a client-secret credential uses. Keys are real
 * (RSA and EC key pairs made with the JDK; PSS through BouncyCastle), so signatures verify.
 *
 * <h2>What it follows</h2>
 * <ul>
 * <li>A request without a bearer token gets {@code 401} with the challenge
 *     {@code WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
 *     resource="https://vault.azure.net"} (Managed HSM: {@code https://managedhsm.azure.net}); a
 *     token the fake did not issue (nor {@link #TEST_TOKEN}) gets {@code 401} too.</li>
 * <li>{@code POST /keys/{name}/create}, {@code GET /keys/{name}[/{version}]}, {@code GET /keys}
 *     (paged with {@code maxresults} and a {@code nextLink}), {@code POST /keys/{name}/{version}/sign},
 *     each with an {@code api-version} query parameter among {@link #API_VERSIONS}; request bodies are
 *     JSON with only the documented fields (anything else is a {@link #violations() violation} and
 *     a {@code 400}).</li>
 * <li>Errors as Key Vault words them: {@code {"error":{"code":"...","message":"...",
 *     "innererror":{"code":"..."}}}} — 404 {@code KeyNotFound}, 403 {@code KeyDisabled} for a
 *     disabled key or one without the {@code sign} operation, 400 {@code BadParameter}.</li>
 * <li>Entra ID: {@code GET /{tenant}/v2.0/.well-known/openid-configuration} and
 *     {@code POST /{tenant}/oauth2/v2.0/token} ({@code client_credentials} with the configured
 *     client id and secret) on the same server: point a credential's authority host at
 *     {@link #authorityHost()}.</li>
 * </ul>
 *
 * <h2>Faults</h2>
 * The next {@code n} sign calls answered {@code 429} with a {@code Retry-After}
 * ({@link #throttleSigns}), {@code 403} as RBAC refuses ({@link #forbidSigns}), {@code 503}
 * ({@link #failSigns}) or with a signature one byte short ({@link #truncateSignatures}); latency
 * added to each sign ({@link #signLatency}); a deleted key's name kept as soft delete keeps it
 * ({@link #deleteKey}); every request recorded ({@link #requests()}, unless
 * {@link #recordRequests turned off}) and counted by operation ({@link #count}); the most sign calls
 * answered at once ({@link #maxSignsInFlight}).
 *
 * <p>Its TLS certificate names {@code localhost}, {@code 127.0.0.1} and the host it was started
 * for; {@link #clientSslContext()} and {@link #writeTrustStore} give what trusts it.
 */
public final class KeyVaultFake implements AutoCloseable {
    /** The tenant the challenge names. */
    public static final String TENANT = "72f988bf-0000-4000-8000-0000000000aa";
    /** A bearer token the fake always accepts, for a test credential. */
    public static final String TEST_TOKEN = "sigil-test-access-token";
    /** The Key Vault REST API versions the fake answers (the data plane's documented ones). */
    public static final Set<String> API_VERSIONS = Set.of("7.4", "7.5", "7.6", "2025-07-01");

    /** One request as the fake received it. */
    public record Request(String method, String path, Map<String, String> query, String body, boolean bearer) {
        /** Operation name: {@code challenge}, {@code create}, {@code get}, {@code list}, {@code sign}, {@code token}, {@code discovery}, ... */
        public String operation() {
            return classify(method, path, bearer);
        }

        /** The top-level field names of the JSON body (empty for none). */
        public Set<String> bodyFields() {
            if (body == null || body.isBlank()) {
                return Set.of();
            }
            try {
                Set<String> names = new TreeSet<>();
                JSON.readTree(body).fieldNames().forEachRemaining(names::add);
                return names;
            } catch (IOException e) {
                return Set.of("<not JSON>");
            }
        }

        @Override
        public String toString() {
            // A token request's secret is not printed (test logs are searched for secrets).
            String shown = body == null ? "" : body.replaceAll("(client_secret|client_assertion)=[^&]*", "$1=***");
            return method + " " + path + " " + query + (shown.isEmpty() ? "" : " " + shown);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern KEY_PATH = Pattern.compile("/keys/([0-9A-Za-z-]{1,127})(?:/([0-9a-f]{32})?)?(/sign|/create)?");
    private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern OIDC_PATH = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration");
    private static final Set<String> CREATE_FIELDS = Set.of("kty", "key_size", "crv", "key_ops", "attributes", "tags",
            "public_exponent", "release_policy");
    private static final Set<String> SIGN_FIELDS = Set.of("alg", "value");
    private static final Set<String> KTYS = Set.of("RSA", "RSA-HSM", "EC", "EC-HSM");
    private static final Set<String> OPS = Set.of("sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey",
            "import", "export");

    /** What to do just before the answer of the exchange this handler thread is on is sent. */
    private static final ThreadLocal<Runnable> BEFORE_ANSWER = new ThreadLocal<>();

    /** A key version. */
    private static final class Version {
        final String name;
        final String version;
        final String kty;
        final String crv;
        final KeyPair pair;
        final List<String> ops;
        final long created = Instant.now().getEpochSecond();
        volatile boolean enabled = true;

        Version(String name, String version, String kty, String crv, KeyPair pair, List<String> ops) {
            this.name = name;
            this.version = version;
            this.kty = kty;
            this.crv = crv;
            this.pair = pair;
            this.ops = ops;
        }
    }

    private final String host;
    private final boolean managedHsm;
    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "key-vault-fake");
        t.setDaemon(true);
        return t;
    });
    private final X509Certificate certificate;
    private final SSLContext clientSsl;
    /** Versions by key name, oldest first. */
    private final Map<String, List<Version>> keys = new ConcurrentHashMap<>();
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile boolean recording = true;
    private final AtomicInteger throttles = new AtomicInteger();
    private final AtomicInteger forbids = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger truncated = new AtomicInteger();
    private final AtomicInteger tokenFailures = new AtomicInteger();
    private volatile int tokenFailureStatus = 503;
    private volatile boolean listingForbidden;
    private final Map<String, String> substitutes = new ConcurrentHashMap<>();
    private final AtomicInteger signsInFlight = new AtomicInteger();
    private final AtomicInteger maxSignsInFlight = new AtomicInteger();
    private volatile Duration retryAfter = Duration.ofSeconds(1);
    private volatile long signLatencyMs;
    private volatile int listPageSize = 25;
    private volatile String clientId;
    private volatile String clientSecret;

    private KeyVaultFake(String host, boolean managedHsm) throws Exception {
        this.host = host;
        this.managedHsm = managedHsm;
        // The JDK's HttpServer sends headers and body in two segments; without TCP_NODELAY, Nagle
        // and the client's delayed ACK add ~40 ms to each answer (read when the first server starts).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        KeyPair tlsKey = generate("EC", "P-256");
        this.certificate = selfSigned(tlsKey, host);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("tls", tlsKey.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext serverSsl = SSLContext.getInstance("TLS");
        serverSsl.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("key-vault-fake", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        this.clientSsl = SSLContext.getInstance("TLS");
        clientSsl.init(null, tmf.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setHttpsConfigurator(new HttpsConfigurator(serverSsl));
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A Key Vault fake at {@code https://localhost:<port>/}. */
    public static KeyVaultFake start() throws Exception {
        return new KeyVaultFake("localhost", false);
    }

    /**
     * A fake for a given host name (which the client must resolve to the loopback, e.g. with the
     * JDK's {@code jdk.net.hosts.file}): {@code *.vault.azure.net} passes the SDK's check of the
     * challenge's resource; {@code *.managedhsm.azure.net} makes it a Managed HSM.
     */
    public static KeyVaultFake start(String host) throws Exception {
        return new KeyVaultFake(host, host.toLowerCase(Locale.ROOT).contains(".managedhsm."));
    }

    /** {@code https://<host>:<port>/}. */
    public String vaultUrl() {
        return "https://" + host + ":" + server.getAddress().getPort() + "/";
    }

    /** Where the fake's Entra ID token endpoint is: a credential's authority host. */
    public String authorityHost() {
        return vaultUrl();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** An SSL context that trusts the fake's certificate (and nothing else). */
    public SSLContext clientSslContext() {
        return clientSsl;
    }

    /** Writes a PKCS#12 trust store with the fake's certificate (password {@code changeit}) for another JVM. */
    public Path writeTrustStore(Path file) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("key-vault-fake", certificate);
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, "changeit".toCharArray());
        }
        return file;
    }

    /** The client id and secret the token endpoint accepts ({@code client_credentials}). */
    public void acceptClientSecret(String id, String secret) {
        this.clientId = id;
        this.clientSecret = secret;
    }

    // ----- keys, as an administrator would set them up -----

    /**
     * Creates a key (a first or a new version) directly, as the portal would.
     *
     * @param kty  RSA, RSA-HSM, EC or EC-HSM
     * @param size RSA bits, or the EC curve's bits (256, 384, 521)
     * @param ops  the key operations; empty for Key Vault's default (all the key type allows)
     * @return the new version
     */
    public String createKey(String name, String kty, int size, String... ops) throws Exception {
        String crv = kty.startsWith("EC") ? "P-" + size : null;
        return add(name, kty, kty.startsWith("RSA") ? size : 0, crv, ops.length == 0 ? null : List.of(ops)).version;
    }

    /** Enables or disables one version (null: every version) of a key. */
    public void setEnabled(String name, String version, boolean enabled) {
        for (Version v : keys.getOrDefault(name, List.of())) {
            if (version == null || v.version.equals(version)) {
                v.enabled = enabled;
            }
        }
    }

    /**
     * Deletes a key (all versions). As in a vault with soft delete (which Azure no longer lets one
     * turn off), its name stays taken: creating a key of that name is a 409 Conflict.
     */
    public void deleteKey(String name) {
        keys.remove(name);
        deleted.add(name);
    }

    /** The current version of a key, or null. */
    public String currentVersion(String name) {
        List<Version> vs = keys.get(name);
        return vs == null || vs.isEmpty() ? null : vs.get(vs.size() - 1).version;
    }

    /** The public key of a key version. */
    public java.security.PublicKey publicKey(String name, String version) {
        Version v = find(name, version);
        return v == null ? null : v.pair.getPublic();
    }

    /** Keys per page of a listing without {@code maxresults} (Key Vault's is 25), to make paging visible. */
    public void listPageSize(int n) {
        listPageSize = n;
    }

    // ----- faults -----

    /** The next {@code n} sign calls get 429 Throttled with this Retry-After. */
    public void throttleSigns(int n, Duration retryAfter) {
        this.retryAfter = retryAfter;
        throttles.set(n);
    }

    /** The next {@code n} sign calls get 403 as RBAC refuses a caller without the sign action. */
    public void forbidSigns(int n) {
        forbids.set(n);
    }

    /** The next {@code n} sign calls are answered 200 with a signature one byte short (a broken or hostile vault). */
    public void truncateSignatures(int n) {
        truncated.set(n);
    }

    /**
     * A hostile or broken vault: a read of key {@code asked} is answered with the current version
     * of key {@code answered} (null: stop).
     */
    public void answerReadsOf(String asked, String answered) {
        if (answered == null) {
            substitutes.remove(asked);
        } else {
            substitutes.put(asked, answered);
        }
    }

    /** The next {@code n} token requests get this status from "Entra ID" (429, 503...). */
    public void failTokens(int n, int status) {
        tokenFailureStatus = status;
        tokenFailures.set(n);
    }

    /** Whether listing the vault's keys is refused (403), as for an identity allowed only to get and sign. */
    public void forbidListing(boolean forbid) {
        listingForbidden = forbid;
    }

    /** The next {@code n} sign calls get 503 ServiceUnavailable. */
    public void failSigns(int n) {
        unavailable.set(n);
    }

    /** Sign calls being answered now (as {@link #maxSignsInFlight} counts them). */
    public int signsInFlight() {
        return signsInFlight.get();
    }

    /**
     * The most sign calls (with a valid token) the fake was answering at once, from the request
     * read to its answer being sent, latency included, since it started or {@link #resetRequests()}.
     */
    public int maxSignsInFlight() {
        return maxSignsInFlight.get();
    }

    /** Added to each sign call before it is answered (a slow vault, or a distant one). */
    public void signLatency(Duration latency) {
        signLatencyMs = latency.toMillis();
    }

    public void clearFaults() {
        throttles.set(0);
        forbids.set(0);
        unavailable.set(0);
        truncated.set(0);
        tokenFailures.set(0);
        listingForbidden = false;
        substitutes.clear();
        signLatencyMs = 0;
    }

    /** How many requests of an operation ({@link Request#operation()}) the fake answered. */
    public int count(String operation) {
        AtomicInteger c = counts.get(operation);
        return c == null ? 0 : c.get();
    }

    /** Every request received, in order of arrival (since recording was last turned on). */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /**
     * Whether requests are kept for {@link #requests()} (on by default). Off, they are still
     * counted ({@link #count}) and checked (violations), but not kept: a benchmark's millions of
     * requests would fill the memory.
     */
    public void recordRequests(boolean on) {
        recording = on;
    }

    /** Forgets the recorded requests, the counts and the most sign calls seen in flight. */
    public void resetRequests() {
        requests.clear();
        counts.clear();
        maxSignsInFlight.set(0);
    }

    /** Requests that left the documented API (unknown api-version, fields, paths); empty if none. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    // ----- the server -----

    private static String classify(String method, String path, boolean bearer) {
        if (TOKEN_PATH.matcher(path).matches()) {
            return "token";
        }
        if (OIDC_PATH.matcher(path).matches() || path.startsWith("/common/discovery")) {
            return "discovery";
        }
        if (!bearer && (path.equals("/keys") || path.startsWith("/keys/"))) {
            return "challenge";
        }
        if (path.equals("/keys") && method.equals("GET")) {
            return "list";
        }
        Matcher m = KEY_PATH.matcher(path);
        if (m.matches()) {
            if ("/sign".equals(m.group(3)) && method.equals("POST")) {
                return "sign";
            }
            if ("/create".equals(m.group(3)) && method.equals("POST")) {
                return "create";
            }
            if (m.group(3) == null && method.equals("GET")) {
                return "get";
            }
            if (m.group(3) == null && method.equals("PATCH")) {
                return "update";
            }
        }
        return "other";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean bearer = auth != null && auth.startsWith("Bearer ");
            Request request = new Request(method, path, query, body, bearer);
            if (recording) {
                requests.add(request);
            }
            String op = request.operation();
            counts.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
            try {
                switch (op) {
                    case "token" -> token(ex, body);
                    case "discovery" -> discovery(ex, path);
                    case "challenge" -> challenge(ex, "Request is missing a Bearer or PoP token.");
                    case "other" -> {
                        violations.add(request + ": not a path of the Key Vault or token API this fake knows");
                        send(ex, 404, error("NotFound", "fake: no such path"));
                    }
                    default -> keyVault(ex, op, request, auth.substring("Bearer ".length()));
                }
            } catch (IOException e) {
                // The client went away (it gave up on a slow answer): nothing to answer.
            } catch (RuntimeException e) {
                violations.add(request + ": " + e);
                send(ex, 500, error("InternalError", "fake: " + e));
            }
        }
    }

    private void keyVault(HttpExchange ex, String op, Request r, String token) throws IOException {
        if (!TEST_TOKEN.equals(token) && !issuedTokens.contains(token)) {
            challenge(ex, "AKV10032: Invalid issuer.");
            return;
        }
        String apiVersion = r.query().get("api-version");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            violation(ex, r, "api-version '" + apiVersion + "' is not one of " + API_VERSIONS);
            return;
        }
        switch (op) {
            case "list" -> list(ex, r);
            case "get" -> get(ex, r);
            case "create" -> create(ex, r);
            case "sign" -> {
                maxSignsInFlight.accumulateAndGet(signsInFlight.incrementAndGet(), Math::max);
                BEFORE_ANSWER.set(signsInFlight::decrementAndGet);
                try {
                    sign(ex, r);
                } finally {
                    beforeAnswer();
                }
            }
            default -> violation(ex, r, "not an operation of the Key Vault API this fake knows");
        }
    }

    private void challenge(HttpExchange ex, String message) throws IOException {
        String resource = managedHsm ? "https://managedhsm.azure.net" : "https://vault.azure.net";
        ex.getResponseHeaders().add("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/"
                + TENANT + "\", resource=\"" + resource + "\"");
        send(ex, 401, error("Unauthorized", message));
    }

    private void violation(HttpExchange ex, Request r, String why) throws IOException {
        violations.add(r + ": " + why);
        send(ex, 400, error("BadParameter", "fake: " + why));
    }

    private void list(HttpExchange ex, Request r) throws IOException {
        if (listingForbidden) {
            send(ex, 403, error("Forbidden", "The user, group or application 'appid=...' does not have keys list "
                    + "permission on key vault 'sigil-test'.", "AccessDenied"));
            return;
        }
        Set<String> allowed = Set.of("api-version", "maxresults", "$skiptoken");
        if (!allowed.containsAll(r.query().keySet())) {
            violation(ex, r, "query " + r.query().keySet() + " has more than " + allowed);
            return;
        }
        int max = listPageSize;
        if (r.query().containsKey("maxresults")) {
            max = Integer.parseInt(r.query().get("maxresults"));
            if (max < 1 || max > 25) {
                send(ex, 400, error("BadParameter", "maxresults must be between 1 and 25"));
                return;
            }
        }
        List<String> names = new ArrayList<>(new TreeSet<>(keys.keySet()));
        int from = r.query().containsKey("$skiptoken") ? Integer.parseInt(r.query().get("$skiptoken")) : 0;
        ObjectNode out = JSON.createObjectNode();
        ArrayNode value = out.putArray("value");
        int to = Math.min(names.size(), from + max);
        for (int i = from; i < to; i++) {
            Version v = latest(names.get(i));
            if (v == null) {
                continue;
            }
            ObjectNode item = value.addObject();
            item.put("kid", vaultUrl() + "keys/" + v.name);
            item.set("attributes", attributes(v));
            item.putObject("tags");
        }
        if (to < names.size()) {
            out.put("nextLink", vaultUrl() + "keys?api-version=" + r.query().get("api-version") + "&$skiptoken=" + to
                    + "&maxresults=" + max);
        } else {
            out.putNull("nextLink");
        }
        send(ex, 200, out);
    }

    private void get(HttpExchange ex, Request r) throws IOException {
        if (!r.body().isEmpty() || r.query().size() != 1) {
            violation(ex, r, "a GET of a key has no body and only api-version");
            return;
        }
        Matcher m = KEY_PATH.matcher(r.path());
        m.matches();
        String substitute = substitutes.get(m.group(1));
        Version v = substitute != null ? latest(substitute) : find(m.group(1), m.group(2));
        if (v == null) {
            notFound(ex, m.group(1));
            return;
        }
        send(ex, 200, bundle(v));
    }

    private void create(HttpExchange ex, Request r) throws IOException {
        Matcher m = KEY_PATH.matcher(r.path());
        m.matches();
        if (m.group(2) != null) {
            violation(ex, r, "create takes no version");
            return;
        }
        if (deleted.contains(m.group(1))) {
            send(ex, 409, error("Conflict", "Key " + m.group(1) + " is currently in a deleted but recoverable state, "
                    + "and its name cannot be reused; in this state, the key can only be recovered or purged."));
            return;
        }
        JsonNode body = JSON.readTree(r.body());
        Set<String> fields = r.bodyFields();
        if (!CREATE_FIELDS.containsAll(fields) || !fields.contains("kty")) {
            violation(ex, r, "create fields " + fields + " are not within " + CREATE_FIELDS + " or lack kty");
            return;
        }
        String kty = body.path("kty").asText();
        if (!KTYS.contains(kty)) {
            send(ex, 400, error("BadParameter", "Invalid parameter: kty."));
            return;
        }
        if (managedHsm && !kty.endsWith("-HSM")) {
            send(ex, 400, error("BadParameter", "Managed HSM keys are HSM keys: kty must be RSA-HSM or EC-HSM."));
            return;
        }
        List<String> ops = null;
        if (body.has("key_ops")) {
            ops = new ArrayList<>();
            for (JsonNode op : body.path("key_ops")) {
                if (!OPS.contains(op.asText())) {
                    violation(ex, r, "key operation " + op);
                    return;
                }
                ops.add(op.asText());
            }
        }
        if (body.has("attributes") && !Set.of("enabled", "nbf", "exp", "exportable").containsAll(names(body.path("attributes")))) {
            violation(ex, r, "attributes " + names(body.path("attributes")));
            return;
        }
        Version v;
        try {
            if (kty.startsWith("RSA")) {
                int size = body.path("key_size").asInt(2048);
                if (size != 2048 && size != 3072 && size != 4096 || body.has("crv")) {
                    send(ex, 400, error("BadParameter", "Invalid parameter: key_size."));
                    return;
                }
                v = add(m.group(1), kty, size, null, ops);
            } else {
                String crv = body.path("crv").asText("P-256");
                if (!Set.of("P-256", "P-384", "P-521").contains(crv) || body.has("key_size")) {
                    send(ex, 400, error("BadParameter", "Invalid parameter: crv."));
                    return;
                }
                v = add(m.group(1), kty, 0, crv, ops);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (body.path("attributes").path("enabled").isBoolean()) {
            v.enabled = body.path("attributes").path("enabled").asBoolean();
        }
        send(ex, 200, bundle(v));
    }

    private void sign(HttpExchange ex, Request r) throws IOException {
        Matcher m = KEY_PATH.matcher(r.path());
        m.matches();
        if (m.group(2) == null) {
            // The SDK always signs with a version's full identifier.
            violation(ex, r, "sign without a key version");
            return;
        }
        Set<String> fields = r.bodyFields();
        if (!fields.equals(SIGN_FIELDS) || r.query().size() != 1) {
            violation(ex, r, "sign fields " + fields + " are not " + SIGN_FIELDS);
            return;
        }
        long latency = signLatencyMs;
        if (latency > 0) {
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (unavailable.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            send(ex, 503, error("ServiceUnavailable", "The service is temporarily unavailable."));
            return;
        }
        if (throttles.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            ex.getResponseHeaders().add("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
            send(ex, 429, error("Throttled", "Request was not processed because too many requests were received. "
                    + "Reason: VaultRequestTypeLimitReached"));
            return;
        }
        if (forbids.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            send(ex, 403, error("Forbidden", "Caller is not authorized to perform action on resource.\r\n"
                    + "Action: 'Microsoft.KeyVault/vaults/keys/sign/action'", "ForbiddenByRbac"));
            return;
        }
        Version v = find(m.group(1), m.group(2));
        if (v == null) {
            notFound(ex, m.group(1));
            return;
        }
        if (!v.enabled) {
            send(ex, 403, error("Forbidden", "Operation sign is not allowed on a disabled key.", "KeyDisabled"));
            return;
        }
        if (v.ops != null && !v.ops.contains("sign")) {
            send(ex, 403, error("Forbidden", "Operation sign is not permitted on this key.", "KeyOperationForbidden"));
            return;
        }
        JsonNode body = JSON.readTree(r.body());
        String alg = body.path("alg").asText();
        byte[] digest;
        try {
            digest = Base64.getUrlDecoder().decode(body.path("value").asText());
        } catch (IllegalArgumentException e) {
            violation(ex, r, "value is not base64url");
            return;
        }
        byte[] signature;
        try {
            signature = signDigest(v, alg, digest);
        } catch (IllegalArgumentException e) {
            send(ex, 400, error("BadParameter", e.getMessage()));
            return;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (truncated.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            signature = java.util.Arrays.copyOf(signature, signature.length - 1);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("kid", vaultUrl() + "keys/" + v.name + "/" + v.version);
        out.put("value", Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
        send(ex, 200, out);
    }

    private static byte[] signDigest(Version v, String alg, byte[] digest) throws Exception {
        if (alg.length() != 5 || !Set.of("RS", "PS", "ES").contains(alg.substring(0, 2))
                || !Set.of("256", "384", "512").contains(alg.substring(2))) {
            throw new IllegalArgumentException("Invalid parameter: alg.");
        }
        int hashBits = Integer.parseInt(alg.substring(2));
        String family = alg.substring(0, 2);
        boolean rsaKey = v.kty.startsWith("RSA");
        if (rsaKey != !family.equals("ES")) {
            throw new IllegalArgumentException("Key and signing algorithm are incompatible.");
        }
        if (family.equals("ES") && !v.crv.equals(switch (hashBits) {
            case 256 -> "P-256";
            case 384 -> "P-384";
            default -> "P-521";
        })) {
            throw new IllegalArgumentException("Key and signing algorithm are incompatible.");
        }
        if (digest.length != hashBits / 8) {
            throw new IllegalArgumentException("Invalid length of the digest for " + alg + ".");
        }
        String hash = "SHA-" + hashBits;
        switch (family) {
            case "RS": {
                Signature s = Signature.getInstance("NONEwithRSA");
                s.initSign(v.pair.getPrivate());
                s.update(digestInfo(hashBits, digest));
                return s.sign();
            }
            case "PS": {
                Signature s = Signature.getInstance("RAWRSASSA-PSS", BC);
                s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), hashBits / 8, 1));
                s.initSign(v.pair.getPrivate());
                s.update(digest);
                return s.sign();
            }
            default: {
                Signature s = Signature.getInstance("NONEwithECDSAinP1363Format");
                s.initSign(v.pair.getPrivate());
                s.update(digest);
                return s.sign();
            }
        }
    }

    /** The DER DigestInfo prefix of PKCS#1 v1.5 for SHA-256/384/512, followed by the digest. */
    private static byte[] digestInfo(int hashBits, byte[] digest) {
        String prefix = switch (hashBits) {
            case 256 -> "3031300d060960864801650304020105000420";
            case 384 -> "3041300d060960864801650304020205000430";
            default -> "3051300d060960864801650304020305000440";
        };
        byte[] p = HexFormat.of().parseHex(prefix);
        byte[] out = new byte[p.length + digest.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(digest, 0, out, p.length, digest.length);
        return out;
    }

    private void token(HttpExchange ex, String body) throws IOException {
        Map<String, String> form = query(body);
        String id = clientId;
        String secret = clientSecret;
        if (!"POST".equals(ex.getRequestMethod()) || !"client_credentials".equals(form.get("grant_type"))
                || form.get("scope") == null
                || java.util.Arrays.stream(form.get("scope").split(" ")).noneMatch(x -> x.endsWith("/.default"))) {
            send(ex, 400, oauthError("invalid_request", "AADSTS900144: a client_credentials request with a scope is expected."));
            return;
        }
        if (tokenFailures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            if (tokenFailureStatus == 429) {
                ex.getResponseHeaders().add("Retry-After", "1");
            }
            send(ex, tokenFailureStatus, oauthError(tokenFailureStatus == 429 ? "temporarily_unavailable" : "server_error",
                    "AADSTS50196: the server is busy or failed; try again."));
            return;
        }
        if (id == null || !id.equals(form.get("client_id")) || secret == null || !secret.equals(form.get("client_secret"))) {
            send(ex, 401, oauthError("invalid_client", "AADSTS7000215: Invalid client secret provided."));
            return;
        }
        String token = "fake-" + HexFormat.of().formatHex(RANDOM.generateSeed(16));
        issuedTokens.add(token);
        ObjectNode out = JSON.createObjectNode();
        out.put("token_type", "Bearer");
        out.put("expires_in", 3599);
        out.put("ext_expires_in", 3599);
        out.put("access_token", token);
        send(ex, 200, out);
    }

    private void discovery(HttpExchange ex, String path) throws IOException {
        Matcher m = OIDC_PATH.matcher(path);
        if (!m.matches()) {
            send(ex, 404, oauthError("invalid_request", "instance discovery is not served by the fake"));
            return;
        }
        String base = vaultUrl() + m.group(1);
        ObjectNode out = JSON.createObjectNode();
        out.put("issuer", "https://login.microsoftonline.com/" + m.group(1) + "/v2.0");
        out.put("token_endpoint", base + "/oauth2/v2.0/token");
        out.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        out.put("jwks_uri", base + "/discovery/v2.0/keys");
        out.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt");
        send(ex, 200, out);
    }

    private Version add(String name, String kty, int rsaBits, String crv, List<String> ops) throws Exception {
        KeyPair pair = kty.startsWith("RSA") ? generateRsa(rsaBits) : generate("EC", crv);
        String version = HexFormat.of().formatHex(RANDOM.generateSeed(16));
        Version v = new Version(name, version, kty, crv, pair, ops);
        keys.compute(name, (k, list) -> {
            List<Version> out = list == null ? new CopyOnWriteArrayList<>() : list;
            out.add(v);
            return out;
        });
        return v;
    }

    private Version latest(String name) {
        List<Version> vs = keys.get(name);
        return vs == null || vs.isEmpty() ? null : vs.get(vs.size() - 1);
    }

    private Version find(String name, String version) {
        if (version == null) {
            return latest(name);
        }
        for (Version v : keys.getOrDefault(name, List.of())) {
            if (v.version.equals(version)) {
                return v;
            }
        }
        return null;
    }

    private ObjectNode bundle(Version v) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode key = out.putObject("key");
        key.put("kid", vaultUrl() + "keys/" + v.name + "/" + v.version);
        key.put("kty", v.kty);
        ArrayNode ops = key.putArray("key_ops");
        for (String op : v.ops != null ? v.ops
                : v.kty.startsWith("RSA") ? List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey")
                : List.of("sign", "verify")) {
            ops.add(op);
        }
        if (v.pair.getPublic() instanceof RSAPublicKey rsa) {
            key.put("n", b64(unsigned(rsa.getModulus(), (rsa.getModulus().bitLength() + 7) / 8)));
            key.put("e", b64(unsigned(rsa.getPublicExponent(), (rsa.getPublicExponent().bitLength() + 7) / 8)));
        } else {
            ECPublicKey ec = (ECPublicKey) v.pair.getPublic();
            int len = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            key.put("crv", v.crv);
            key.put("x", b64(unsigned(ec.getW().getAffineX(), len)));
            key.put("y", b64(unsigned(ec.getW().getAffineY(), len)));
        }
        out.set("attributes", attributes(v));
        out.putObject("tags");
        return out;
    }

    private ObjectNode attributes(Version v) {
        ObjectNode a = JSON.createObjectNode();
        a.put("enabled", v.enabled);
        a.put("created", v.created);
        a.put("updated", v.created);
        a.put("recoveryLevel", "Recoverable+Purgeable");
        a.put("recoverableDays", 90);
        a.put("exportable", false);
        return a;
    }

    private void notFound(HttpExchange ex, String name) throws IOException {
        send(ex, 404, error("KeyNotFound", "A key with (name/id) " + name + " was not found in this key vault. "
                + "If you recently deleted this key you may be able to recover it using the correct recovery command."));
    }

    private static ObjectNode error(String code, String message) {
        return error(code, message, null);
    }

    private static ObjectNode error(String code, String message, String inner) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode e = out.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (inner != null) {
            e.putObject("innererror").put("code", inner);
        }
        return out;
    }

    private static ObjectNode oauthError(String error, String description) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", error);
        out.put("error_description", description);
        return out;
    }

    /**
     * Runs (once) what {@link #BEFORE_ANSWER} holds for this thread's exchange: a sign call stops
     * counting as in flight before its answer leaves, not after (when the client may already have
     * sent its next one).
     */
    private static void beforeAnswer() {
        Runnable r = BEFORE_ANSWER.get();
        if (r != null) {
            BEFORE_ANSWER.remove();
            r.run();
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        beforeAnswer();
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().add("x-ms-request-id", java.util.UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Set<String> names(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unsigned(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(b.length, len);
        System.arraycopy(b, b.length - n, out, len - n, n);
        return out;
    }

    private static KeyPair generateRsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    private static KeyPair generate(String type, String crv) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(type);
        g.initialize(new ECGenParameterSpec("secp" + crv.substring(2) + "r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair key, String host) throws Exception {
        X500Name name = new X500Name("CN=" + host);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(2))), name, key.getPublic());
        List<GeneralName> sans = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        if (!host.equals("localhost")) {
            sans.add(new GeneralName(GeneralName.dNSName, host));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    /** For messages: the fake's keys and their versions. */
    @Override
    public String toString() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        keys.forEach((k, vs) -> out.put(k, vs.stream().map(v -> v.version + (v.enabled ? "" : " (disabled)")).toList()));
        return "KeyVaultFake " + vaultUrl() + " " + out;
    }
}
