package dev.sigil.backend.kit;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;

import java.util.Objects;
import java.util.function.Function;

/**
 * Checks one backend instance's configuration and words every problem alike: one line,
 * {@code <component> '<id>': <setting> <what is wrong>}, as a {@link ErrorCode#CONFIGURATION}
 * {@link SigilException} that stops the component's activation (the launcher prints the line).
 *
 * <pre>{@code
 * SettingsChecks checks = SettingsChecks.of("backend-aws", config.sigil_backend_id());
 * int permits = checks.range("max.parallel.signatures", config.max_parallel_signatures(), 1, 256);
 * char[] secret = checks.secret("secret.access.key", config.secret_access_key_env(),
 *         config.secret_access_key_file(), System::getenv);
 * }</pre>
 *
 * @param component the bundle's short name, e.g. {@code backend-pkcs11}
 * @param id        the instance's {@code sigil.backend.id}, already checked
 */
public record SettingsChecks(String component, String id) {
    public SettingsChecks {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(id, "id");
    }

    /**
     * Checks the instance id ({@link KeyRef#checkBackendId}) and returns the checks for it.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the id is missing or malformed
     */
    public static SettingsChecks of(String component, String backendId) throws SigilException {
        return new SettingsChecks(component, KeyRef.checkBackendId(component, backendId));
    }

    /** The problem, worded as every backend words it. */
    public SigilException problem(String what) {
        return new SigilException(ErrorCode.CONFIGURATION, component + " '" + id + "': " + what);
    }

    /** {@code value} if it lies in [min, max]; otherwise the problem naming the setting and the range. */
    public long range(String setting, long value, long min, long max) throws SigilException {
        if (value < min || value > max) {
            throw problem(setting + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }

    /** As {@link #range(String, long, long, long)} for an int. */
    public int range(String setting, int value, int min, int max) throws SigilException {
        return (int) range(setting, (long) value, min, max);
    }

    /**
     * Resolves a secret given as an environment variable or a file ({@code <name>.env} /
     * {@code <name>.file}, exactly one), never as a literal value.
     *
     * @return the secret; the caller zeroes it when done
     * @throws SigilException the problem, prefixed with component and id
     */
    public char[] secret(String name, String envVariable, String file, Function<String, String> env)
            throws SigilException {
        SecretRef ref = secretRef(name, envVariable, file);
        try {
            return ref.resolve(env);
        } catch (SigilException e) {
            throw new SigilException(e.code(), component + " '" + id + "': " + e.getMessage(), e);
        }
    }

    /** The {@link SecretRef} of a secret setting, checked; its {@code toString()} names the source for messages. */
    public SecretRef secretRef(String name, String envVariable, String file) throws SigilException {
        try {
            return SecretRef.of(name, envVariable, file);
        } catch (SigilException e) {
            throw new SigilException(e.code(), component + " '" + id + "': " + e.getMessage(), e);
        }
    }

    /** The text stripped, or null if it is null or blank: how an unset optional setting reads. */
    public static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
