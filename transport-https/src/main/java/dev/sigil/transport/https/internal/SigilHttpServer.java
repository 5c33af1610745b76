package dev.sigil.transport.https.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty servers: the public one, a TLS connector (TLS 1.2 and 1.3 only; HTTP/2 through ALPN
 * when a processor is available, else HTTP/1.1) in front of the API and the health check; and, when
 * the admin API is on, a second server with its own TLS connector on a loopback address and its own
 * threads, so that nothing on the public port reaches the admin routes or starves them.
 *
 * <p>Request handling on the public server, outermost first:
 * <ol>
 *   <li>request ids ({@link RequestIdHandler});</li>
 *   <li>per-client limits on connections and requests in progress ({@link ClientLimits}: 429);</li>
 *   <li>{@code /health} to its own small concurrency limit, so that API load never delays it;</li>
 *   <li>everything else: the body read whole, bounded in size, time and rate ({@link BodyReader}:
 *       413, 408) <em>before</em> a slot of the API's concurrency limit is taken (QoS: 503 with
 *       {@code Retry-After}), then the routes.</li>
 * </ol>
 * An access log without bodies, and JSON for every error.
 *
 * <p>Not thread-safe for start/stop; the owning component serializes them.
 */
final class SigilHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(SigilHttpServer.class);
    /** Health checks answered at once; load balancers ask one at a time. */
    static final int HEALTH_CONCURRENCY = 4;
    /** Admin requests handled at once; one operator with one command line. */
    static final int ADMIN_CONCURRENCY = 4;

    /**
     * What the servers serve.
     *
     * @param api    the CSC routes (and any others under the API's limits)
     * @param health the health check, served outside the API's concurrency limit
     * @param admin  the admin routes, served on the admin connector only; null: no admin API
     */
    record Routes(Router api, Router health, Router admin) {
        Routes withAdmin(Router adminRoutes) {
            return new Routes(api, health, adminRoutes);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final ClientLimits perClient;
    private final Server adminServer;
    private final ServerConnector adminConnector;
    private final List<String> protocols = new ArrayList<>();
    private final List<String> certificateSha256 = new ArrayList<>();
    private final HttpsSettings settings;

    /**
     * @param settings         validated settings
     * @param keystorePassword the TLS keystore password; read, not kept (the caller zeroes it)
     * @param routes           what to serve
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the keystore cannot be used
     */
    SigilHttpServer(HttpsSettings settings, char[] keystorePassword, Routes routes) throws SigilException {
        this.settings = settings;
        SSLContext sslContext = sslContext(settings, keystorePassword, certificateSha256);
        server = newServer("sigil-https", settings.maxThreads(), Math.min(8, settings.maxThreads()));
        HttpConfiguration http = httpConfiguration();

        SslContextFactory.Server tls = tls(sslContext);
        List<ConnectionFactory> factories = new ArrayList<>();
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        ALPNServerConnectionFactory alpn = settings.http2() ? alpn() : null;
        if (alpn != null) {
            tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
            factories.add(new SslConnectionFactory(tls, alpn.getProtocol()));
            factories.add(alpn);
            factories.add(new HTTP2ServerConnectionFactory(http));
            protocols.add("h2");
        } else {
            factories.add(new SslConnectionFactory(tls, http11.getProtocol()));
        }
        factories.add(http11);
        protocols.add("http/1.1");

        connector = new ServerConnector(server, factories.toArray(new ConnectionFactory[0]));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(Duration.ofSeconds(30).toMillis());
        server.addConnector(connector);

        HttpsSettings.ClientLimitSettings limits = settings.limits();
        Handler api = new BodyReader(qos(routes.api(), settings.maxConcurrentRequests(), settings.maxWaitMs()),
                settings.maxBodyBytes(), limits.bodyTimeoutMs(), limits.minRequestDataRate());
        Handler health = only("/health", qos(routes.health(), HEALTH_CONCURRENCY, settings.maxWaitMs()));
        perClient = new ClientLimits(new Handler.Sequence(health, api),
                limits.maxConnectionsPerClient(), limits.maxRequestsPerClient());
        connector.addEventListener(perClient);
        server.setHandler(new RequestIdHandler(perClient));
        server.setErrorHandler(new JsonErrorHandler());
        server.setRequestLog(accessLog("dev.sigil.access"));

        HttpsSettings.Admin admin = settings.admin();
        if (admin != null && routes.admin() != null) {
            adminServer = newServer("sigil-admin", 8, 2);
            adminConnector = new ServerConnector(adminServer, 1, 1,
                    new SslConnectionFactory(tls(sslContext), "http/1.1"), new HttpConnectionFactory(http));
            adminConnector.setHost(admin.host());
            adminConnector.setPort(admin.port());
            adminConnector.setIdleTimeout(Duration.ofSeconds(30).toMillis());
            adminServer.addConnector(adminConnector);
            adminServer.setHandler(new RequestIdHandler(new BodyReader(
                    qos(routes.admin(), ADMIN_CONCURRENCY, settings.maxWaitMs()),
                    settings.maxBodyBytes(), limits.bodyTimeoutMs(), limits.minRequestDataRate())));
            adminServer.setErrorHandler(new JsonErrorHandler());
            adminServer.setRequestLog(accessLog("dev.sigil.access.admin"));
        } else {
            adminServer = null;
            adminConnector = null;
        }
    }

    private static Server newServer(String name, int maxThreads, int minThreads) {
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads, minThreads);
        pool.setName(name);
        Server s = new Server(pool);
        s.setStopAtShutdown(false);
        return s;
    }

    private static HttpConfiguration httpConfiguration() {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true);
        http.addCustomizer(new SecureRequestCustomizer());
        return http;
    }

    private static SslContextFactory.Server tls(SSLContext context) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(context);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        tls.setRenegotiationAllowed(false);
        return tls;
    }

    /** A concurrency limit: {@code max} at once, more wait up to {@code maxWaitMs}, then 503. */
    private static QoSHandler qos(Handler next, int max, int maxWaitMs) {
        QoSHandler limit = new QoSHandler(next);
        limit.setMaxRequestCount(max);
        limit.setMaxSuspend(Duration.ofMillis(maxWaitMs));
        limit.setMaxSuspendedRequestCount(4 * max);
        return limit;
    }

    /** Passes on requests for exactly this path; declines the others (for the next in a sequence). */
    /** The handler for exactly one path; other requests pass it by (package-private for tests). */
    static Handler only(String path, Handler next) {
        return new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return path.equals(Request.getPathInContext(request)) && super.handle(request, response, callback);
            }
        };
    }

    private static CustomRequestLog accessLog(String logger) {
        Slf4jRequestLogWriter log = new Slf4jRequestLogWriter();
        log.setLoggerName(logger);
        return new CustomRequestLog(log, "%{client}a \"%m %U %H\" %s %{ms}T ms %{" + RequestIdHandler.HEADER + "}o");
    }

    /**
     * Jetty finds its ALPN processor through {@link java.util.ServiceLoader}; inside OSGi that needs
     * SPI Fly's mediation. Without it there is no processor and we serve HTTP/1.1 only, saying so.
     */
    private static ALPNServerConnectionFactory alpn() {
        try {
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            return alpn;
        } catch (IllegalStateException e) {
            LOG.warn("HTTP/2 is off: no ALPN processor was found ({}); serving HTTP/1.1 only", e.getMessage());
            return null;
        }
    }

    /** Loads the keystore; adds the SHA-256 of each of its server certificates to {@code fingerprints}. */
    private static SSLContext sslContext(HttpsSettings s, char[] password, List<String> fingerprints)
            throws SigilException {
        try (InputStream in = Files.newInputStream(s.keystorePath())) {
            KeyStore ks = KeyStore.getInstance(s.keystoreType());
            ks.load(in, password);
            for (String alias : java.util.Collections.list(ks.aliases())) {
                java.security.cert.Certificate c = ks.isKeyEntry(alias) ? ks.getCertificate(alias) : null;
                if (c != null) {
                    fingerprints.add(java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded())));
                }
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || e instanceof java.security.UnrecoverableKeyException
                    ? "wrong password" : e.getClass().getSimpleName();
            throw new SigilException(ErrorCode.CONFIGURATION,
                    "transport-https: tls.keystore.path " + s.keystorePath() + " cannot be used (" + why + ")", e);
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the address cannot be bound
     */
    void start() throws SigilException {
        start(server, settings.host(), settings.port());
        LOG.info("HTTPS on {}:{} ({})", settings.host(), port(), String.join(", ", protocols));
        if (adminServer != null) {
            start(adminServer, settings.admin().host(), settings.admin().port());
            LOG.info("Admin API on {}:{} (http/1.1)", settings.admin().host(), adminPort());
        }
    }

    private void start(Server s, String host, int port) throws SigilException {
        try {
            s.start();
        } catch (Exception e) {
            stopQuietly();
            String why = e instanceof BindException || e.getCause() instanceof BindException
                    ? "address in use or not available" : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new SigilException(ErrorCode.CONFIGURATION, "transport-https: cannot listen on "
                    + host + ":" + port + " (" + why + ")", e);
        }
    }

    /** The bound port (the actual one when configured as 0). */
    int port() {
        return connector.getLocalPort();
    }

    /** TCP connections open now from a client address. */
    int connectionsFrom(String address) {
        return perClient.connections(address);
    }

    /** The admin connector's bound port; -1 without an admin API. */
    int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    /** The SHA-256 (hex) of each certificate the server may present, for clients that pin it. */
    List<String> certificateSha256() {
        return List.copyOf(certificateSha256);
    }

    /** The application protocols offered, preferred first. */
    List<String> protocols() {
        return List.copyOf(protocols);
    }

    void stopQuietly() {
        for (Server s : adminServer == null ? List.of(server) : List.of(adminServer, server)) {
            try {
                s.stop();
            } catch (Exception e) {
                LOG.warn("Stopping the HTTPS server failed", e);
            }
        }
    }
}
