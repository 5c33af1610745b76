package dev.sigil.backend.aws.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.backend.kit.CallLimits;
import dev.sigil.backend.kit.SettingsChecks;
import dev.sigil.api.config.SecretRef;

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
 * The validated settings of one AWS KMS backend instance, with a static access key resolved from
 * its environment variables or files.
 *
 * <p>{@link #from} is a pure function of the configuration, the environment and the file system,
 * so every configuration mistake can be tested without OSGi and without KMS. Each mistake becomes
 * a {@link SigilException} with {@link ErrorCode#CONFIGURATION} and a one-line message naming the
 * backend id, the setting and the problem, e.g.
 * {@code backend-aws 'kms': credentials.mode 'iam' is not one of default, static, ...}.
 *
 * <p>The secret access key is held in a {@code char[]} that {@link #clearSecrets()} zeroes; it
 * never appears in {@link #toString()}.
 */
public final class AwsKmsSettings {
    /** The prefix of every message about this backend's configuration. */
    static final String COMPONENT = "backend-aws";
    static final String DEFAULT_CREDENTIALS_MODE = "default";
    static final String DEFAULT_SESSION_NAME = "sigil";
    static final String DEFAULT_ALIAS_PREFIX = "alias/sigil/";
    static final long DEFAULT_CALL_TIMEOUT_MS = 5_000;
    static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
    static final int DEFAULT_MAX_CONCURRENT_CALLS = 64;
    static final int DEFAULT_MAX_PARALLEL = 16;
    static final int DEFAULT_MAX_RETRIES = 3;
    static final int DEFAULT_PAGE_SIZE = 100;

    /** AWS region names: eu-central-1, us-gov-west-1, cn-north-1, ... */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
    /** KMS alias names (the part after alias/ and the prefix itself). */
    private static final Pattern ALIAS_CHARS = Pattern.compile("[A-Za-z0-9/_-]*");
    private static final Pattern KEY_UUID = Pattern.compile(
            "(mrk-[0-9a-f]{32})|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

    /** Where the credentials come from. */
    enum CredentialsMode {
        DEFAULT("default"), STATIC("static"), PROFILE("profile"), WEB_IDENTITY("web-identity"),
        INSTANCE("instance"), CONTAINER("container");

        final String configName;

        CredentialsMode(String configName) {
            this.configName = configName;
        }

        static CredentialsMode parse(String text) {
            for (CredentialsMode m : values()) {
                if (m.configName.equals(text)) {
                    return m;
                }
            }
            return null;
        }

        static String names() {
            List<String> out = new ArrayList<>();
            for (CredentialsMode m : values()) {
                out.add(m.configName);
            }
            return String.join(", ", out);
        }
    }

    private final String backendId;
    private final String region;
    private final URI endpoint;
    private final CredentialsMode mode;
    private final String accessKeyId;
    private final char[] secretAccessKey;
    private final String credentialsSource;
    private final String profileName;
    private final String roleArn;
    private final Path tokenFile;
    private final String sessionName;
    private final List<String> keys;
    private final String aliasPrefix;
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final int maxConcurrentCalls;
    private final int maxParallel;
    private final int maxRetries;
    private final int pageSize;

    private AwsKmsSettings(Builder b) {
        this.backendId = b.backendId;
        this.region = b.region;
        this.endpoint = b.endpoint;
        this.mode = b.mode;
        this.accessKeyId = b.accessKeyId;
        this.secretAccessKey = b.secretAccessKey;
        this.credentialsSource = b.credentialsSource;
        this.profileName = b.profileName;
        this.roleArn = b.roleArn;
        this.tokenFile = b.tokenFile;
        this.sessionName = b.sessionName;
        this.keys = b.keys;
        this.aliasPrefix = b.aliasPrefix;
        this.callTimeout = b.callTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.maxConcurrentCalls = b.maxConcurrentCalls;
        this.maxParallel = b.maxParallel;
        this.maxRetries = b.maxRetries;
        this.pageSize = b.pageSize;
    }

    private static final class Builder {
        String backendId;
        String region;
        URI endpoint;
        CredentialsMode mode;
        String accessKeyId;
        char[] secretAccessKey;
        String credentialsSource;
        String profileName;
        String roleArn;
        Path tokenFile;
        String sessionName;
        List<String> keys;
        String aliasPrefix;
        Duration callTimeout;
        Duration attemptTimeout;
        int maxConcurrentCalls;
        int maxParallel;
        int maxRetries;
        int pageSize;
    }

    /**
     * Validates a configuration and resolves a static access key.
     *
     * @param config the configuration as Declarative Services delivers it (defaults applied); not null
     * @param env    looks up an environment variable, null if unset ({@code System::getenv} in production)
     * @return the settings; the caller clears the secrets when done with them
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with the one-line problem
     */
    public static AwsKmsSettings from(AwsKmsBackendConfig config, Function<String, String> env)
            throws SigilException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(env, "env");
        Builder b = new Builder();
        SettingsChecks checks = SettingsChecks.of(COMPONENT, config.sigil_backend_id());
        b.backendId = checks.id();

        String region = SettingsChecks.trimToNull(config.region());
        if (region == null) {
            throw checks.problem("region is required (e.g. eu-central-1)");
        }
        if (!REGION.matcher(region).matches()) {
            throw checks.problem("region '" + region + "' is not an AWS region name (e.g. eu-central-1)");
        }
        b.region = region;

        String endpoint = SettingsChecks.trimToNull(config.endpoint_override());
        if (endpoint != null) {
            URI uri;
            try {
                uri = new URI(endpoint);
            } catch (URISyntaxException e) {
                throw checks.problem("endpoint.override '" + endpoint + "' is not a URI");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw checks.problem("endpoint.override '" + endpoint + "' must be an https:// (or http://) URI with a host");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw checks.problem("endpoint.override '" + endpoint + "' must have no user, query or fragment");
            }
            b.endpoint = uri;
        }

        String modeText = SettingsChecks.trimToNull(config.credentials_mode());
        CredentialsMode mode = CredentialsMode.parse(modeText == null ? DEFAULT_CREDENTIALS_MODE
                : modeText.toLowerCase(Locale.ROOT));
        if (mode == null) {
            throw checks.problem("credentials.mode '" + modeText + "' is not one of " + CredentialsMode.names());
        }
        b.mode = mode;
        b.credentialsSource = mode.configName;
        String profile = SettingsChecks.trimToNull(config.profile_name());
        String roleArn = SettingsChecks.trimToNull(config.web_identity_role_arn());
        String tokenFile = SettingsChecks.trimToNull(config.web_identity_token_file());
        boolean staticGiven = SettingsChecks.trimToNull(config.access_key_id_env()) != null
                || SettingsChecks.trimToNull(config.access_key_id_file()) != null
                || SettingsChecks.trimToNull(config.secret_access_key_env()) != null
                || SettingsChecks.trimToNull(config.secret_access_key_file()) != null;
        if (mode != CredentialsMode.STATIC && staticGiven) {
            throw checks.problem("access.key.id.* and secret.access.key.* are only read with credentials.mode static, not "
                    + mode.configName);
        }
        if (mode != CredentialsMode.PROFILE && profile != null) {
            throw checks.problem("profile.name is only read with credentials.mode profile, not " + mode.configName);
        }
        if (mode != CredentialsMode.WEB_IDENTITY && (roleArn != null || tokenFile != null)) {
            throw checks.problem("web.identity.* is only read with credentials.mode web-identity, not " + mode.configName);
        }
        SecretRef keyIdRef = null;
        SecretRef secretRef = null;
        switch (mode) {
            case STATIC -> {
                // Checked here, read last: no other problem can then leave a secret behind.
                keyIdRef = checks.secretRef("access.key.id", config.access_key_id_env(), config.access_key_id_file());
                secretRef = checks.secretRef("secret.access.key", config.secret_access_key_env(),
                        config.secret_access_key_file());
                b.credentialsSource = "static (" + keyIdRef + ", " + secretRef + ")";
            }
            case PROFILE -> {
                if (profile == null) {
                    throw checks.problem("profile.name is required with credentials.mode profile");
                }
                b.profileName = profile;
                b.credentialsSource = "profile '" + profile + "'";
            }
            case WEB_IDENTITY -> {
                if (roleArn == null || !roleArn.startsWith("arn:")) {
                    throw checks.problem("web.identity.role.arn is required with credentials.mode web-identity "
                            + "(arn:aws:iam::<account>:role/<name>)");
                }
                if (tokenFile == null) {
                    throw checks.problem("web.identity.token.file is required with credentials.mode web-identity");
                }
                Path token;
                try {
                    token = Path.of(tokenFile).toAbsolutePath().normalize();
                } catch (InvalidPathException e) {
                    throw checks.problem("web.identity.token.file '" + tokenFile + "' is not a valid path");
                }
                if (!Files.isRegularFile(token) || !Files.isReadable(token)) {
                    throw checks.problem("web.identity.token.file " + token + " is not a readable file");
                }
                String session = SettingsChecks.trimToNull(config.web_identity_session_name());
                if (session == null) {
                    session = DEFAULT_SESSION_NAME;
                }
                if (!session.matches("[\\w+=,.@-]{2,64}")) {
                    throw checks.problem("web.identity.session.name '" + session
                            + "' must be 2 to 64 of A-Z a-z 0-9 _ + = , . @ -");
                }
                b.roleArn = roleArn;
                b.tokenFile = token;
                b.sessionName = session;
                b.credentialsSource = "web identity (role " + roleArn + ", token " + token + ")";
            }
            default -> {
                // default, instance, container: nothing to configure
            }
        }

        String prefix = SettingsChecks.trimToNull(config.alias_prefix());
        if (prefix == null) {
            prefix = DEFAULT_ALIAS_PREFIX;
        }
        if (!prefix.startsWith("alias/") || prefix.startsWith("alias/aws/") || prefix.length() > 200
                || !ALIAS_CHARS.matcher(prefix.substring("alias/".length())).matches()) {
            throw checks.problem("alias.prefix '" + prefix + "' must start with alias/ (not alias/aws/) and contain "
                    + "only A-Z a-z 0-9 / _ -");
        }
        b.aliasPrefix = prefix;

        Set<String> keys = new LinkedHashSet<>();
        String[] configured = config.keys() == null ? new String[0] : config.keys();
        for (String raw : configured) {
            // A list given as one comma-separated string (a .cfg file's plain value) is split here.
            for (String part : raw == null ? new String[0] : raw.split(",")) {
                String k = part.strip();
                if (k.isEmpty()) {
                    continue;
                }
                if (!isKeyReference(k)) {
                    throw checks.problem("keys entry '" + k + "' is not a key id, key ARN or alias name (alias/...)");
                }
                keys.add(k);
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
        b.pageSize = checks.range("list.page.size", config.list_page_size(), 1, 100);

        if (mode == CredentialsMode.STATIC) {
            char[] keyId = checks.secret(keyIdRef, env);
            try {
                b.accessKeyId = new String(keyId).strip();
            } finally {
                Arrays.fill(keyId, '\0');
            }
            if (!b.accessKeyId.matches("[A-Za-z0-9]{16,128}")) {
                throw checks.problem("access.key.id is not an AWS access key id (16 to 128 letters and digits)");
            }
            b.secretAccessKey = checks.secret(secretRef, env);
        }
        return new AwsKmsSettings(b);
    }

    /** Whether {@code k} looks like a key id (UUID or mrk-), a key ARN or an alias name or ARN. */
    static boolean isKeyReference(String k) {
        if (k.startsWith("alias/")) {
            return k.length() > "alias/".length() && ALIAS_CHARS.matcher(k.substring(6)).matches();
        }
        if (k.startsWith("arn:")) {
            return k.matches("arn:[a-z-]+:kms:[a-z0-9-]+:\\d{12}:(key/.+|alias/[A-Za-z0-9/_-]+)");
        }
        return KEY_UUID.matcher(k).matches();
    }

    public String backendId() {
        return backendId;
    }

    public String region() {
        return region;
    }

    /** The endpoint override, or null for the region's endpoint. */
    public URI endpoint() {
        return endpoint;
    }

    CredentialsMode mode() {
        return mode;
    }

    /** The static access key id, or null. */
    String accessKeyId() {
        return accessKeyId;
    }

    /** A copy of the static secret access key (the caller zeroes it), or null. */
    char[] secretAccessKey() {
        return secretAccessKey == null ? null : secretAccessKey.clone();
    }

    /** Where the credentials come from, for messages; never a secret. */
    public String credentialsSource() {
        return credentialsSource;
    }

    String profileName() {
        return profileName;
    }

    String roleArn() {
        return roleArn;
    }

    Path tokenFile() {
        return tokenFile;
    }

    String sessionName() {
        return sessionName;
    }

    /** The configured keys (ids, ARNs, aliases); empty: discover by alias prefix. */
    public List<String> keys() {
        return keys;
    }

    public String aliasPrefix() {
        return aliasPrefix;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** The most KMS calls of this instance at once, over all requests ({@code max.concurrent.calls}). */
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

    public int pageSize() {
        return pageSize;
    }

    /** Zeroes the secret access key held by these settings. */
    public void clearSecrets() {
        if (secretAccessKey != null) {
            Arrays.fill(secretAccessKey, '\0');
        }
    }

    @Override
    public String toString() {
        return "AwsKmsSettings[" + backendId + ", " + region + (endpoint == null ? "" : ", endpoint " + endpoint)
                + ", credentials " + credentialsSource + ", "
                + (keys.isEmpty() ? "keys under " + aliasPrefix : keys.size() + " key(s)")
                + ", call " + callTimeout.toMillis() + " ms, attempt " + attemptTimeout.toMillis() + " ms, "
                + maxConcurrentCalls + " calls, " + maxParallel + " per batch, " + maxRetries + " retries]";
    }
}
