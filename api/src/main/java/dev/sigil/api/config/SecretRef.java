package dev.sigil.api.config;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;

/**
 * A secret named by configuration: either an environment variable ({@code <setting>.env}) or a file
 * ({@code <setting>.file}), exactly one of the two. The value itself never appears in configuration.
 *
 * <pre>{@code
 * SecretRef ref = SecretRef.of("tls.keystore.password", config.tls_keystore_password_env(),
 *         config.tls_keystore_password_file());
 * char[] password = ref.resolve(System::getenv);
 * try { ... } finally { Arrays.fill(password, '\0'); }
 * }</pre>
 *
 * @param setting the setting's base name, used in messages (e.g. {@code tls.keystore.password})
 * @param env     the environment variable's name, or null
 * @param file    the file's path, or null
 */
public record SecretRef(String setting, String env, String file) {
    public SecretRef {
        Objects.requireNonNull(setting, "setting");
        env = blankToNull(env);
        file = blankToNull(file);
    }

    /**
     * Checks that exactly one source is given.
     *
     * @throws SigilException {@link ErrorCode#CONFIGURATION} naming both settings otherwise
     */
    public static SecretRef of(String setting, String env, String file) throws SigilException {
        SecretRef ref = new SecretRef(setting, env, file);
        if ((ref.env == null) == (ref.file == null)) {
            throw new SigilException(ErrorCode.CONFIGURATION, "set exactly one of " + setting + ".env and "
                    + setting + ".file");
        }
        return ref;
    }

    /**
     * Reads the secret. The file's content is taken as UTF-8 with one trailing line break removed.
     *
     * @param environment looks up environment variables (normally {@code System::getenv})
     * @return a new array the caller owns and should zero after use
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if the variable is unset or empty, or the
     *                        file cannot be read; the message names the setting, never the value
     */
    public char[] resolve(Function<String, String> environment) throws SigilException {
        if (env != null) {
            String value = environment.apply(env);
            if (value == null || value.isEmpty()) {
                throw new SigilException(ErrorCode.CONFIGURATION,
                        setting + ".env names " + env + ", which is not set");
            }
            return value.toCharArray();
        }
        if (file == null) {
            throw new SigilException(ErrorCode.CONFIGURATION, "set exactly one of " + setting + ".env and "
                    + setting + ".file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new SigilException(ErrorCode.CONFIGURATION,
                    setting + ".file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        try {
            int n = bytes.length;
            if (n > 0 && bytes[n - 1] == '\n') {
                n--;
                if (n > 0 && bytes[n - 1] == '\r') {
                    n--;
                }
            }
            if (n == 0) {
                throw new SigilException(ErrorCode.CONFIGURATION, setting + ".file " + file + " is empty");
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(chars.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, setting + ".file " + file + " is not UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Reads a key given as base64 (RFC 4648, with padding) of exactly {@code length} bytes, such as
     * an encryption or MAC key made with {@code openssl rand -base64 32}. The text is zeroed after
     * decoding; no copy of it is left in a {@link String}.
     *
     * @param environment looks up environment variables (normally {@code System::getenv})
     * @param length      the key's length in bytes
     * @return a new array the caller owns and must zero after use
     * @throws SigilException {@link ErrorCode#CONFIGURATION} as {@link #resolve}, or
     *                        "{@code <setting> must be base64 of <length> bytes}", never naming the value
     * @since 1.1
     */
    public byte[] resolveKey(Function<String, String> environment, int length) throws SigilException {
        char[] text = resolve(environment);
        byte[] ascii = new byte[text.length];
        SigilException bad = new SigilException(ErrorCode.CONFIGURATION,
                setting + " must be base64 of " + length + " bytes");
        try {
            for (int i = 0; i < text.length; i++) {
                if (text[i] > 0x7f) {
                    throw bad;
                }
                ascii[i] = (byte) text[i];
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(ascii);
            } catch (IllegalArgumentException e) {
                throw bad; // the JDK's message quotes the offending character: not passed on
            }
            if (key.length != length) {
                Arrays.fill(key, (byte) 0);
                throw bad;
            }
            return key;
        } finally {
            Arrays.fill(text, '\0');
            Arrays.fill(ascii, (byte) 0);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return env != null ? setting + ".env=" + env : setting + ".file=" + file;
    }
}
