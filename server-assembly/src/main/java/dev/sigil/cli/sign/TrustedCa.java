package dev.sigil.cli.sign;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The TLS trust of {@code sigil-sign}: the certificates of a PEM file, or the system's trust store. */
final class TrustedCa {
    private TrustedCa() {
    }

    /**
     * An SSLContext that trusts exactly the certificates in {@code pem} (one or more PEM blocks),
     * or the Java runtime's default trust store when {@code pem} is {@code null}. Host names are
     * still checked by the HTTP client.
     */
    static SSLContext sslContext(Path pem) throws SignException {
        if (pem == null) {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new SignException("this Java runtime has no default TLS context: " + e.getMessage());
            }
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new SignException("--ca " + pem + ": no such file");
        } catch (IOException e) {
            throw new SignException("--ca " + pem + ": cannot read it: " + e.getMessage());
        } catch (CertificateException e) {
            throw new SignException("--ca " + pem + ": not a PEM certificate file");
        }
        if (certificates.isEmpty()) {
            throw new SignException("--ca " + pem + ": holds no certificate");
        }
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new SignException("--ca " + pem + ": cannot be used as a trust store: " + e.getMessage());
        }
    }
}
