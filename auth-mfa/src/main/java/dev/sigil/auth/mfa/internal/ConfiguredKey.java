package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.config.SecretRef;

import java.util.function.Function;

/**
 * Reads a key named by configuration ({@code <setting>.env} or {@code <setting>.file}): base64
 * (RFC 4648, with padding) of an exact number of bytes, such as the TOTP KEK and the pepper.
 * Messages name the PID and the setting, never the value.
 */
final class ConfiguredKey {
    private ConfiguredKey() {
    }

    /**
     * @param pid         the component's PID, put before every message
     * @param setting     the setting's base name ({@code kek}, {@code pepper})
     * @param env         the configured variable name, or empty
     * @param file        the configured file, or empty
     * @param length      the key's length in bytes
     * @param environment looks up environment variables
     * @return the source (for the activation log line) and a new key array the caller must zero
     * @throws SigilException {@link ErrorCode#CONFIGURATION} with a one-line message: not exactly one
     *                        source, the variable unset, the file unreadable, or not base64 of
     *                        {@code length} bytes
     */
    static Read read(String pid, String setting, String env, String file, int length,
                     Function<String, String> environment) throws SigilException {
        SecretRef source = prefixed(pid, () -> SecretRef.of(setting, env, file));
        return new Read(source, prefixed(pid, () -> source.resolveKey(environment, length)));
    }

    /**
     * A key and where it came from.
     *
     * @param source names the variable or file, never the value
     * @param key    the key; the caller zeroes it
     */
    record Read(SecretRef source, byte[] key) {
    }

    private interface Step<T> {
        T run() throws SigilException;
    }

    /** Runs a step of {@link SecretRef}, putting the PID before its message. */
    private static <T> T prefixed(String pid, Step<T> step) throws SigilException {
        try {
            return step.run();
        } catch (SigilException e) {
            throw new SigilException(e.code(), pid + ": " + e.getMessage(), e.getCause());
        }
    }
}
