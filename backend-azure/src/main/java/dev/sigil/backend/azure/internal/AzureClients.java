package dev.sigil.backend.azure.internal;

import dev.sigil.backend.kit.ContextClassLoader;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.AadCredentialBuilderBase;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.KeyServiceVersion;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyServiceVersion;

/**
 * The Azure SDK objects of one backend instance: one HTTP client (the JDK's {@code java.net.http}
 * client, built here and passed explicitly to the credential and to every Key Vault client, so that
 * azure-core never looks an {@code HttpClientProvider} up through the {@code ServiceLoader}), the
 * {@link TokenCredential} of the configured {@code credential.mode} (never
 * {@code DefaultAzureCredential}), the {@link KeyClient} for listing, reading and creating keys, and
 * one {@link CryptographyClient} per key version, made on first use and kept.
 *
 * <p>The SDK's own retries are off on the Key Vault clients: retries are the backend's, bounded by
 * each call's deadline (the kit's {@code ThrottleRetry}). Every SDK call runs with this bundle's
 * class loader as the thread's context class loader ({@link #withSdkLoader}): azure-core, Jackson
 * and MSAL look providers up through it.
 *
 * <p>Tests: the constructor taking a credential and an HTTP client lets a test hand in a client
 * trusting the Key Vault fake's certificate (and, for a fake at {@code localhost}, turn the check of
 * the challenge's resource off).
 */
final class AzureClients implements AutoCloseable {
    private static final ClassLoader SDK_LOADER = AzureClients.class.getClassLoader();
    /** One retry of a failed token request (azure-identity's default is 3, with backoff of seconds). */
    private static final int TOKEN_RETRIES = 1;
    /**
     * The Key Vault REST API version, pinned rather than the SDK's latest, so that an SDK update
     * does not change what is sent; 7.5 is served by Key Vault and Managed HSM in the public and
     * sovereign clouds.
     */
    static final KeyServiceVersion API_VERSION = KeyServiceVersion.V7_5;
    /** The SDK's retry policy is not used: zero retries. */
    private static final RetryOptions NO_RETRIES = new RetryOptions(new FixedDelayOptions(0, java.time.Duration.ofMillis(1)));

    private final String vaultUrl;
    private final String where;
    private final HttpClient http;
    private final TokenCredential credential;
    private final boolean verifyChallengeResource;
    private final KeyClient keys;
    private final Map<String, CryptographyClient> crypto = new ConcurrentHashMap<>();

    /**
     * Builds the HTTP client and the credential of the settings.
     *
     * @param settings validated settings; read, not kept (a secret is copied into the SDK's
     *                 credential, which keeps it as a String; the caller clears its own)
     */
    AzureClients(AzureKeyVaultSettings settings) {
        this(settings, null, null, true);
    }

    /**
     * @param credential              the credential to use, or null for the one of the settings
     * @param http                    the HTTP client to use, or null for the JDK one with the settings' timeouts
     * @param verifyChallengeResource false only for a test fake not at a {@code *.vault.azure.net} host
     */
    AzureClients(AzureKeyVaultSettings settings, TokenCredential credential, HttpClient http,
                 boolean verifyChallengeResource) {
        this.vaultUrl = settings.vaultUrl().toString();
        this.where = (settings.managedHsm() ? "Azure Managed HSM (" : "Azure Key Vault (") + vaultUrl + ")";
        this.verifyChallengeResource = verifyChallengeResource;
        this.http = http != null ? http : jdkHttp(settings, null);
        this.credential = new SharedTokenCredential(credential != null ? credential
                : withSdkLoader(() -> credential(settings, this.http)));
        this.keys = withSdkLoader(() -> {
            KeyClientBuilder b = new KeyClientBuilder()
                    .vaultUrl(vaultUrl)
                    .credential(this.credential)
                    .httpClient(this.http)
                    .serviceVersion(API_VERSION)
                    .retryOptions(NO_RETRIES);
            if (!verifyChallengeResource) {
                b.disableChallengeResourceVerification();
            }
            return b.buildClient();
        });
    }

    /**
     * The JDK HTTP client with the settings' timeouts.
     *
     * @param ssl the TLS context, or null for the JVM's default (its trust store)
     */
    static HttpClient jdkHttp(AzureKeyVaultSettings settings, SSLContext ssl) {
        return withSdkLoader(() -> {
            java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
            if (ssl != null) {
                jdk.sslContext(ssl);
            }
            return new JdkHttpClientBuilder(jdk)
                    .connectionTimeout(settings.attemptTimeout())
                    .writeTimeout(settings.attemptTimeout())
                    .responseTimeout(settings.attemptTimeout())
                    .readTimeout(settings.attemptTimeout())
                    .build();
        });
    }

