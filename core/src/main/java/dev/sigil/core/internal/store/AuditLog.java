package dev.sigil.core.internal.store;

import dev.sigil.api.SigilException;
import dev.sigil.api.admin.AuditRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, keyed, hash-chained audit log in the store, with signed checkpoints outside it.
 *
 * <p>Each record's link is HMAC-SHA256, under the {@link AuditKey} (which is not in the database),
 * over its sequence number, time, event, outcome, user, credential, request id, client address,
 * detail, scheme and the previous record's link, each field length-prefixed so that no two
 * different records encode alike. Without the key, a writer with database access cannot make a
 * changed or inserted record fit the chain. Appending locks the single {@code audit_head} row, so
 * records are chained in one order even with several server nodes on one database; the head names
 * the newest record, and the {@link AuditCheckpoints} outside the database name it too, so that
 * records removed at the end, with the head moved back, are noticed as well.
 *
 * <p>Records written before the log was keyed (scheme {@code sha256}: plain SHA-256) are re-linked
 * under the key once, at the first start with it, after their plain chain verified intact
 * ({@link #keyLegacyRecords}); from then on every record must be keyed, so that nobody can pass a
 * rewritten log off as an old, unkeyed one.
 *
 * <pre>{@code
 * store.inTransaction(c -> { ...; audit.append(c, new AuditEvent(...)); return null; });
 * Optional<String> broken = audit.verify(store);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class AuditLog {
    static final String GENESIS = "0".repeat(64);
    static final String KEYED = "hmac-sha256";
    static final String LEGACY = "sha256";

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final Logger CHECKPOINT_LOG = LoggerFactory.getLogger("dev.sigil.audit.checkpoint");

    private final Clock clock;
    private final AuditKey key;
    private final AuditCheckpoints checkpoints;
    private AuditCheckpoints.Checkpoint lastWritten;

    /**
     * @param clock       the time of records
     * @param key         the key of the chain and the checkpoints
     * @param checkpoints where checkpoints go; null: none are written or checked
     */
    public AuditLog(Clock clock, AuditKey key, AuditCheckpoints checkpoints) {
        this.clock = clock;
        this.key = key;
        this.checkpoints = checkpoints;
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
        String hash = link(KEYED, seq, at, e, prev);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at, event, outcome, user_id, "
                + "credential_id, request_id, client_address, detail, prev_hash, record_hash, scheme) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setLong(2, at);
            ps.setString(3, e.event());
            ps.setString(4, e.outcome().name());
            ps.setString(5, e.userId());
            ps.setString(6, e.credentialId());
            ps.setString(7, e.requestId());
            ps.setString(8, e.clientAddress());
            ps.setString(9, e.detail());
            ps.setString(10, prev);
            ps.setString(11, hash);
            ps.setString(12, KEYED);
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

    /** The newest record's sequence number and link, now. */
    public AuditCheckpoints.Checkpoint head(Store store) throws SigilException {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, record_hash FROM audit_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new AuditCheckpoints.Checkpoint(rs.getLong(1), rs.getString(2), clock.millis());
            }
        });
    }

    /** The signed text of a checkpoint (for exports, which carry their own). */
    public String signed(AuditCheckpoints.Checkpoint c) {
        return c.signedWith(key);
    }

    /**
     * Writes a checkpoint of the head to the checkpoint file (and the log) if the head moved since
     * the last one this node wrote.
     *
     * @return the checkpoint written, if any
     * @throws IOException if the file cannot be written
     */
    public synchronized Optional<AuditCheckpoints.Checkpoint> checkpoint(Store store)
            throws SigilException, IOException {
        if (checkpoints == null) {
            return Optional.empty();
        }
        AuditCheckpoints.Checkpoint now = head(store);
        if (lastWritten != null && lastWritten.seq() == now.seq() && lastWritten.recordHash().equals(now.recordHash())) {
            return Optional.empty();
        }
        CHECKPOINT_LOG.info("{}", checkpoints.append(now));
        lastWritten = now;
        return Optional.of(now);
    }

    /**
     * Checks the whole chain, and the chain against every checkpoint in the checkpoint file.
     *
     * @return empty if intact, else a sentence naming the first problem found
     */
    public Optional<String> verify(Store store) throws SigilException {
        Map<Long, AuditCheckpoints.Checkpoint> marks = new TreeMap<>();
        if (checkpoints != null) {
            try {
                for (AuditCheckpoints.Entry entry : checkpoints.read()) {
                    if (entry.problem() != null) {
                        return Optional.of(entry.problem());
                    }
                    AuditCheckpoints.Checkpoint c = entry.checkpoint();
                    AuditCheckpoints.Checkpoint same = marks.putIfAbsent(c.seq(), c);
                    if (same != null && !same.recordHash().equals(c.recordHash())) {
                        return Optional.of("two checkpoints name record " + c.seq() + " with different links");
                    }
                }
            } catch (IOException e) {
                return Optional.of("the checkpoint file " + checkpoints.file() + " cannot be read (" + e.getMessage()
                        + ")");
            }
        }
        return store.inTransaction(c -> {
            String prev = GENESIS;
            long expected = 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, event, outcome, user_id, credential_id, "
                    + "request_id, client_address, detail, prev_hash, record_hash, scheme FROM audit_log ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    if (seq != expected) {
                        return Optional.of("record " + expected + " is missing (the log jumps from " + (expected - 1)
                                + " to " + seq + ")");
                    }
                    String scheme = rs.getString(12);
                    if (!KEYED.equals(scheme)) {
                        return Optional.of("record " + seq + " is not keyed (the log was rewritten without the "
                                + "audit key)");
                    }
                    AuditEvent e = new AuditEvent(rs.getString(3), AuditEvent.Outcome.valueOf(rs.getString(4)),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
                    if (!prev.equals(rs.getString(10))) {
                        return Optional.of("record " + seq + " does not follow record " + (seq - 1)
                                + " (its previous link differs)");
                    }
                    String recomputed = link(scheme, seq, rs.getLong(2), e, prev);
                    if (!MessageDigest.isEqual(recomputed.getBytes(StandardCharsets.US_ASCII),
                            rs.getString(11).getBytes(StandardCharsets.US_ASCII))) {
                        return Optional.of("record " + seq + " was altered (its content does not match its keyed "
                                + "link)");
                    }
                    AuditCheckpoints.Checkpoint mark = marks.get(seq);
                    if (mark != null && !mark.recordHash().equals(recomputed)) {
                        return Optional.of("record " + seq + " differs from the checkpoint of " + time(mark.at())
                                + " (the log was rewritten)");
                    }
                    prev = recomputed;
                    expected++;
                }
            }
            long last = expected - 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, record_hash FROM audit_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != last || !rs.getString(2).equals(prev)) {
                    return Optional.of("the log ends at record " + last + " but its head names record "
                            + rs.getLong(1) + " (records were removed at the end)");
                }
            }
            for (AuditCheckpoints.Checkpoint mark : marks.values()) {
                if (mark.seq() > last) {
                    return Optional.of("the log ends at record " + last + " but the checkpoint of " + time(mark.at())
                            + " names record " + mark.seq() + " (records were removed at the end)");
                }
            }
            return Optional.<String>empty();
        });
    }

    /**
     * Re-links the records written before the log was keyed, once: if the log holds records of the
     * plain SHA-256 scheme and their chain verifies intact, every record is linked again under the
     * key, in order, and a record saying so is appended. A broken plain chain is left as it is (and
     * {@link #verify} reports it).
     *
     * @return how many records were re-linked (0 if none needed it)
     */
    public long keyLegacyRecords(Store store) throws SigilException {
        // Plain records can only be the first ones (every record appended since is keyed, and keying
        // is all or nothing): the first record tells, by its primary key, without reading the log.
        if (!store.inTransaction(AuditLog::startsPlain)) {
            return 0L;
        }
        return store.inTransaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")) {
                lock.executeQuery().close();
            }
            if (!startsPlain(c)) {
                return 0L; // another node keyed it meanwhile
            }
            record Plain(long seq, long at, AuditEvent event) {
            }
            List<Plain> rows = new ArrayList<>();
            String prev = GENESIS;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, event, outcome, user_id, credential_id, "
                    + "request_id, client_address, detail, prev_hash, record_hash, scheme FROM audit_log ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                long expected = 1;
                while (rs.next()) {
                    AuditEvent e = new AuditEvent(rs.getString(3), AuditEvent.Outcome.valueOf(rs.getString(4)),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
                    if (rs.getLong(1) != expected || !LEGACY.equals(rs.getString(12))
                            || !prev.equals(rs.getString(10))
                            || !link(LEGACY, expected, rs.getLong(2), e, prev).equals(rs.getString(11))) {
                        LOG.error("The audit log's records from before the audit key do not verify (at record {});"
                                + " they are left as they are, and 'sigil-admin audit verify' reports them", expected);
                        return 0L;
                    }
                    prev = rs.getString(11);
                    rows.add(new Plain(expected, rs.getLong(2), e));
                    expected++;
                }
            }
            String link = GENESIS;
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET prev_hash = ?, record_hash = ?, "
                    + "scheme = ? WHERE seq = ?")) {
                for (Plain r : rows) {
                    long seq = r.seq();
                    String next = link(KEYED, seq, r.at(), r.event(), link);
                    ps.setString(1, link);
                    ps.setString(2, next);
                    ps.setString(3, KEYED);
                    ps.setLong(4, seq);
                    ps.addBatch();
                    link = next;
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET record_hash = ? WHERE id = 1")) {
                ps.setString(1, link);
                ps.executeUpdate();
            }
            append(c, new AuditEvent("audit.keyed", AuditEvent.Outcome.SUCCESS, null, null, null, "local",
                    rows.size() + " record(s) from before the audit key verified intact and were linked again under "
                            + "it; the last plain SHA-256 link was " + prev));
            LOG.info("The audit log is keyed now: {} earlier record(s) verified and re-linked", rows.size());
            return (long) rows.size();
        });
    }

    /** Whether the log's first record is of the plain SHA-256 scheme of version 1. */
    private static boolean startsPlain(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT scheme FROM audit_log WHERE seq = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && LEGACY.equals(rs.getString(1));
        }
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString().replaceFirst("\\.\\d+Z$", "Z");
    }

    /** The number of records. */
    public long size(Store store) throws SigilException {
        return head(store).seq();
    }

    /** Records after {@code afterSeq}, oldest first, at most {@code max}. */
    public List<AuditRecord> after(Store store, long afterSeq, int max) throws SigilException {
        return store.inTransaction(c -> {
            List<AuditRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, at, event, outcome, user_id, credential_id, "
                    + "request_id, client_address, detail, record_hash FROM audit_log WHERE seq > ? ORDER BY seq")) {
                ps.setLong(1, afterSeq);
                ps.setMaxRows(max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditRecord(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getString(10)));
                    }
                }
            }
            return out;
        });
    }

    /** A record's link: keyed for new records, plain SHA-256 for records from before the key. */
    private String link(String scheme, long seq, long at, AuditEvent e, String prev) {
        if (!KEYED.equals(scheme)) {
            return plainLink(seq, at, e, prev);
        }
        ByteArrayOutputStream out = common(seq, at, e);
        field(out, e.clientAddress());
        field(out, e.detail());
        field(out, scheme);
        field(out, prev);
        return key.record(out.toByteArray());
    }

    private static ByteArrayOutputStream common(long seq, long at, AuditEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        field(out, Long.toString(seq));
        field(out, Long.toString(at));
        field(out, e.event());
        field(out, e.outcome().name());
        field(out, e.userId());
        field(out, e.credentialId());
        field(out, e.requestId());
        return out;
    }

    /**
     * The link of version 1 of the log: plain SHA-256, which anyone can compute (what a writer with
     * database access could recompute, and what the logs from before the key hold).
     */
    static String plainLink(long seq, long at, AuditEvent e, String prev) {
        ByteArrayOutputStream out = common(seq, at, e);
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
