package dev.sigil.backend.azure.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;

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
 * <p>Tests: the constructor taking a credential and an HTTP client lets the next session's Key
 * Vault fake hand in a test token and a client trusting the fake's certificate, with
 * {@code disableChallengeResourceVerification()}.
 */
final class AzureClients implements AutoCloseable {
    private static final ClassLoader SDK_LOADER = AzureClients.class.getClassLoader();
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
        this.http = http != null ? http : withSdkLoader(() -> new JdkHttpClientBuilder()
                .connectionTimeout(settings.attemptTimeout())
                .writeTimeout(settings.attemptTimeout())
                .responseTimeout(settings.attemptTimeout())
                .readTimeout(settings.attemptTimeout())
                .build());
        this.credential = credential != null ? credential : withSdkLoader(() -> credential(settings, this.http));
        this.keys = withSdkLoader(() -> {
            KeyClientBuilder b = new KeyClientBuilder()
                    .vaultUrl(vaultUrl)
                    .credential(this.credential)
                    .httpClient(this.http)
                    .retryOptions(NO_RETRIES);
            if (!verifyChallengeResource) {
                b.disableChallengeResourceVerification();
            }
            return b.buildClient();
        });
    }

    /** The credential of the configured mode, talking to Entra ID (or the managed identity endpoint) through {@code http}. */
    private static TokenCredential credential(AzureKeyVaultSettings s, HttpClient http) {
        switch (s.mode()) {
            case CLIENT_SECRET: {
                char[] secret = s.clientSecret();
                try {
                    // The SDK keeps the secret as a String: this copy cannot be zeroed.
                    return new ClientSecretCredentialBuilder().tenantId(s.tenantId()).clientId(s.clientId())
                            .clientSecret(new String(secret)).httpClient(http).build();
                } finally {
                    Arrays.fill(secret, '\0');
                }
            }
            case CLIENT_CERTIFICATE: {
                ClientCertificateCredentialBuilder b = new ClientCertificateCredentialBuilder()
                        .tenantId(s.tenantId()).clientId(s.clientId()).httpClient(http);
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
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder().httpClient(http);
                if (s.clientId() != null) {
                    b.clientId(s.clientId());
                }
                return b.build();
            }
            case WORKLOAD_IDENTITY:
                return new WorkloadIdentityCredentialBuilder().tenantId(s.tenantId()).clientId(s.clientId())
                        .tokenFilePath(s.federatedTokenFile().toString()).httpClient(http).build();
            default:
                throw new IllegalStateException("credential mode " + s.mode());
        }
    }

    /** Runs {@code body} with this bundle's class loader as the thread's context class loader. */
    static <T> T withSdkLoader(Supplier<T> body) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(SDK_LOADER);
        try {
            return body.get();
        } finally {
            t.setContextClassLoader(previous);
        }
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
                    .retryOptions(NO_RETRIES)
                    .disableKeyCaching();
            if (!verifyChallengeResource) {
                b.disableChallengeResourceVerification();
            }
            return b.buildClient();
        }));
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
