package dev.sigil.core.internal.store;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that keys the audit log: HMAC-SHA256 over each record (so that a writer with database
 * access cannot recompute the chain after changing or removing records) and over each checkpoint
 * written outside the database. It must not live in the database: it comes from a file or an
 * environment variable ({@code audit.key.file} / {@code audit.key.env}), base64 of 32 random bytes.
 * Two keys are derived from it, one per use, so that a checkpoint can never pass for a record.
 *
 * <p>Immutable and thread-safe (each MAC computation takes its own {@link Mac}).
 */
public final class AuditKey {
    private final SecretKeySpec records;
    private final SecretKeySpec checkpoints;

    private AuditKey(byte[] master) {
        records = new SecretKeySpec(mac(new SecretKeySpec(master, "HmacSHA256"), "sigil audit records v1"),
                "HmacSHA256");
        checkpoints = new SecretKeySpec(mac(new SecretKeySpec(master, "HmacSHA256"), "sigil audit checkpoints v1"),
                "HmacSHA256");
    }

    /**
     * The key from its configured text, base64 of exactly 32 bytes (one trailing line break ignored).
     *
     * @param setting the setting named in the message
     * @param text    the text; read, not kept (the caller zeroes it)
     * @throws SigilException {@link ErrorCode#CONFIGURATION} if it is not 32 bytes of base64
     */
    public static AuditKey of(String setting, char[] text) throws SigilException {
        byte[] master;
        try {
            master = Base64.getDecoder().decode(new String(text).trim());
        } catch (IllegalArgumentException e) {
            throw new SigilException(ErrorCode.CONFIGURATION, "store: " + setting + " must be base64 of 32 bytes");
        }
        try {
            if (master.length != 32) {
                throw new SigilException(ErrorCode.CONFIGURATION, "store: " + setting + " must be base64 of 32 bytes, not "
                        + master.length + " bytes");
            }
            return new AuditKey(master);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
    }

    /** A random key, for tests. */
    public static AuditKey random() {
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        try {
            return new AuditKey(master);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
    }

    /** HMAC-SHA256 of a record's encoding, hex. */
    String record(byte[] encoded) {
        return HexFormat.of().formatHex(mac(records, encoded));
    }

    /** HMAC-SHA256 of a checkpoint's text, hex. */
    String checkpoint(String text) {
        return HexFormat.of().formatHex(mac(checkpoints, text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] mac(SecretKeySpec key, String label) {
        return mac(key, label.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] mac(SecretKeySpec key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal(data);
        } catch (GeneralSecurityException impossible) {
            throw new IllegalStateException("HmacSHA256 is not available", impossible);
        }
    }

    @Override
    public String toString() {
        return "AuditKey[redacted]";
    }
}
