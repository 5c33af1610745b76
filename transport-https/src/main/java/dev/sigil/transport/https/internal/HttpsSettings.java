package dev.sigil.transport.https.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The validated settings of the HTTPS server. Every check that can fail names the setting.
 *
 * @param host                  bind address
 * @param port                  TCP port, 0 for any free one
 * @param publicHost            host name clients use
 * @param keystorePath          TLS keystore file
 * @param keystoreType          keystore type
 * @param keystorePassword      where the keystore password comes from
 * @param http2                 whether to offer h2 via ALPN
 * @param maxBodyBytes          largest request body
 * @param maxConcurrentRequests requests in flight before queuing
 * @param maxWaitMs             longest wait in the queue before 503
 * @param maxThreads            server thread pool size
 * @param limits                the limits on slow and greedy clients
 * @param service               what /info reports about the service
 * @param admin                 the admin API's connector; null: no admin API
 */
record HttpsSettings(String host, int port, String publicHost, Path keystorePath, String keystoreType,
                     SecretRef keystorePassword, boolean http2, int maxBodyBytes, int maxConcurrentRequests,
                     int maxWaitMs, int maxThreads, ClientLimitSettings limits, ServiceDescription service,
                     Admin admin) {

    private static final Pattern REGION = Pattern.compile("[A-Z]{2}");

    /**
     * What the service says about itself in {@code /info}.
     *
     * @param name        display name
     * @param description one sentence
     * @param logo        logo URI or empty
     * @param region      ISO 3166-1 alpha-2 or empty
     */
    record ServiceDescription(String name, String description, String logo, String region) {
    }

    /**
     * How slow and how greedy one client may be.
     *
     * @param bodyTimeoutMs           longest time for a whole request body
     * @param minRequestDataRate      slowest average body rate after its first second, bytes/s; 0: none
     * @param maxConnectionsPerClient TCP connections per client address
     * @param maxRequestsPerClient    requests (streams) in progress per client address
     */
    record ClientLimitSettings(int bodyTimeoutMs, int minRequestDataRate, int maxConnectionsPerClient,
                               int maxRequestsPerClient) {
    }

    /**
     * The admin API's own connector.
     *
     * @param host         a loopback address
     * @param port         TCP port, 0 for any free one
     * @param token        where the admin token comes from
     * @param endpointFile where the admin URL is written once listening; null: not written
     */
    record Admin(String host, int port, SecretRef token, Path endpointFile) {
    }

    /**
     * Validates a configuration.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with one line naming the setting
     */
    static HttpsSettings from(HttpsConfig c, Function<String, String> environment) throws SigilException {
        require(c.host() != null && !c.host().isBlank(), "host must not be empty");
        require(c.port() >= 0 && c.port() <= 65535, "port must be between 0 and 65535, not " + c.port());
        require(c.public_host() != null && !c.public_host().isBlank(), "public.host must not be empty");
        require(c.tls_keystore_path() != null && !c.tls_keystore_path().isBlank(),
                "tls.keystore.path is required");
        Path keystore = Path.of(c.tls_keystore_path());
        require(Files.isReadable(keystore), "tls.keystore.path " + keystore + " does not exist or is not readable");
        SecretRef password;
        try {
            password = SecretRef.of("tls.keystore.password", c.tls_keystore_password_env(),
                    c.tls_keystore_password_file());
        } catch (SigilException e) {
            throw prefixed(e.getMessage());
        }
        require(c.max_body_bytes() >= 1024 && c.max_body_bytes() <= 64 * 1024 * 1024,
                "max.body.bytes must be between 1024 and 67108864, not " + c.max_body_bytes());
        require(c.max_concurrent_requests() >= 1, "max.concurrent.requests must be at least 1");
        require(c.max_wait_ms() >= 1, "max.wait.ms must be at least 1");
        require(c.max_threads() >= 8, "max.threads must be at least 8");
        String region = c.service_region() == null ? "" : c.service_region().trim().toUpperCase(Locale.ROOT);
        require(region.isEmpty() || REGION.matcher(region).matches(),
                "service.region must be an ISO 3166-1 alpha-2 code such as DE, not " + c.service_region());
        require(c.body_timeout_ms() >= 1000 && c.body_timeout_ms() <= 300_000,
                "body.timeout.ms must be between 1000 and 300000, not " + c.body_timeout_ms());
        require(c.min_request_data_rate() >= 0, "min.request.data.rate must not be negative");
        require(c.max_connections_per_client() >= 1, "max.connections.per.client must be at least 1");
        require(c.max_requests_per_client() >= 1, "max.requests.per.client must be at least 1");
        ClientLimitSettings limits = new ClientLimitSettings(c.body_timeout_ms(), c.min_request_data_rate(),
                c.max_connections_per_client(), c.max_requests_per_client());
        return new HttpsSettings(c.host().trim(), c.port(), c.public_host().trim(), keystore,
                c.tls_keystore_type(), password, c.http2_enabled(), c.max_body_bytes(),
                c.max_concurrent_requests(), c.max_wait_ms(), c.max_threads(), limits,
                new ServiceDescription(c.service_name(), c.service_description(),
                        c.service_logo() == null ? "" : c.service_logo(), region), admin(c));
    }

    private static Admin admin(HttpsConfig c) throws SigilException {
        if (c.admin_token_file() == null || c.admin_token_file().isBlank()) {
            return null;
        }
        String host = c.admin_host() == null ? "" : c.admin_host().trim();
        require(loopback(host), "admin.host must be a loopback address such as 127.0.0.1, not " + host);
        require(c.admin_port() >= 0 && c.admin_port() <= 65535,
                "admin.port must be between 0 and 65535, not " + c.admin_port());
        String file = c.admin_endpoint_file();
        return new Admin(host, c.admin_port(), new SecretRef("admin.token", null, c.admin_token_file()),
                file == null || file.isBlank() ? null : Path.of(file.trim()));
    }

    /** A loopback address literal, or {@code localhost}; other names are refused (DNS could point anywhere). */
    private static boolean loopback(String host) {
        if (!host.equals("localhost") && !host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void require(boolean ok, String message) throws SigilException {
        if (!ok) {
            throw prefixed(message);
        }
    }

    private static SigilException prefixed(String message) {
        return new SigilException(ErrorCode.CONFIGURATION, "transport-https: " + message);
    }
}
