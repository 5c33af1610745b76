package dev.sigil.core.internal.store;

import dev.sigil.api.SigilException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The append-only, hash-chained audit log in the store.
 *
 * <p>Each record's hash is SHA-256 over its sequence number, time, event, outcome, user,
 * credential, request id, detail and the previous record's hash, each field length-prefixed so
 * that no two different records encode alike. Appending locks the single {@code audit_head} row,
 * so records are chained in one order even with several server nodes on one database. The head
 * names the newest record, so that a record removed at the end is noticed as well.
 *
 * <pre>{@code
 * store.inTransaction(c -> { ...; audit.append(c, new AuditEvent(...)); return null; });
 * Optional<String> broken = audit.verify(store);
 * }</pre>
 */
public final class AuditLog {
    static final String GENESIS = "0".repeat(64);

    private final java.time.Clock clock;

    public AuditLog(java.time.Clock clock) {
        this.clock = clock;
    }

    /**
     * Appends a record in the caller's transaction (so that it is written if and only if the work it
     * describes is committed — call it in its own transaction to record refusals).
     *
     * @return the record's sequence number
     */
    public long append(Connection c, AuditEvent e) throws SQLException {
        long seq;
        String prev;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, record_hash FROM audit_head WHERE id = 1 FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("audit_head has no row");
            }
            seq = rs.getLong(1) + 1;
            prev = rs.getString(2);
        }
        long at = clock.millis();
        String hash = hash(seq, at, e, prev);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at, event, outcome, user_id, "
                + "credential_id, request_id, detail, prev_hash, record_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setLong(2, at);
            ps.setString(3, e.event());
            ps.setString(4, e.outcome().name());
            ps.setString(5, e.userId());
            ps.setString(6, e.credentialId());
            ps.setString(7, e.requestId());
            ps.setString(8, e.detail());
            ps.setString(9, prev);
            ps.setString(10, hash);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET seq = ?, record_hash = ? WHERE id = 1")) {
            ps.setLong(1, seq);
            ps.setString(2, hash);
            ps.executeUpdate();
        }
        return seq;
    }

    /** Appends in a transaction of its own; for refusals, whose caller's work is rolled back. */
    public long appendNow(Store store, AuditEvent e) throws SigilException {
        return store.inTransaction(c -> append(c, e));
    }

    /**
     * Checks the whole chain.
     *
     * @return empty if intact, else a sentence naming the first broken record
     */
    public Optional<String> verify(Store store) throws SigilException {
        return store.inTransaction(c -> {
            String prev = GENESIS;
            long expected = 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, event, outcome, user_id, credential_id, "
                    + "request_id, detail, prev_hash, record_hash FROM audit_log ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    if (seq != expected) {
                        return Optional.of("record " + expected + " is missing (the log jumps from " + (expected - 1)
                                + " to " + seq + ")");
                    }
                    AuditEvent e = new AuditEvent(rs.getString(3), AuditEvent.Outcome.valueOf(rs.getString(4)),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
                    if (!prev.equals(rs.getString(9))) {
                        return Optional.of("record " + seq + " does not follow record " + (seq - 1)
                                + " (its previous-hash differs)");
                    }
                    String recomputed = hash(seq, rs.getLong(2), e, prev);
                    if (!recomputed.equals(rs.getString(10))) {
                        return Optional.of("record " + seq + " was altered (its content does not match its hash)");
                    }
                    prev = recomputed;
                    expected++;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, record_hash FROM audit_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != expected - 1 || !rs.getString(2).equals(prev)) {
                    return Optional.of("the log ends at record " + (expected - 1) + " but its head names record "
                            + rs.getLong(1) + " (records were removed at the end)");
                }
            }
            return Optional.<String>empty();
        });
    }

    /** The number of records. */
    public long size(Store store) throws SigilException {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Records after {@code afterSeq}, oldest first, at most {@code max}. */
    public java.util.List<dev.sigil.api.admin.AuditRecord> after(Store store, long afterSeq, int max)
            throws SigilException {
        return store.inTransaction(c -> {
            java.util.List<dev.sigil.api.admin.AuditRecord> out = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, event, outcome, user_id, credential_id, "
                    + "request_id, detail FROM audit_log WHERE seq > ? ORDER BY seq")) {
                ps.setLong(1, afterSeq);
                ps.setMaxRows(max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new dev.sigil.api.admin.AuditRecord(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                    }
                }
            }
            return out;
        });
    }

    static String hash(long seq, long at, AuditEvent e, String prev) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        field(out, Long.toString(seq));
        field(out, Long.toString(at));
        field(out, e.event());
        field(out, e.outcome().name());
        field(out, e.userId());
        field(out, e.credentialId());
        field(out, e.requestId());
        field(out, e.detail());
        field(out, prev);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** A field as its UTF-8 length (4 bytes, -1 for null) and bytes. */
    private static void field(ByteArrayOutputStream out, String value) {
        byte[] b = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        int n = b == null ? -1 : b.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        if (b != null) {
            out.write(b, 0, b.length);
        }
    }
}
