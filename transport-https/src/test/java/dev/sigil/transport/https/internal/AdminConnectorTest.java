package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.admin.AdminService;
import dev.sigil.api.admin.AuditRecord;
import dev.sigil.api.admin.CredentialRequest;
import dev.sigil.api.admin.CredentialSummary;
import dev.sigil.api.admin.NewCredential;
import dev.sigil.api.admin.TotpEnrollment;
import dev.sigil.api.admin.UserSummary;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API on its own connector, over real TLS: bound to 127.0.0.1 only, absent from the public
 * port, and every failed admin authentication audited and limited.
 */
class AdminConnectorTest {
    static final String TOKEN = "the-admin-token-0123456789abcdefghijklmnop";
    @TempDir
    static Path dir;
    static TestTls tls;
    static SigilHttpServer server;
    static HttpClient client;
    static final AtomicLong NOW = new AtomicLong(1_000_000);
    static final CscFakes.Audit AUDIT = new CscFakes.Audit();

    /** Lists one user; nothing else is reached here. */
    static final class OneUser implements AdminService {
        private static SigilException none() {
            return new SigilException(ErrorCode.UNSUPPORTED_OPERATION, "not in this test");
        }

        @Override
        public List<UserSummary> users() {
            return List.of(new UserSummary("alice", "Alice", true, Set.of("PASSWORD"), 0));
        }

        @Override
        public void addUser(String userId, String displayName, char[] password) throws SigilException {
            throw none();
        }

        @Override
        public void setUserEnabled(String userId, boolean enabled) throws SigilException {
            throw none();
        }

        @Override
        public void setPassword(String userId, char[] password) throws SigilException {
            throw none();
        }

        @Override
        public TotpEnrollment enrollTotp(String userId, String issuer) throws SigilException {
            throw none();
        }

        @Override
        public NewCredential createCredential(CredentialRequest request) throws SigilException {
            throw none();
        }

        @Override
        public void importCertificate(String credentialId, List<X509Certificate> chain) throws SigilException {
            throw none();
        }

        @Override
        public void setCredentialEnabled(String credentialId, boolean enabled) throws SigilException {
            throw none();
        }

        @Override
        public List<CredentialSummary> credentials(Optional<String> userId) throws SigilException {
            throw none();
        }

        @Override
        public boolean unblockPin(String credentialId) throws SigilException {
            throw none();
        }

        @Override
        public Optional<String> verifyAudit() throws SigilException {
            throw none();
        }

        @Override
        public String signedAuditHead() throws SigilException {
            throw none();
        }

        @Override
        public long auditSize() throws SigilException {
            throw none();
        }

        @Override
        public List<AuditRecord> audit(long afterSeq, int max) throws SigilException {
            throw none();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        tls = new TestTls(dir);
        Path tokenFile = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        HttpsSettings settings = tls.settings(Map.of("admin.token.file", tokenFile.toString()));
        SigilHttpServer.Routes routes = HttpsServerComponent.routes(settings, SlowClientsTest.upSigning(),
                new CscFakes.Sessions(), new CscFakes.Control(), new CscFakes.Directory(), CscFakes.AUDIT);
        AdminEndpoints admin = new AdminEndpoints(new OneUser(), TOKEN.getBytes(StandardCharsets.UTF_8), AUDIT, NOW::get);
        server = new SigilHttpServer(settings, TestTls.PASSWORD.toCharArray(), routes.withAdmin(admin.addTo(new Router())));
        server.start();
        client = HttpClient.newBuilder().sslContext(tls.clientContext("TLS")).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stopQuietly();
        }
    }

    @BeforeEach
    void later() {
        // Each test starts well after the previous one's lock.
        NOW.addAndGet(3_600_000);
        AUDIT.records.clear();
    }

    private static HttpResponse<String> listUsers(int port, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/admin/v1/users/list"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminApiIsOnItsOwnLoopbackConnectorAndNotOnThePublicOne() throws Exception {
        assertNotEquals(server.port(), server.adminPort());
        HttpResponse<String> admin = listUsers(server.adminPort(), TOKEN);
        assertEquals(200, admin.statusCode(), admin.body());
        assertTrue(admin.body().contains("\"userId\":\"alice\""), admin.body());
        HttpResponse<String> pub = listUsers(server.port(), TOKEN);
        assertEquals(404, pub.statusCode(), "the public port has no admin routes: " + pub.body());
        HttpResponse<String> csc = client.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + server.adminPort() + "/csc/v2/info")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, csc.statusCode(), "the admin port has no CSC routes: " + csc.body());
        // Bound to 127.0.0.1 itself, not to every address: another loopback address is refused.
        assertThrows(IOException.class, () -> new Socket(InetAddress.getByName("127.0.0.2"), server.adminPort()).close());
    }

    /** What sigil-admin pins: the SHA-256 of the certificate the server presents. */
    @Test
    void theServerNamesItsCertificateByItsSha256() throws Exception {
        assertEquals(List.of(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(tls.certificate.getEncoded()))),
                server.certificateSha256());
        Path file = dir.resolve("run/admin.endpoint");
        HttpsServerComponent.writeAdminEndpoint(file, "https://127.0.0.1:1234/", server.certificateSha256());
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertEquals("https://127.0.0.1:1234/", p.getProperty("url"));
        assertEquals(server.certificateSha256().get(0), p.getProperty("certificate.sha256"));
    }

    @Test
    void failedAdminAuthenticationsAreAuditedAndLockTheAdminApiForAWhile() throws Exception {
        assertEquals(401, listUsers(server.adminPort(), null).statusCode());
        for (int i = 1; i < AdminEndpoints.MAX_FAILURES; i++) {
            HttpResponse<String> r = listUsers(server.adminPort(), "guess-" + i);
            assertEquals(401, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"error\":\"invalid_token\""), r.body());
        }
        assertEquals(AdminEndpoints.MAX_FAILURES, AUDIT.records.size(), AUDIT.records.toString());
        assertEquals("admin.users/list null Invalid admin token", AUDIT.records.get(0));

        // Locked: even the right token is refused, without being compared.
        HttpResponse<String> locked = listUsers(server.adminPort(), TOKEN);
        assertEquals(429, locked.statusCode(), locked.body());
        assertEquals(Integer.toString(AdminEndpoints.LOCK_SECONDS), locked.headers().firstValue("Retry-After").orElse(""));
        assertTrue(AUDIT.records.get(AUDIT.records.size() - 1).startsWith("admin.users/list null Too many invalid admin tokens"),
                AUDIT.records.toString());

        NOW.addAndGet(AdminEndpoints.LOCK_SECONDS * 1000L - 1000);
        assertEquals(429, listUsers(server.adminPort(), TOKEN).statusCode(), "still locked a second before the end");
        NOW.addAndGet(1000);
        assertEquals(200, listUsers(server.adminPort(), TOKEN).statusCode(), "the lock ends");
    }

    @Test
    void failuresSpreadWiderThanTheWindowDoNotLock() throws Exception {
        for (int i = 0; i < 2 * AdminEndpoints.MAX_FAILURES; i++) {
            assertEquals(401, listUsers(server.adminPort(), "guess").statusCode());
            NOW.addAndGet(AdminEndpoints.WINDOW_SECONDS * 1000L / (AdminEndpoints.MAX_FAILURES - 1) + 1);
        }
        assertEquals(200, listUsers(server.adminPort(), TOKEN).statusCode());
        assertEquals(2 * AdminEndpoints.MAX_FAILURES, AUDIT.records.size(), "each failure is audited");
    }
}
