package dev.sigil.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

class AdminCommandTest {
    @TempDir
    Path dir;

    @Test
    void aReasonWithoutAMessageNamesTheExceptionInstead() {
        // What java.net.http throws for a refused connection.
        assertEquals("ConnectException", AdminCommand.why(new ConnectException()));
        assertEquals("Connection reset", AdminCommand.why(new IOException("Connection reset")));
    }

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