    /** The credential of the configured mode, talking to Entra ID (or the managed identity endpoint) through {@code http}. */
    private static TokenCredential credential(AzureKeyVaultSettings s, HttpClient http) {
        switch (s.mode()) {
            case CLIENT_SECRET: {
                char[] secret = s.clientSecret();
                try {
                    // The SDK keeps the secret as a String: this copy cannot be zeroed.
                    return entra(new ClientSecretCredentialBuilder().tenantId(s.tenantId()).clientId(s.clientId())
                            .clientSecret(new String(secret)).httpClient(http), s).build();
                } finally {
                    Arrays.fill(secret, '\0');
                }
            }
            case CLIENT_CERTIFICATE: {
                ClientCertificateCredentialBuilder b = entra(new ClientCertificateCredentialBuilder()
                        .tenantId(s.tenantId()).clientId(s.clientId()).httpClient(http), s);
                String path = s.certificatePath().toString();
                if (s.certificateIsPfx()) {
                    char[] password = s.certificatePassword();
                    try {
                        b.pfxCertificate(path);
                        if (password != null) {
                            b.clientCertificatePassword(new String(password));
                        }
                    } finally {
                        if (password != null) {
                            Arrays.fill(password, '\0');
                        }
                    }
                } else {
                    b.pemCertificate(path);
                }
                return b.build();
            }
            case MANAGED_IDENTITY: {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder().httpClient(http)
                        .maxRetry(TOKEN_RETRIES);
                if (s.clientId() != null) {
                    b.clientId(s.clientId());
                }
                return b.build();
            }
            case WORKLOAD_IDENTITY:
                return entra(new WorkloadIdentityCredentialBuilder().tenantId(s.tenantId()).clientId(s.clientId())
                        .tokenFilePath(s.federatedTokenFile().toString()).httpClient(http), s).build();
            default:
                throw new IllegalStateException("credential mode " + s.mode());
        }
    }

    /**
     * What every Entra ID credential shares: few token retries (a token is fetched inside a Key
     * Vault call, whose deadline bounds it), and the configured authority host, used as given.
     */
    private static <B extends AadCredentialBuilderBase<B>> B entra(B builder, AzureKeyVaultSettings s) {
        builder.maxRetry(TOKEN_RETRIES);
        if (s.authorityHost() != null) {
            builder.authorityHost(s.authorityHost().toString()).disableInstanceDiscovery();
        }
        return builder;
    }

    /** Runs {@code body} with this bundle's class loader as the thread's context class loader. */
    static <T> T withSdkLoader(Supplier<T> body) {
        return ContextClassLoader.call(SDK_LOADER, body);
    }

    KeyClient keys() {
        return keys;
    }

    /**
     * The client that signs with one key version, made once: the key id is the version's full
     * identifier ({@code https://<vault>/keys/<name>/<version>}). Key caching is off, so that the
     * SDK never GETs the key before signing: one signature is one {@code POST .../sign}.
     */
    CryptographyClient crypto(String keyId) {
        return crypto.computeIfAbsent(keyId, id -> withSdkLoader(() -> {
            CryptographyClientBuilder b = new CryptographyClientBuilder()
                    .keyIdentifier(id)
                    .credential(credential)
                    .httpClient(http)
                    .serviceVersion(CryptographyServiceVersion.valueOf(API_VERSION.name()))
                    .retryOptions(NO_RETRIES)
                    .disableKeyCaching();
            if (!verifyChallengeResource) {
                b.disableChallengeResourceVerification();
            }
            return b.buildClient();
        }));
    }

    /**
     * Whether {@code kid} is {@code https://<this vault's host>[:port]/keys/<name>/<version>} (the
     * default port 443 written or not, the host in any case).
     */
    boolean isKeyOfVault(String kid, String name, String version) {
        if (kid == null || version == null || version.isEmpty()) {
            return false;
        }
        try {
            URI k = new URI(kid);
            URI v = new URI(vaultUrl);
            return "https".equalsIgnoreCase(k.getScheme()) && v.getHost().equalsIgnoreCase(k.getHost())
                    && port(k) == port(v) && ("/keys/" + name + "/" + version).equals(k.getRawPath())
                    && k.getRawQuery() == null && k.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int port(URI u) {
        return u.getPort() < 0 ? 443 : u.getPort();
    }

    /** The vault URL, {@code https://host[:port]/}. */
    String vaultUrl() {
        return vaultUrl;
    }

    /** How messages name the service: {@code Azure Key Vault (https://x.vault.azure.net/)}. */
    String where() {
        return where;
    }

    /** Forgets the cached clients; the JDK HTTP client has nothing to close (its threads end when unreachable). */
    @Override
    public void close() {
        crypto.clear();
    }
}
