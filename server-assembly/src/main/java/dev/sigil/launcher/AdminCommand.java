package dev.sigil.launcher;

import java.io.ByteArrayInputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sigil-admin}: users, one-time-code enrollment, credentials and certificates, the audit
 * log — through the running server's admin API on this machine: its own loopback connector, whose
 * URL (and the fingerprint of its certificate) the server writes to {@code <data>/admin.endpoint}
 * when it starts, and the admin token from the
 * data directory. Secrets are prompted without echo, or read from environment variables for
 * scripts ({@code SIGIL_NEW_PASSWORD}, {@code SIGIL_NEW_PIN}).
 *
 * <pre>
 * sigil-admin user add alice --name "Alice Example"
 * sigil-admin totp enroll alice
 * sigil-admin credential create alice-sign --user alice --key-type ec-p256 --dev-ca
 * sigil-admin audit verify
 * sigil-admin demo forget            # local: removes the demo account's cleartext secrets
 * </pre>
 *
 * Exit codes: 0 done, 1 refused or failed (one line saying why), 2 usage.
 */
@Command(name = "sigil-admin", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Administers a running Sigil server on this machine.",
        subcommands = {AdminCommand.Users.class, AdminCommand.Totp.class, AdminCommand.Credentials.class,
            AdminCommand.Audit.class, DemoForget.Demo.class})
