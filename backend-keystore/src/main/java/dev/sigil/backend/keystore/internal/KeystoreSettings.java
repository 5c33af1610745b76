package dev.sigil.backend.keystore.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;
import dev.sigil.backend.kit.SettingsChecks;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The validated settings of one keystore backend instance, with the keystore password resolved
 * from its environment variable or file.
 *
 * <p>{@link #from} is a pure function of the configuration, the environment and the file system,
 * so every configuration mistake can be tested without OSGi. Each mistake becomes a
 * {@link SigilException} with {@link ErrorCode#CONFIGURATION} and a one-line message that names
 * the backend id, the setting and the problem, for example
 * {@code backend-keystore 'default': keystore.password.env names SIGIL_KS_PASS, which is not set}.
 *
 * <p>The password is held in a {@code char[]} that {@link #clearPassword()} zeroes; it never
 * appears in {@link #toString()}. Not thread-safe; build, hand to {@link KeystoreBackend}, clear.
 */
public final class KeystoreSettings {
    /** The prefix of every message about this backend's configuration. */
    static final String COMPONENT = "backend-keystore";

    /** Keystore types that live in a file, so that {@code keystore.path} is required for them. */
    private static final Set<String> FILE_TYPES = Set.of(
            "PKCS12", "PKCS12-DEF", "PKCS12-3DES-3DES", "PKCS12-DEF-3DES-3DES", "BCPKCS12",
            "JKS", "JCEKS", "CASEEXACTJKS", "DKS", "BKS", "BKS-V1", "UBER", "BCFKS", "BCFKS-DEF");

    private final String backendId;
    private final String keystoreType;
    private final Path keystorePath;
    private final String keystoreProvider;
    private final String passwordSource;
    private final char[] password;
    private final String signatureProvider;
    private final Path providerJar;
    private final String providerClass;
    private final String providerConfig;

    private KeystoreSettings(String backendId, String keystoreType, Path keystorePath,
                             String keystoreProvider, String passwordSource, char[] password,
                             String signatureProvider, Path providerJar, String providerClass,
                             String providerConfig) {
        this.backendId = backendId;
        this.keystoreType = keystoreType;
        this.keystorePath = keystorePath;
        this.keystoreProvider = keystoreProvider;
        this.passwordSource = passwordSource;
        this.password = password;
        this.signatureProvider = signatureProvider;
        this.providerJar = providerJar;
        this.providerClass = providerClass;
        this.providerConfig = providerConfig;
    }

    /**
     * Validates a configuration and resolves the keystore password.
     *
     * @param config the configuration as Declarative Services delivers it (defaults applied); not null
     * @param env    looks up an environment variable, null if unset ({@code System::getenv} in
     *               production); not null
     * @return the settings; the caller clears the password when done with them
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with the one-line problem
     */
    public static KeystoreSettings from(KeystoreBackendConfig config, Function<String, String> env)
            throws SigilException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(env, "env");

        String id = KeyRef.checkBackendId(COMPONENT, config.sigil_backend_id());

        String type = SettingsChecks.trimToNull(config.keystore_type());
        if (type == null) {
            type = "PKCS12";
        }

        Path path = null;
        String pathText = SettingsChecks.trimToNull(config.keystore_path());
        if (pathText == null) {
            if (FILE_TYPES.contains(type.toUpperCase(Locale.ROOT))) {
                throw problem(id, "keystore.path is required for keystore type " + type);
            }
        } else {
            path = toPath(id, "keystore.path", pathText);
            if (!Files.exists(path)) {
                throw problem(id, "keystore file " + path + " does not exist (keystore.path)");
            }
            if (!Files.isRegularFile(path)) {
                throw problem(id, "keystore file " + path + " is not a regular file (keystore.path)");
            }
        }

        String keystoreProvider = SettingsChecks.trimToNull(config.keystore_provider());
        String providerClass = SettingsChecks.trimToNull(config.provider_class());
        String providerConfig = SettingsChecks.trimToNull(config.provider_config());
        Path providerJar = null;
        String jarText = SettingsChecks.trimToNull(config.provider_jar());
        if (jarText == null) {
            if (providerClass != null) {
                throw problem(id, "provider.class " + providerClass + " needs provider.jar, the jar to load it from");
            }
            if (providerConfig != null) {
                throw problem(id, "provider.config needs provider.jar and provider.class");
            }
        } else {
            providerJar = toPath(id, "provider.jar", jarText);
            if (keystoreProvider != null) {
                throw problem(id, "set keystore.provider (an installed provider) or provider.jar (a provider "
                        + "loaded from a jar), not both");
            }
            if (!Files.exists(providerJar)) {
                throw problem(id, "provider.jar " + providerJar + " does not exist");
            }
            if (!Files.isRegularFile(providerJar)) {
                throw problem(id, "provider.jar " + providerJar + " is not a regular file");
            }
            if (providerClass == null) {
                throw problem(id, "provider.class is required with provider.jar (the java.security.Provider "
                        + "subclass to load from it)");
            }
        }

        SecretRef secret;
        char[] password;
        SettingsChecks checks = new SettingsChecks(COMPONENT, id);
        secret = checks.secretRef("keystore.password", config.keystore_password_env(),
                    config.keystore_password_file());
        password = checks.secret(secret, env);

        return new KeystoreSettings(id, type, path, keystoreProvider, secret.toString(), password,
                SettingsChecks.trimToNull(config.signature_provider()), providerJar, providerClass, providerConfig);
    }

    /** The backend instance id; never blank. */
    public String backendId() {
        return backendId;
    }

    /** The JCA KeyStore type; never blank. */
    public String keystoreType() {
        return keystoreType;
    }

    /** The absolute keystore file, or null for a provider keystore without a file. */
    public Path keystorePath() {
        return keystorePath;
    }

    /** The JCA provider name for the KeyStore, or null for the first provider with the type. */
    public String keystoreProvider() {
        return keystoreProvider;
    }

    /**
     * Where the password came from, as {@link SecretRef#toString()} gives it
     * ({@code keystore.password.file=/run/ks.pass}); for messages.
     */
    public String passwordSource() {
        return passwordSource;
    }

    /** A copy of the password; the caller zeroes it. Empty after {@link #clearPassword()}. */
    public char[] password() {
        return password.clone();
    }

    /** The JCA provider name to sign with, or null for the bundle's BouncyCastle instance. */
    public String signatureProvider() {
        return signatureProvider;
    }

    /** The absolute path of the jar to load a provider from, or null to use installed providers. */
    public Path providerJar() {
        return providerJar;
    }

    /** The {@code java.security.Provider} subclass in {@link #providerJar()}; null without a jar. */
    public String providerClass() {
        return providerClass;
    }

    /** The argument for the provider's {@code (String)} constructor or {@code configure}; null if none. */
    public String providerConfig() {
        return providerConfig;
    }

    /** Zeroes the password held by these settings. */
    public void clearPassword() {
        Arrays.fill(password, '\0');
    }

    /** A configuration problem of this backend, as a one-line exception. */
    SigilException problem(String what) {
        return problem(backendId, what);
    }

    /** A configuration problem of backend {@code id}, as a one-line exception. */
    static SigilException problem(String id, String what) {
        return new SettingsChecks(COMPONENT, id).problem(what);
    }

    @Override
    public String toString() {
        return "KeystoreSettings[" + backendId + ", " + keystoreType + ", "
                + (keystorePath == null ? "no file" : keystorePath)
                + (providerJar == null ? "" : ", provider " + providerClass + " from " + providerJar)
                + ", password from " + passwordSource + "]";
    }

    private static Path toPath(String id, String setting, String text) throws SigilException {
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw problem(id, setting + " '" + text + "' is not a valid path");
        }
    }

}
