package dev.sigil.transport.https.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the HTTPS server (PID {@code dev.sigil.transport.https}). */
@ObjectClassDefinition(name = "Sigil HTTPS transport",
        description = "Jetty server: address, TLS certificate, limits, and what /info says about the service")
@interface HttpsConfig {
    @AttributeDefinition(description = "Address to bind; 127.0.0.1 keeps the server on this machine")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port; 0 picks a free one")
    int port() default 8443;

    @AttributeDefinition(description = "Host name clients use; must be in the certificate")
    String public_host() default "localhost";

    @AttributeDefinition(description = "Keystore with the server's private key and certificate chain")
    String tls_keystore_path();

    @AttributeDefinition(description = "Keystore type")
    String tls_keystore_type() default "PKCS12";

    @AttributeDefinition(description = "Environment variable holding the keystore password")
    String tls_keystore_password_env() default "";

    @AttributeDefinition(description = "File holding the keystore password")
    String tls_keystore_password_file() default "";

    @AttributeDefinition(description = "Offer HTTP/2 through ALPN next to HTTP/1.1")
    boolean http2_enabled() default true;

    @AttributeDefinition(description = "Largest request body accepted, in bytes")
    int max_body_bytes() default 1_048_576;

    @AttributeDefinition(description = "Requests handled at once; more wait briefly, then get 503")
    int max_concurrent_requests() default 64;

    @AttributeDefinition(description = "Longest a request waits for a free slot, in milliseconds")
    int max_wait_ms() default 2000;

    @AttributeDefinition(description = "Largest number of server threads")
    int max_threads() default 200;

    @AttributeDefinition(description = "Longest time a request body may take to arrive, in milliseconds; then 408")
    int body_timeout_ms() default 10_000;

    @AttributeDefinition(description = "Slowest average rate of a request body after its first second, in bytes per "
            + "second; slower ones get 408; 0: no minimum")
    int min_request_data_rate() default 1024;

    @AttributeDefinition(description = "TCP connections one client address may hold open; beyond: 429")
    int max_connections_per_client() default 16;

    @AttributeDefinition(description = "Requests (HTTP/2 streams included) one client address may have in progress; "
            + "beyond: 429")
    int max_requests_per_client() default 32;

    @AttributeDefinition(description = "File with the admin token for /admin/v1/; empty: no admin API")
    String admin_token_file() default "";

    @AttributeDefinition(description = "Address of the admin API's own connector; must be a loopback address")
    String admin_host() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port of the admin API's own connector; 0 picks a free one")
    int admin_port() default 0;

    @AttributeDefinition(description = "File the admin API's URL and certificate fingerprint are written to once it "
            + "listens (sigil-admin reads it); empty: not written")
    String admin_endpoint_file() default "";

    @AttributeDefinition(description = "Service name reported by /info")
    String service_name() default "Sigil";

    @AttributeDefinition(description = "Service description reported by /info")
    String service_description() default "Sigil remote signing service";

    @AttributeDefinition(description = "URI of the service logo reported by /info")
    String service_logo() default "";

    @AttributeDefinition(description = "ISO 3166-1 alpha-2 country of the service reported by /info")
    String service_region() default "";
}