public final class AdminCommand {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:SIGIL_DATA:-data}",
            description = "The server's data directory: admin token and CA (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--admin-url", paramLabel = "URL", defaultValue = "${env:SIGIL_ADMIN_URL}",
            description = "The admin API (default: the URL the running server wrote to <data>/admin.endpoint).")
    URI adminUrl;

    /** Before the admin API had its own port, the public URL was given here; now it is not needed. */
    @Option(names = "--server", paramLabel = "URL", hidden = true)
    URI formerServerOption;

    @Option(names = "--ca", paramLabel = "PEM", description = "CA to trust (default: the certificate named in "
            + "<data>/admin.endpoint, else <data>/ca/dev-ca.pem).")
    Path ca;

    static final ObjectMapper JSON = new ObjectMapper();
    PrintStream out = System.out;

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new AdminCommand());
        cmd.setParameterExceptionHandler((e, a) -> {
            System.err.println("sigil-admin: " + e.getMessage());
            System.err.println("Try 'sigil-admin --help'.");
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            System.err.println("sigil-admin: " + (e instanceof Failure ? e.getMessage() : "unexpected error: " + e));
            return 1;
        });
        System.exit(cmd.execute(args));
    }

    /** A failure with a one-line reason. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Calls one admin endpoint; a refusal becomes a {@link Failure} with the server's description. */
    JsonNode call(String path, ObjectNode body) throws Failure, InterruptedException {
        Path tokenFile = data.resolve("secrets/admin.token");
        String token;
        try {
            token = Files.readString(tokenFile).strip();
        } catch (IOException e) {
            throw new Failure("cannot read the admin token " + tokenFile + " (run on the server's machine, as its "
                    + "user, with --data pointing at its data directory)");
        }
        Endpoint endpoint = adminEndpoint();
        URI server = endpoint.url();
        HttpResponse<String> r;
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trust(endpoint))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            r = client.send(HttpRequest.newBuilder(server.resolve("admin/v1/" + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("cannot reach the server at " + server + " (" + why(e) + "); is it running?");
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(path + ": HTTP " + r.statusCode() + " with an unreadable answer");
        }
        if (r.statusCode() != 200) {
            throw new Failure(path + ": " + answer.path("error").asText("HTTP " + r.statusCode()) + ": "
                    + answer.path("error_description").asText(""));
        }
        return answer;
    }

    /**
     * Where the admin API is and which certificate it presents: {@code --admin-url}, else what the
     * running server wrote into the data directory.
     *
     * @param url               the admin API's base URL
     * @param certificateSha256 the SHA-256 (hex) of the server certificates to trust; empty: use a CA
     */
    record Endpoint(URI url, Set<String> certificateSha256) {
    }

    Endpoint adminEndpoint() throws Failure {
        if (adminUrl != null) {
            return new Endpoint(adminUrl, Set.of());
        }
        if (formerServerOption != null) {
            System.err.println("sigil-admin: --server is ignored: the admin API has its own address, read from "
                    + data.resolve("admin.endpoint") + " (or give --admin-url)");
        }
        Path file = data.resolve("admin.endpoint");
        Properties p = new Properties();
        try (java.io.Reader r = Files.newBufferedReader(file)) {
            p.load(r);
            String pins = p.getProperty("certificate.sha256", "").strip();
            return new Endpoint(URI.create(p.getProperty("url", "").strip()),
                    pins.isEmpty() ? Set.of() : Set.of(pins.toLowerCase(java.util.Locale.ROOT).split("\\s*,\\s*")));
        } catch (IOException | IllegalArgumentException e) {
            throw new Failure("cannot read the admin API's address from " + file + " (" + why(e) + "): is the server "
                    + "running with --data " + data + "? (or pass --admin-url)");
        }
    }

    /**
     * The exception's message, else its class name: java.net.http reports a refused connection as a
     * {@code ConnectException} without a message.
     */
    static String why(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * The certificates named in the endpoint file (exactly those, whatever host names they carry: a
     * production certificate names the public host, not 127.0.0.1), else {@code --ca}, else the
     * development CA.
     */
    private SSLContext trust(Endpoint endpoint) throws Failure {
        if (ca == null && !endpoint.certificateSha256().isEmpty()) {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new PinnedTrust(endpoint.certificateSha256())}, null);
                return ctx;
            } catch (GeneralSecurityException e) {
                throw new Failure("cannot set up TLS (" + why(e) + ")");
            }
        }
        Path pem = ca != null ? ca : data.resolve("ca/dev-ca.pem");
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure("cannot read the CA certificate " + pem + " (" + why(e) + ")");
        }
    }

    /**
     * Trusts exactly the server certificates with these SHA-256 fingerprints. Being an
     * {@link X509ExtendedTrustManager}, it is also what checks the host name — and it does not: the
     * pinned certificate is the identity, and the admin API is on 127.0.0.1 whatever the certificate
     * names.
     */
    static final class PinnedTrust extends X509ExtendedTrustManager {
        private final Set<String> sha256;

        PinnedTrust(Set<String> sha256) {
            this.sha256 = Set.copyOf(sha256);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server presented no certificate");
            }
            try {
                String fingerprint = java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                if (!sha256.contains(fingerprint)) {
                    throw new CertificateException("the server's certificate (SHA-256 " + fingerprint
                            + ") is not the one the running server named in admin.endpoint");
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("sigil-admin trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            throw new CertificateException("sigil-admin trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("sigil-admin trusts servers only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** A new secret: the environment variable, or asked twice without echo. The caller zeroes it. */
    static char[] newSecret(String what, String variable) throws Failure {
        String env = System.getenv(variable);
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new Failure("no terminal to ask for the " + what + ": set " + variable);
        }
        char[] first = console.readPassword("New %s: ", what);
        char[] second = console.readPassword("Repeat the %s: ", what);
        try {
            if (first == null || second == null || !Arrays.equals(first, second)) {
                throw new Failure("the two entries differ");
            }
            return first.clone();
        } finally {
            if (first != null) {
                Arrays.fill(first, '\0');
            }
            if (second != null) {
                Arrays.fill(second, '\0');
            }
        }
    }

    @Command(name = "user", description = "Users: add, enable, disable, password, list.")
    static final class Users {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "add", description = "Adds a user; the password is asked (or SIGIL_NEW_PASSWORD).")
        int add(@Parameters(paramLabel = "USER") String user,
                @Option(names = "--name", paramLabel = "NAME", description = "Display name") String name)
                throws Exception {
            char[] pwd = newSecret("password", "SIGIL_NEW_PASSWORD");
            try {
                ObjectNode b = JSON.createObjectNode().put("userId", user).put("password", new String(pwd));
                if (name != null) {
                    b.put("displayName", name);
                }
                admin.call("users/add", b);
            } finally {
                Arrays.fill(pwd, '\0');
            }
            admin.out.println("User " + user + " added. Next: sigil-admin totp enroll " + user);
            return 0;
        }

        @Command(name = "enable", description = "Lets a user log in again.")
        int enable(@Parameters(paramLabel = "USER") String user) throws Exception {
            admin.call("users/enable", JSON.createObjectNode().put("userId", user));
            admin.out.println("User " + user + " enabled.");
            return 0;
        }

        @Command(name = "disable", description = "Stops a user from logging in; their tokens stop working.")
        int disable(@Parameters(paramLabel = "USER") String user) throws Exception {
            admin.call("users/disable", JSON.createObjectNode().put("userId", user));
            admin.out.println("User " + user + " disabled.");
            return 0;
        }

        @Command(name = "password", description = "Sets a user's password (asked, or SIGIL_NEW_PASSWORD).")
        int password(@Parameters(paramLabel = "USER") String user) throws Exception {
            char[] pwd = newSecret("password", "SIGIL_NEW_PASSWORD");
            try {
                admin.call("users/password", JSON.createObjectNode().put("userId", user).put("password", new String(pwd)));
            } finally {
                Arrays.fill(pwd, '\0');
            }
            admin.out.println("Password of " + user + " set.");
            return 0;
        }

        @Command(name = "list", description = "Lists the users.")
        int list() throws Exception {
            JsonNode users = admin.call("users/list", JSON.createObjectNode()).path("users");
            admin.out.printf("%-24s %-8s %-16s %s%n", "USER", "ENABLED", "FACTORS", "CREDENTIALS");
            for (JsonNode u : users) {
                List<String> factors = new ArrayList<>();
                u.path("factors").forEach(f -> factors.add(f.asText()));
                factors.sort(null);
                admin.out.printf("%-24s %-8s %-16s %d%n", u.path("userId").asText(), u.path("enabled").asBoolean(),
                        String.join(",", factors), u.path("credentials").asInt());
            }
            return 0;
        }
    }

    @Command(name = "totp", description = "One-time codes: enroll a user's authenticator app.")
    static final class Totp {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "enroll", description = "Makes a new TOTP seed for a user and shows it once, with a QR code.")
        int enroll(@Parameters(paramLabel = "USER") String user,
                   @Option(names = "--issuer", defaultValue = "Sigil", description = "Name in the app (default: ${DEFAULT-VALUE})")
                   String issuer) throws Exception {
            JsonNode t = admin.call("totp/enroll", JSON.createObjectNode().put("userId", user).put("issuer", issuer));
            admin.out.println("Scan with an authenticator app (shown once):");
            admin.out.print(QrTerminal.render(t.path("uri").asText()));
            admin.out.println("  seed:  " + t.path("seed").asText());
            admin.out.println("  URI:   " + t.path("uri").asText());
            return 0;
        }
    }

    @Command(name = "credential", description = "Credentials: create, import-cert, enable, disable, unblock, list.")
    static final class Credentials {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", description = "Generates a key in a backend for a user, with a PIN (asked, or "
                + "SIGIL_NEW_PIN); certifies it with the development CA (--dev-ca) or writes a CSR (--csr).")
        int create(@Parameters(paramLabel = "CREDENTIAL") String id,
                   @Option(names = "--user", required = true) String user,
                   @Option(names = "--backend", defaultValue = "default", description = "Backend id (default: ${DEFAULT-VALUE})") String backend,
                   @Option(names = "--key-type", defaultValue = "ec-p256",
                           description = "rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384, ec-p521 (default: ${DEFAULT-VALUE})") String keyType,
                   @Option(names = "--multisign", defaultValue = "10", description = "Hashes per authorization (default: ${DEFAULT-VALUE})") int multisign,
                   @Option(names = "--subject", description = "Certificate subject (default: CN=<user>)") String subject,
                   @Option(names = "--dev-ca", description = "Certify with the development CA of --data") boolean devCa,
                   @Option(names = "--csr", paramLabel = "FILE", description = "Write a PKCS#10 request for an external CA") Path csr)
                throws Exception {
            if (devCa == (csr != null)) {
                throw new Failure("give exactly one of --dev-ca and --csr FILE");
            }
            String dn = subject != null ? subject : "CN=" + user;
            char[] pin = newSecret("PIN", "SIGIL_NEW_PIN");
            JsonNode created;
            try {
                ObjectNode b = JSON.createObjectNode().put("credentialID", id).put("userId", user).put("backendId", backend)
                        .put("keyType", keyType).put("pin", new String(pin)).put("multisign", multisign);
                if (csr != null) {
                    b.put("subjectDN", dn);
                }
                created = admin.call("credentials/create", b);
            } finally {
                Arrays.fill(pin, '\0');
            }
            if (csr != null) {
                Files.writeString(csr, created.path("csr").asText());
                admin.out.println("Credential " + id + " created (key " + backend + "/" + created.path("keyId").asText()
                        + "); certificate request written to " + csr + ". Then: sigil-admin credential import-cert "
                        + id + " <chain.pem>");
                return 0;
            }
            byte[] spki = Base64.getDecoder().decode(created.path("publicKey").asText());
            PublicKey key = publicKey(spki);
            List<X509Certificate> chain = new DevelopmentPki(admin.data).issueSigningCertificate(key, dn);
            importChain(admin, id, chain);
            admin.out.println("Credential " + id + " created for " + user + " (key " + backend + "/"
                    + created.path("keyId").asText() + "), certified by the development CA: " + dn);
            return 0;
        }

        private static PublicKey publicKey(byte[] spki) throws GeneralSecurityException {
            for (String alg : List.of("EC", "RSA")) {
                try {
                    return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
                } catch (GeneralSecurityException tryNext) {
                    // the other type
                }
            }
            throw new GeneralSecurityException("the server returned a public key of an unknown type");
        }

        private static void importChain(AdminCommand admin, String id, List<X509Certificate> chain) throws Exception {
            ObjectNode b = JSON.createObjectNode().put("credentialID", id);
            for (X509Certificate c : chain) {
                b.withArray("certificates").add(Base64.getEncoder().encodeToString(c.getEncoded()));
            }
            admin.call("credentials/importCertificate", b);
        }

        @Command(name = "import-cert", description = "Imports the certificate chain (PEM, signer first) issued for a credential.")
        int importCert(@Parameters(paramLabel = "CREDENTIAL") String id, @Parameters(paramLabel = "CHAIN.pem") Path pem)
                throws Exception {
            List<X509Certificate> chain = new ArrayList<>();
            try {
                for (Certificate c : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
                    chain.add((X509Certificate) c);
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new Failure("cannot read certificates from " + pem + " (" + why(e) + ")");
            }
            if (chain.isEmpty()) {
                throw new Failure(pem + " holds no certificate");
            }
            importChain(admin, id, chain);
            admin.out.println("Certificate " + chain.get(0).getSubjectX500Principal().getName() + " imported for " + id + ".");
            return 0;
        }

        @Command(name = "enable", description = "Lets a credential sign again.")
        int enable(@Parameters(paramLabel = "CREDENTIAL") String id) throws Exception {
            admin.call("credentials/enable", JSON.createObjectNode().put("credentialID", id));
            admin.out.println("Credential " + id + " enabled.");
            return 0;
        }

        @Command(name = "disable", description = "Stops a credential from signing.")
        int disable(@Parameters(paramLabel = "CREDENTIAL") String id) throws Exception {
            admin.call("credentials/disable", JSON.createObjectNode().put("credentialID", id));
            admin.out.println("Credential " + id + " disabled.");
            return 0;
        }

        @Command(name = "unblock", description = "Clears a credential's PIN attempts: ends its lockout, or the block "
                + "after repeated lockouts.")
        int unblock(@Parameters(paramLabel = "CREDENTIAL") String id) throws Exception {
            boolean cleared = admin.call("credentials/unblock", JSON.createObjectNode().put("credentialID", id))
                    .path("cleared").asBoolean();
            admin.out.println(cleared ? "The PIN of credential " + id + " is unblocked: its failed attempts are cleared."
                    : "The PIN of credential " + id + " had no failed attempts, lockout or block; nothing changed.");
            return 0;
        }

        @Command(name = "list", description = "Lists credentials (of one user with --user).")
        int list(@Option(names = "--user") String user) throws Exception {
            ObjectNode b = JSON.createObjectNode();
            if (user != null) {
                b.put("userId", user);
            }
            admin.out.printf("%-20s %-16s %-8s %-28s %s%n", "CREDENTIAL", "OWNER", "ENABLED", "KEY", "CERTIFICATE");
            for (JsonNode c : admin.call("credentials/list", b).path("credentials")) {
                admin.out.printf("%-20s %-16s %-8s %-28s %s%n", c.path("credentialID").asText(), c.path("owner").asText(),
                        c.path("enabled").asBoolean(), c.path("key").asText(),
                        c.path("subject").isTextual() ? c.path("subject").asText() + " (until "
                                + c.path("notAfter").asText() + ")" : "(none yet)");
            }
            return 0;
        }
    }

    @Command(name = "audit", description = "The audit log: verify, tail, export.")
    static final class Audit {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "verify", description = "Checks the keyed chain and the signed checkpoints; names the first "
                + "problem (exit 1).")
        int verify() throws Exception {
            JsonNode r = admin.call("audit/verify", JSON.createObjectNode());
            if (r.path("intact").asBoolean()) {
                admin.out.println("Audit log intact: " + r.path("records").asLong() + " records.");
                return 0;
            }
            throw new Failure("audit log BROKEN: " + r.path("problem").asText());
        }

        @Command(name = "tail", description = "Shows the last records; --follow keeps showing new ones.")
        int tail(@Option(names = "-n", defaultValue = "20", description = "How many (default: ${DEFAULT-VALUE})") int n,
                 @Option(names = {"-f", "--follow"}) boolean follow) throws Exception {
            long size = admin.call("audit/verify", JSON.createObjectNode()).path("records").asLong();
            long after = Math.max(0, size - n);
            do {
                JsonNode records = admin.call("audit/list", JSON.createObjectNode().put("afterSeq", after).put("max", 1000))
                        .path("records");
                for (JsonNode r : records) {
                    after = r.path("seq").asLong();
                    admin.out.printf("%6d %s %-30s %-8s %-12s %-14s %-15s %s%n", after,
                            Instant.ofEpochMilli(r.path("at").asLong()), r.path("event").asText(), r.path("outcome").asText(),
                            r.path("userId").asText("-"), r.path("credentialID").asText("-"),
                            r.path("clientAddress").asText("-"), r.path("detail").asText());
                }
                admin.out.flush();
                if (follow) {
                    Thread.sleep(1000);
                }
            } while (follow);
            return 0;
        }

        @Command(name = "export", description = "Writes every record as JSON lines, ending with a checkpoint of the "
                + "head signed with the audit key, for an archive off this host.")
        int export(@Option(names = "--out", paramLabel = "FILE", required = true,
                           description = "The file to write (owner-only); it must not exist yet") Path out)
                throws Exception {
            if (Files.exists(out)) {
                throw new Failure(out + " exists; choose a new file");
            }
            Path dir = out.toAbsolutePath().getParent();
            Path part = Files.createTempFile(dir, out.getFileName().toString(), ".part",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            long count = 0;
            long after = 0;
            try (java.io.BufferedWriter w = Files.newBufferedWriter(part, java.nio.charset.StandardCharsets.UTF_8)) {
                while (true) {
                    JsonNode records = admin.call("audit/list", JSON.createObjectNode().put("afterSeq", after)
                            .put("max", 5000)).path("records");
                    if (records.isEmpty()) {
                        break;
                    }
                    for (JsonNode r : records) {
                        w.write(JSON.writeValueAsString(r));
                        w.newLine();
                        after = r.path("seq").asLong();
                        count++;
                    }
                    System.err.printf("sigil-admin: %d records exported...%n", count);
                }
                String checkpoint = admin.call("audit/head", JSON.createObjectNode()).path("checkpoint").asText();
                w.write(JSON.writeValueAsString(JSON.createObjectNode().put("checkpoint", checkpoint)));
                w.newLine();
            } catch (Exception e) {
                Files.deleteIfExists(part);
                throw e;
            }
            Files.move(part, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            admin.out.println("Exported " + count + " records to " + out + ", ending with a checkpoint of the newest "
                    + "record signed with the audit key. Keep the file off this host: its checkpoint line, added to the "
                    + "server's audit.checkpoint.file, lets 'sigil-admin audit verify' show that the log still holds "
                    + "these records unchanged.");
            return 0;
        }
    }
}
