package dev.sigil.backend.pkcs11.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;
import dev.sigil.backend.kit.SettingsChecks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The validated settings of one PKCS#11 backend instance, with the user PIN resolved from its
 * environment variable or file.
 *
 * <p>{@link #from} is a pure function of the configuration, the environment and the file system,
 * so every configuration mistake can be tested without OSGi and without a token. Each mistake
 * becomes a {@link SigilException} with {@link ErrorCode#CONFIGURATION} and a one-line message that
 * names the backend id, the setting and the problem, for example
 * {@code backend-pkcs11 'hsm': set exactly one of slot.id and token.label}.
 *
 * <p>The PIN is held in a {@code char[]} that {@link #clearPin()} zeroes; it never appears in
 * {@link #toString()}. Not thread-safe; build, hand to {@link Pkcs11Backend}, clear.
 */
public final class Pkcs11Settings {
    /** The prefix of every message about this backend's configuration. */
    static final String COMPONENT = "backend-pkcs11";
    /** Where Debian and Ubuntu install SoftHSM2's library. */
    static final String DEFAULT_MODULE_PATH = "/usr/lib/softhsm/libsofthsm2.so";
    static final int DEFAULT_POOL_SIZE = 4;
    static final long DEFAULT_BORROW_TIMEOUT_MS = 2000;
    static final int MAX_POOL_SIZE = 256;
    static final long MAX_BORROW_TIMEOUT_MS = 60_000;
    /** CK_TOKEN_INFO.label is 32 bytes, blank-padded. */
    private static final int MAX_LABEL_BYTES = 32;

    private final String backendId;
    private final Path modulePath;
    private final String tokenLabel;
    private final Long slotId;
    private final String pinSource;
    private final char[] pin;
    private final int poolSize;
    private final long borrowTimeoutMs;
    private final VendorProfile vendorProfile;

    private Pkcs11Settings(String backendId, Path modulePath, String tokenLabel, Long slotId, String pinSource,
                           char[] pin, int poolSize, long borrowTimeoutMs, VendorProfile vendorProfile) {
        this.backendId = backendId;
        this.modulePath = modulePath;
        this.tokenLabel = tokenLabel;
        this.slotId = slotId;
        this.pinSource = pinSource;
        this.pin = pin;
        this.poolSize = poolSize;
        this.borrowTimeoutMs = borrowTimeoutMs;
        this.vendorProfile = vendorProfile;
    }

    /**
     * Validates a configuration and resolves the user PIN.
     *
     * @param config the configuration as Declarative Services delivers it (defaults applied); not null
     * @param env    looks up an environment variable, null if unset ({@code System::getenv} in
     *               production); not null
     * @return the settings; the caller clears the PIN when done with them
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with the one-line problem
     */
    public static Pkcs11Settings from(Pkcs11BackendConfig config, Function<String, String> env)
            throws SigilException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(env, "env");

        String id = KeyRef.checkBackendId(COMPONENT, config.sigil_backend_id());

        String moduleText = SettingsChecks.trimToNull(config.module_path());
        if (moduleText == null) {
            moduleText = DEFAULT_MODULE_PATH;
        }
        Path module;
        try {
            module = Path.of(moduleText).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw problem(id, "module.path '" + moduleText + "' is not a valid path");
        }
        if (!Files.exists(module)) {
            throw problem(id, "PKCS#11 library " + module + " does not exist (module.path)");
        }
        if (!Files.isRegularFile(module)) {
            throw problem(id, "PKCS#11 library " + module + " is not a regular file (module.path)");
        }

        String label = config.token_label() == null || config.token_label().isBlank()
                ? null : config.token_label().strip();
        String slotText = SettingsChecks.trimToNull(config.slot_id());
        if ((label == null) == (slotText == null)) {
            throw problem(id, "set exactly one of slot.id and token.label (token.label is preferred: "
                    + "slot ids change when tokens are re-created)");
        }
        Long slot = null;
        if (slotText != null) {
            slot = parseSlotId(id, slotText);
        } else if (label.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL_BYTES) {
            throw problem(id, "token.label '" + label + "' is longer than the 32 bytes a PKCS#11 token label holds");
        }

        int pool = config.pool_size();
        if (pool < 1 || pool > MAX_POOL_SIZE) {
            throw problem(id, "pool.size " + pool + " is outside 1.." + MAX_POOL_SIZE);
        }
        long timeout = config.borrow_timeout_ms();
        if (timeout < 1 || timeout > MAX_BORROW_TIMEOUT_MS) {
            throw problem(id, "borrow.timeout.ms " + timeout + " is outside 1.." + MAX_BORROW_TIMEOUT_MS);
        }

        VendorProfile profile = null;
        String profileText = SettingsChecks.trimToNull(config.vendor_profile());
        if (profileText != null) {
            profile = VendorProfile.parse(profileText).orElseThrow(() -> problem(id, "vendor.profile '"
                    + profileText + "' is not one of " + VendorProfile.names()));
        }

        SecretRef secret;
        char[] pin;
        SettingsChecks checks = new SettingsChecks(COMPONENT, id);
        secret = checks.secretRef("user.pin", config.user_pin_env(), config.user_pin_file());
        pin = checks.secret(secret, env);
        String formProblem = profile == null ? null : profile.pinFormProblem(pin);
        if (formProblem != null) {
            Arrays.fill(pin, '\0');
            throw problem(id, formProblem + " (" + secret + ")");
        }
        return new Pkcs11Settings(id, module, label, slot, secret.toString(), pin, pool, timeout, profile);
    }

    /** The backend instance id; never blank. */
    public String backendId() {
        return backendId;
    }

    /** The absolute path of the PKCS#11 library; it existed when the settings were read. */
    public Path modulePath() {
        return modulePath;
    }

    /** The token label to look for, or null if {@link #slotId()} is set. */
    public String tokenLabel() {
        return tokenLabel;
    }

    /** The slot id, or null if {@link #tokenLabel()} is set. */
    public Long slotId() {
        return slotId;
    }

    /** The token to use: its label or its slot id. */
    Target target() {
        return new Target(tokenLabel, slotId);
    }

    /**
     * Which token a backend uses: exactly one of a label and a slot id.
     *
     * @param label  the token label, or null
     * @param slotId the slot id, or null
     */
    record Target(String label, Long slotId) {
        Target {
            if ((label == null) == (slotId == null)) {
                throw new IllegalArgumentException("exactly one of label and slotId");
            }
        }

        /** How the token is named in messages: {@code token 'sigil-a'} or {@code the token in slot 3}. */
        String name() {
            return label != null ? "token '" + label + "'" : "the token in slot " + slotId;
        }
    }

    /**
     * Where the PIN came from, as {@link SecretRef#toString()} gives it
     * ({@code user.pin.file=/run/hsm.pin}); for messages.
     */
    public String pinSource() {
        return pinSource;
    }

    /** A copy of the PIN; the caller zeroes it. All zero after {@link #clearPin()}. */
    public char[] pin() {
        return pin.clone();
    }

    /** The number of sessions in the pool, 1..256. */
    public int poolSize() {
        return poolSize;
    }

    /** How long {@code sign} waits for a session before answering busy, in milliseconds. */
    public long borrowTimeoutMs() {
        return borrowTimeoutMs;
    }

    /** The vendor profile, or null for plain PKCS#11. */
    public VendorProfile vendorProfile() {
        return vendorProfile;
    }

    /** Zeroes the PIN held by these settings. */
    public void clearPin() {
        Arrays.fill(pin, '\0');
    }

    /** A configuration problem of backend {@code id}, as a one-line exception. */
    static SigilException problem(String id, String what) {
        return new SettingsChecks(COMPONENT, id).problem(what);
    }

    @Override
    public String toString() {
        return "Pkcs11Settings[" + backendId + ", " + modulePath + ", " + target().name() + ", pool " + poolSize
                + ", timeout " + borrowTimeoutMs + " ms, PIN from " + pinSource
                + (vendorProfile == null ? "" : ", profile " + vendorProfile.configName()) + "]";
    }

    private static Long parseSlotId(String id, String text) throws SigilException {
        try {
            String t = text.toLowerCase(Locale.ROOT);
            long value = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            if (value < 0) {
                throw new NumberFormatException(text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw problem(id, "slot.id '" + text + "' is not a slot number (decimal or 0x hex)");
        }
    }

}
