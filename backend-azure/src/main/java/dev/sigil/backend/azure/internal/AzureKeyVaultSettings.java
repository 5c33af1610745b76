package dev.sigil.backend.azure.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;
import dev.sigil.backend.kit.CallLimits;
import dev.sigil.backend.kit.SettingsChecks;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The validated settings of one Azure Key Vault backend instance, with a client secret or a
 * certificate password resolved from its environment variable or file.
 *
 * <p>{@link #from} is a pure function of the configuration, the environment and the file system,
 * so every configuration mistake can be tested without OSGi and without Azure. Each mistake becomes
 * a {@link SigilException} with {@link ErrorCode#CONFIGURATION} and a one-line message naming the
 * backend id, the setting and the problem, e.g.
 * {@code backend-azure 'kv': vault.url 'http://x' must be an https:// URL with a host and no path}.
 *
 * <p>Secrets are held in {@code char[]}s that {@link #clearSecrets()} zeroes; they never appear in
 * {@link #toString()}.
 */
public final class AzureKeyVaultSettings {
    /** The prefix of every message about this backend's configuration. */
    static final String COMPONENT = "backend-azure";
    static final long DEFAULT_CALL_TIMEOUT_MS = 5_000;
    static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
    static final int DEFAULT_MAX_CONCURRENT_CALLS = 32;
    static final int DEFAULT_MAX_PARALLEL = 8;
    static final int DEFAULT_MAX_RETRIES = 3;

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** A tenant is a GUID or a verified domain name (contoso.onmicrosoft.com). */
    private static final Pattern TENANT_DOMAIN = Pattern.compile("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    /** Key Vault object names: 1..127 letters, digits and dashes. */
    static final Pattern KEY_NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
    /** Key versions: 32 hex digits. */
    static final Pattern KEY_VERSION = Pattern.compile("[0-9A-Fa-f]{32}");

    /** How the backend authenticates. */
    enum CredentialMode {
        CLIENT_SECRET("client-secret"), CLIENT_CERTIFICATE("client-certificate"),
        MANAGED_IDENTITY("managed-identity"), WORKLOAD_IDENTITY("workload-identity");

        final String configName;

        CredentialMode(String configName) {
            this.configName = configName;
        }

        static CredentialMode parse(String text) {
            for (CredentialMode m : values()) {
                if (m.configName.equals(text)) {
                    return m;
                }
            }
            return null;
        }

        static String names() {
            List<String> out = new ArrayList<>();
            for (CredentialMode m : values()) {
                out.add(m.configName);
            }
            return String.join(", ", out);
        }
    }

    /** A configured key: its name and, if pinned, its version. */
    record KeyName(String name, String version) {
        @Override
        public String toString() {
            return version == null ? name : name + "/" + version;
        }
    }

    private final String backendId;
    private final URI vaultUrl;
    private final boolean managedHsm;
    private final URI authorityHost;
    private final String tenantId;
    private final CredentialMode mode;
    private final String clientId;
    private final char[] clientSecret;
    private final Path certificatePath;
    private final char[] certificatePassword;
    private final Path federatedTokenFile;
    private final String credentialSource;
    private final List<KeyName> keys;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final int maxConcurrentCalls;
    private final int maxParallel;
    private final int maxRetries;
    private final boolean hsmKeys;

    private AzureKeyVaultSettings(Builder b) {
        this.backendId = b.backendId;
        this.vaultUrl = b.vaultUrl;
        this.managedHsm = b.managedHsm;
        this.authorityHost = b.authorityHost;
        this.tenantId = b.tenantId;
        this.mode = b.mode;
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret;
        this.certificatePath = b.certificatePath;
        this.certificatePassword = b.certificatePassword;
        this.federatedTokenFile = b.federatedTokenFile;
        this.credentialSource = b.credentialSource;
        this.keys = b.keys;
        this.callTimeout = b.callTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.maxConcurrentCalls = b.maxConcurrentCalls;
        this.maxParallel = b.maxParallel;
        this.maxRetries = b.maxRetries;
        this.hsmKeys = b.hsmKeys;
    }

    private static final class Builder {
        String backendId;
        URI vaultUrl;
        boolean managedHsm;
        URI authorityHost;
        String tenantId;
        CredentialMode mode;
        String clientId;
        char[] clientSecret;
        Path certificatePath;
        char[] certificatePassword;
        Path federatedTokenFile;
        String credentialSource;
        List<KeyName> keys;
        Duration callTimeout;
        Duration attemptTimeout;
        int maxConcurrentCalls;
        int maxParallel;
        int maxRetries;
        boolean hsmKeys;
    }

    /**
     * Validates a configuration and resolves its secrets.
     *
     * @param config the configuration as Declarative Services delivers it (defaults applied); not null
     * @param env    looks up an environment variable, null if unset ({@code System::getenv} in production)
     * @return the settings; the caller clears the secrets when done with them
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with the one-line problem
     */
    public static AzureKeyVaultSettings from(AzureKeyVaultBackendConfig config, Function<String, String> env)
            throws SigilException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(env, "env");
        Builder b = new Builder();
        SettingsChecks checks = SettingsChecks.of(COMPONENT, config.sigil_backend_id());
        b.backendId = checks.id();

        String url = SettingsChecks.trimToNull(config.vault_url());
        if (url == null) {
            throw checks.problem("vault.url is required (e.g. https://<name>.vault.azure.net/)");
        }
        URI uri = httpsBase(checks, "vault.url", url);
        b.vaultUrl = uri;
        b.managedHsm = uri.getHost().toLowerCase(Locale.ROOT).contains(".managedhsm.");
        String authority = SettingsChecks.trimToNull(config.authority_host());
        b.authorityHost = authority == null ? null : httpsBase(checks, "authority.host", authority);

        String modeText = SettingsChecks.trimToNull(config.credential_mode());
        if (modeText == null) {
            throw checks.problem("credential.mode is required: one of " + CredentialMode.names());
        }
        CredentialMode mode = CredentialMode.parse(modeText.toLowerCase(Locale.ROOT));
        if (mode == null) {
            throw checks.problem("credential.mode '" + modeText + "' is not one of " + CredentialMode.names());
        }
        b.mode = mode;
        if (mode == CredentialMode.MANAGED_IDENTITY && b.authorityHost != null) {
            throw checks.problem("authority.host is set but credential.mode managed-identity does not use it");
        }

        String tenant = SettingsChecks.trimToNull(config.tenant_id());
        if (tenant != null && !(GUID.matcher(tenant).matches() || TENANT_DOMAIN.matcher(tenant).matches())) {
            throw checks.problem("tenant.id '" + tenant + "' is not a tenant id (a GUID or a domain name)");
        }
        String clientId = SettingsChecks.trimToNull(config.client_id());
        if (clientId != null && !GUID.matcher(clientId).matches()) {
            throw checks.problem("client.id '" + clientId + "' is not a client id (a GUID)");
        }
        if (mode != CredentialMode.MANAGED_IDENTITY) {
            if (tenant == null) {
                throw checks.problem("tenant.id is required for credential.mode " + mode.configName);
            }
            if (clientId == null) {
                throw checks.problem("client.id is required for credential.mode " + mode.configName);
            }
        }
        b.tenantId = tenant;
        b.clientId = clientId;

        SecretRef secretRef = null;
        SecretRef passwordRef = null;
        switch (mode) {
            case CLIENT_SECRET -> {
                secretRef = checks.secretRef("client.secret", config.client_secret_env(), config.client_secret_file());
                b.credentialSource = "client secret of " + clientId + " (" + secretRef + ")";
            }
            case CLIENT_CERTIFICATE -> {
                Path cert = readableFile(checks, "client.certificate.path", config.client_certificate_path());
                if (cert == null) {
                    throw checks.problem("client.certificate.path is required for credential.mode client-certificate");
                }
                b.certificatePath = cert;
                boolean hasPassword = SettingsChecks.trimToNull(config.client_certificate_password_env()) != null
                        || SettingsChecks.trimToNull(config.client_certificate_password_file()) != null;
                if (hasPassword) {
                    if (!isPfx(cert)) {
                        throw checks.problem("client.certificate.password is only for a PFX/PKCS#12 file (.pfx, .p12), "
                                + "not " + cert.getFileName());
                    }
                    passwordRef = checks.secretRef("client.certificate.password",
                            config.client_certificate_password_env(), config.client_certificate_password_file());
                }
                b.credentialSource = "client certificate of " + clientId + " (" + cert + ")";
            }
            case MANAGED_IDENTITY -> b.credentialSource = clientId == null ? "system-assigned managed identity"
                    : "user-assigned managed identity " + clientId;
            case WORKLOAD_IDENTITY -> {
                Path token = readableFile(checks, "federated.token.file", config.federated_token_file());
                if (token == null) {
                    throw checks.problem("federated.token.file is required for credential.mode workload-identity");
                }
                b.federatedTokenFile = token;
                b.credentialSource = "workload identity of " + clientId + " (token " + token + ")";
            }
        }
        if (mode != CredentialMode.CLIENT_SECRET && (SettingsChecks.trimToNull(config.client_secret_env()) != null
                || SettingsChecks.trimToNull(config.client_secret_file()) != null)) {
            throw checks.problem("client.secret is set but credential.mode is " + mode.configName);
        }

        Set<KeyName> keys = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        String[] configured = config.keys() == null ? new String[0] : config.keys();
        for (String raw : configured) {
            // A list given as one comma-separated string (a .cfg file's plain value) is split here.
            for (String part : raw == null ? new String[0] : raw.split(",")) {
                String k = part.strip();
                if (k.isEmpty()) {
                    continue;
                }
                KeyName key = parseKey(k);
                if (key == null) {
                    throw checks.problem("keys entry '" + k + "' is not a key name (letters, digits, -) or "
                            + "name/version (32 hex digits)");
                }
                if (!names.add(key.name())) {
                    throw checks.problem("keys entry '" + k + "' names key " + key.name() + " a second time");
                }
                keys.add(key);
            }
        }
        b.keys = List.copyOf(keys);

        CallLimits limits = CallLimits.check(checks, config.call_timeout_ms(), config.attempt_timeout_ms(),
                config.max_concurrent_calls(), config.max_parallel_signatures(), config.max_retries());
        b.callTimeout = limits.callTimeout();
        b.attemptTimeout = limits.attemptTimeout();
        b.maxConcurrentCalls = limits.maxConcurrentCalls();
        b.maxParallel = limits.maxParallel();
        b.maxRetries = limits.maxRetries();
        String protection = SettingsChecks.trimToNull(config.key_protection());
        if (protection == null || protection.equalsIgnoreCase("hsm")) {
            b.hsmKeys = true;
        } else if (protection.equalsIgnoreCase("software")) {
            if (b.managedHsm) {
                throw checks.problem("key.protection software is not possible in a Managed HSM: its keys are HSM keys");
            }
            b.hsmKeys = false;
        } else {
            throw checks.problem("key.protection '" + protection + "' is not hsm or software");
        }

        // Secrets last, so that no other mistake leaves one unzeroed.
        if (secretRef != null) {
            b.clientSecret = checks.secret(secretRef, env);
        }
        if (passwordRef != null) {
            b.certificatePassword = checks.secret(passwordRef, env);
        }
        return new AzureKeyVaultSettings(b);
    }

    /** An {@code https://host[:port]/} URL: no path, user, query or fragment. */
    private static URI httpsBase(SettingsChecks checks, String key, String url) throws SigilException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw checks.problem(key + " '" + url + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!scheme.equals("https") || uri.getHost() == null || !(path.isEmpty() || path.equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw checks.problem(key + " '" + url + "' must be an https:// URL with a host and no path, "
                    + "user, query or fragment");
        }
        return URI.create("https://" + uri.getRawAuthority() + "/");
    }

    /** {@code name} or {@code name/version}, or null if it is neither. */
    static KeyName parseKey(String k) {
        int slash = k.indexOf('/');
        String name = slash < 0 ? k : k.substring(0, slash);
        String version = slash < 0 ? null : k.substring(slash + 1);
        if (!KEY_NAME.matcher(name).matches() || (version != null && !KEY_VERSION.matcher(version).matches())) {
            return null;
        }
        return new KeyName(name, version == null ? null : version.toLowerCase(Locale.ROOT));
    }

    private static boolean isPfx(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".pfx") || n.endsWith(".p12");
    }

    /** The setting's file, checked to be a readable regular file; null if the setting is unset. */
    private static Path readableFile(SettingsChecks checks, String setting, String value) throws SigilException {
        String text = SettingsChecks.trimToNull(value);
        if (text == null) {
            return null;
        }
        Path p;
        try {
            p = Path.of(text);
        } catch (InvalidPathException e) {
            throw checks.problem(setting + " '" + text + "' is not a path");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw checks.problem(setting + " " + p + " is not a readable file");
        }
        return p;
    }

    public String backendId() {
        return backendId;
    }

    /** The vault's (or Managed HSM's) URL, normalised to {@code https://host[:port]/}. */
    public URI vaultUrl() {
        return vaultUrl;
    }

    /** Microsoft Entra ID's host for the credential ({@code https://host/}), or null for the SDK's default (the public cloud's). */
    public URI authorityHost() {
        return authorityHost;
    }

    /** Whether generated keys are HSM-protected (RSA-HSM, EC-HSM) rather than software keys. */
    public boolean hsmKeys() {
        return hsmKeys;
    }

    /** Whether the URL is a Managed HSM's ({@code *.managedhsm.*}). */
    public boolean managedHsm() {
        return managedHsm;
    }

    /** The tenant id, or null (managed identity). */
    String tenantId() {
        return tenantId;
    }

    CredentialMode mode() {
        return mode;
    }

    /** The client id, or null (system-assigned managed identity). */
    String clientId() {
        return clientId;
    }

    /** A copy of the client secret (the caller zeroes it), or null. */
    char[] clientSecret() {
        return clientSecret == null ? null : clientSecret.clone();
    }

    Path certificatePath() {
        return certificatePath;
    }

    /** Whether the client certificate is a PFX/PKCS#12 file (else PEM). */
    boolean certificateIsPfx() {
        return certificatePath != null && isPfx(certificatePath);
    }

    /** A copy of the PFX password (the caller zeroes it), or null. */
    char[] certificatePassword() {
        return certificatePassword == null ? null : certificatePassword.clone();
    }

    Path federatedTokenFile() {
        return federatedTokenFile;
    }

    /** Where the credential comes from, for messages; never a secret. */
    public String credentialSource() {
        return credentialSource;
    }

    /** The configured keys; empty: every signing key of the vault. */
    public List<KeyName> keys() {
        return keys;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** The most Key Vault calls of this instance at once, over all requests ({@code max.concurrent.calls}). */
    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    /** The most calls of one batch at once ({@code max.parallel.signatures}); at most {@link #maxConcurrentCalls()}. */
    public int maxParallel() {
        return maxParallel;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** Zeroes the secrets held by these settings. */
    public void clearSecrets() {
        if (clientSecret != null) {
            Arrays.fill(clientSecret, '\0');
        }
        if (certificatePassword != null) {
            Arrays.fill(certificatePassword, '\0');
        }
    }

    @Override
    public String toString() {
        return "AzureKeyVaultSettings[" + backendId + ", " + (managedHsm ? "Managed HSM " : "vault ") + vaultUrl
                + ", credential " + credentialSource + ", "
                + (keys.isEmpty() ? "all signing keys" : keys.size() + " key(s)")
                + ", call " + callTimeout.toMillis() + " ms, attempt " + attemptTimeout.toMillis() + " ms, "
                + maxConcurrentCalls + " calls, " + maxParallel + " per batch, " + maxRetries + " retries]";
    }
}
