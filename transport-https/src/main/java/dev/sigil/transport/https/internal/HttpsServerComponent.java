package dev.sigil.transport.https.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.admin.AdminService;
import dev.sigil.api.credential.CertificateDirectory;
import dev.sigil.api.session.AuditTrail;
import dev.sigil.api.session.SessionService;
import dev.sigil.api.session.SoleControl;
import dev.sigil.api.signing.SigningService;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the Jetty server: starts it when configured and a signing service is present, stops it when
 * either goes away. Once listening, it announces the endpoint as a {@link URI} service with the
 * properties {@value #PROPERTY_URL} and {@value #PROPERTY_PROTOCOLS} (the launcher waits for it), and
 * writes the admin API's URL to {@code admin.endpoint.file} for {@code sigil-admin}.
 */
@Component(configurationPid = "dev.sigil.transport.https", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = HttpsConfig.class)
public final class HttpsServerComponent {
    static final String PROPERTY_URL = "sigil.endpoint.url";
    static final String PROPERTY_PROTOCOLS = "sigil.endpoint.protocols";

    private final SigilHttpServer server;
    private static final Logger LOG = LoggerFactory.getLogger(HttpsServerComponent.class);

    private final ServiceRegistration<URI> announcement;
    /** Where the admin URL was written; deleted on stop so that sigil-admin does not call a stopped server. */
    private final Path adminEndpointFile;

    @Activate
    public HttpsServerComponent(@Reference SigningService signing, @Reference SessionService sessions,
                                @Reference SoleControl soleControl, @Reference CertificateDirectory directory,
                                @Reference AdminService admin, @Reference AuditTrail auditTrail,
                                BundleContext context, HttpsConfig config)
            throws SigilException {
        HttpsSettings settings = HttpsSettings.from(config, System::getenv);
        char[] password = settings.keystorePassword().resolve(System::getenv);
        try {
            SigilHttpServer.Routes routes = routes(settings, signing, sessions, soleControl, directory, auditTrail);
            if (settings.admin() != null) {
                char[] token = settings.admin().token().resolve(System::getenv);
                byte[] bytes = new String(token).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                Arrays.fill(token, '\0');
                routes = routes.withAdmin(new AdminEndpoints(admin, bytes, auditTrail).addTo(new Router()));
                Arrays.fill(bytes, (byte) 0);
            }
            server = new SigilHttpServer(settings, password, routes);
        } finally {
            Arrays.fill(password, '\0');
        }
        server.start();
        adminEndpointFile = settings.admin() == null ? null : settings.admin().endpointFile();
        if (adminEndpointFile != null) {
            writeAdminEndpoint(adminEndpointFile, adminUrl(settings.admin().host(), server.adminPort()),
                    server.certificateSha256());
        }
        URI url = URI.create("https://" + settings.publicHost() + ":" + server.port() + "/");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(PROPERTY_URL, url.toString());
        props.put(PROPERTY_PROTOCOLS, server.protocols().toArray(new String[0]));
        announcement = context.registerService(URI.class, url, props);
    }

    /** Every public route: CSC v2 and v1, and the health check (the admin routes come apart). */
    static SigilHttpServer.Routes routes(HttpsSettings settings, SigningService signing, SessionService sessions,
                                         SoleControl soleControl, CertificateDirectory directory,
                                         AuditTrail auditTrail) {
        List<String> methods = new java.util.ArrayList<>(List.of("info"));
        methods.addAll(Csc.METHODS);
        Router router = new Router()
                .route("/csc/v2/info", List.of("GET", "POST"),
                        new InfoEndpoint(signing, settings.service(), InfoEndpoint.SPECS_V2, methods))
                .route("/csc/v1/info", List.of("GET", "POST"),
                        new InfoEndpoint(signing, settings.service(), InfoEndpoint.SPECS_V1, methods));
        new Csc(Csc.Dialect.V2, sessions, soleControl, directory, signing, auditTrail).addTo(router, "/csc/v2/");
        new Csc(Csc.Dialect.V1, sessions, soleControl, directory, signing, auditTrail).addTo(router, "/csc/v1/");
        Router health = new Router().route("/health", List.of("GET"), new HealthEndpoint(signing));
        return new SigilHttpServer.Routes(router, health, null);
    }

    /** The admin connector's URL; an IPv6 literal in brackets. */
    static String adminUrl(String host, int port) {
        return "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/";
    }

    /**
     * Writes where sigil-admin finds the admin API: its URL, and the SHA-256 of the certificates the
     * server presents, so that sigil-admin can trust exactly those on 127.0.0.1 whatever names they
     * carry (a production certificate is for the public host name). Whoever may read this file may
     * read the admin token next to it, so the pin is as trustworthy as the token. A new file is moved
     * into place, so that a reader never sees half of it. A failure is logged, not fatal:
     * sigil-admin also takes the URL on its command line.
     */
    static void writeAdminEndpoint(Path file, String url, List<String> certificateSha256) {
        StringBuilder text = new StringBuilder("# Written by the Sigil server while it runs; read by sigil-admin.\n")
                .append("url = ").append(url).append('\n')
                .append("certificate.sha256 = ").append(String.join(",", certificateSha256)).append('\n');
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".admin-endpoint", ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cannot write the admin API's URL to {} ({}); pass --admin-url {} to sigil-admin", file,
                    e.getMessage(), url);
        }
    }

    @Deactivate
    void deactivate() {
        try {
            announcement.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping and unregistered it first
        }
        server.stopQuietly();
        if (adminEndpointFile != null) {
            try {
                Files.deleteIfExists(adminEndpointFile);
            } catch (IOException e) {
                LOG.warn("Cannot delete {} ({})", adminEndpointFile, e.getMessage());
            }
        }
    }
}
