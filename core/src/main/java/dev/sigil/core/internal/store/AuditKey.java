package dev.sigil.core.internal.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
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

    /** The length of the key, in bytes. */
    static final int BYTES = 32;

    /**
     * The key from its {@value #BYTES} bytes (as {@code SecretRef.resolveKey} reads them).
     *
     * @param master read, not kept (the caller zeroes it)
     * @throws IllegalArgumentException if it is not {@value #BYTES} bytes long
     */
    public static AuditKey of(byte[] master) {
        if (master.length != BYTES) {
            throw new IllegalArgumentException("an audit key is " + BYTES + " bytes");
        }
        return new AuditKey(master);
    }

    /** A random key, for tests. */
    public static AuditKey random() {
        byte[] master = new byte[BYTES];
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
