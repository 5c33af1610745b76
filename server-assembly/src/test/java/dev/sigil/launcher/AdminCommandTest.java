package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

class AdminCommandTest {
    private static final String DEMO = """
            # Sigil demo account, made on the first start. Development only: keep this file private.
            user=demo
            password=Kq7pXw2mN9vRt4Ls
            totp.seed=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
            totp.uri=otpauth://totp/Sigil:demo?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sigil
            credential.1=demo
            credential.1.pin=959067
            credential.2=demo-ec
            credential.2.pin=193987
            """;

    @TempDir
    Path data;

    private record Run(int code, String out, String err) {
    }

    private Run admin(String... args) {
        AdminCommand admin = new AdminCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        admin.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        // As AdminCommand.main reports a failure: one line.
        CommandLine cmd = new CommandLine(admin).setErr(new java.io.PrintWriter(errStream, true))
                .setExecutionExceptionHandler((e, c, parsed) -> {
                    errStream.println("sigil-admin: " + e.getMessage());
                    return 1;
                });
        String[] all = new String[args.length + 2];
        all[0] = "--data";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = cmd.execute(all);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoForgetRemovesTheCleartextSecretsAndSaysWhatToRemember() throws Exception {
        Path file = Files.writeString(data.resolve("demo-account.properties"), DEMO);

        Run r = admin("demo", "forget", "--yes");

        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(Files.exists(file), "the file is gone");
        assertTrue(r.out().contains("Removed " + file), r.out());
        assertTrue(r.out().contains("user demo") && r.out().contains("demo, demo-ec"), r.out());
        assertTrue(r.out().contains("remember"), r.out());
        for (String secret : new String[] {"Kq7pXw2mN9vRt4Ls", "JBSWY3DPEHPK3PXP", "959067", "193987"}) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), "no secret is shown: " + r.out());
        }
        Path marker = data.resolve("demo-account.forgotten");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(marker)));
        String note = Files.readString(marker);
        assertFalse(note.contains("959067") || note.contains("Kq7pXw2mN9vRt4Ls"), note);
        try (var left = Files.list(data)) {
            assertEquals(java.util.List.of(marker), left.toList(), "no copy or temporary file is left behind");
        }
    }

    @Test
    void demoForgetAsksForConfirmationAndDoesNothingWithoutIt() throws Exception {
        Path file = Files.writeString(data.resolve("demo-account.properties"), DEMO);

        Run r = admin("demo", "forget");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--yes"), r.err());
        assertEquals(DEMO, Files.readString(file));
    }

    @Test
    void demoForgetWithoutADemoFileFails() {
        Run r = admin("demo", "forget", "--yes");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("sigil-admin: no demo account file " + data.resolve("demo-account.properties")),
                r.err());
    }

    @Test
    void demoForgetRefusesASymbolicLinkAndLeavesItsTargetAlone() throws Exception {
        Path target = Files.writeString(data.resolve("elsewhere.txt"), "not the demo file\n");
        Files.createSymbolicLink(data.resolve("demo-account.properties"), target);

        Run r = admin("demo", "forget", "--yes");

        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("not a regular file"), r.err());
        assertEquals("not the demo file\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(data.resolve("demo-account.properties")));
    }

    @Test
    void aReasonWithoutAMessageNamesTheExceptionInstead() {
        // What java.net.http throws for a refused connection.
        assertEquals("ConnectException", AdminCommand.why(new ConnectException()));
        assertEquals("Connection reset", AdminCommand.why(new IOException("Connection reset")));
    }

    @TempDir
    Path dir;


    /** A self-signed certificate for the public host name only, as a production server has. */
    private static X509Certificate publicHostCertificate(KeyPair kp) throws Exception {
        X500Name name = new X500Name("CN=sign.example.com");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "sign.example.com")));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    /**
     * The admin API listens on 127.0.0.1 but the server's certificate names its public host: with
     * the fingerprint the server wrote to admin.endpoint, sigil-admin trusts exactly that certificate
     * and gets through; trusting it as a CA fails on the host name, and another pin is refused.
     */
    @Test
    void theCertificateNamedInTheEndpointFileIsTrustedWhateverHostItNames() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X509Certificate cert = publicHostCertificate(kp);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", kp.getPrivate(), "pw".toCharArray(), new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/admin/v1/users/list", exchange -> {
            byte[] answer = "{\"users\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        try {
            Path data = Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(data.resolve("secrets"));
            Files.writeString(data.resolve("secrets/admin.token"), "token\n");
            String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
            String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/";
            Files.writeString(data.resolve("admin.endpoint"), "url = " + url + "\ncertificate.sha256 = " + pin + "\n");
            AdminCommand admin = new AdminCommand();
            admin.data = data;

            assertTrue(admin.call("users/list", AdminCommand.JSON.createObjectNode()).path("users").isArray());

            Path pem = Files.writeString(dir.resolve("server.pem"), "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder().encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
            admin.ca = pem;
            AdminCommand.Failure byName = assertThrows(AdminCommand.Failure.class,
                    () -> admin.call("users/list", AdminCommand.JSON.createObjectNode()));
            assertTrue(byName.getMessage().startsWith("cannot reach the server at " + url), byName.getMessage());

            admin.ca = null;
            Files.writeString(data.resolve("admin.endpoint"), "url = " + url + "\ncertificate.sha256 = "
                    + "00".repeat(32) + "\n");
            AdminCommand.Failure otherPin = assertThrows(AdminCommand.Failure.class,
                    () -> admin.call("users/list", AdminCommand.JSON.createObjectNode()));
            assertTrue(otherPin.getMessage().startsWith("cannot reach the server at " + url), otherPin.getMessage());
        } finally {
            server.stop(0);
        }
    }
}
