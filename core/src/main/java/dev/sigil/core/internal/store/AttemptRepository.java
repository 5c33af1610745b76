package dev.sigil.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Optional;

/**
 * The attempt counters ({@code attempt_limits}), one row per key. Stateless; works in the
 * caller's transaction. Rows are locked with {@code SELECT ... FOR UPDATE}, so that every node of
 * a cluster counts on the same row, one attempt after the other.
 */
public final class AttemptRepository {
    /**
     * The state of one counter.
     *
     * @param failures    attempts counted since the last success, the last lockout or the last quiet period
     * @param lockedUntil end of the current lockout (epoch ms), 0 if none was set
     * @param lockouts    lockouts since the last success
     * @param blocked     refused until an administrator unblocks it
     * @param updatedAt   last change (epoch ms)
     */
    public record Counter(int failures, long lockedUntil, int lockouts, boolean blocked, long updatedAt) {
        /** A counter never used. */
        public static Counter fresh(long now) {
            return new Counter(0, 0, 0, false, now);
        }
    }

    /** The counter, with its row locked until the transaction ends (created if missing). */
    public Counter lock(Connection c, String key, long now) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            Optional<Counter> found = select(c, key, true);
            if (found.isPresent()) {
                return found.get();
            }
            if (attempt > 0) {
                throw new SQLException("the attempt counter " + key + " cannot be created");
            }
            // A concurrent first attempt may insert the row too: the savepoint keeps this
            // transaction usable (PostgreSQL aborts a transaction on a failed statement otherwise),
            // and the next SELECT ... FOR UPDATE then waits for the other transaction's row.
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO attempt_limits (attempt_key, failures, "
                    + "locked_until, lockouts, blocked, updated_at) VALUES (?, 0, 0, 0, FALSE, ?)")) {
                ps.setString(1, key);
                ps.setLong(2, now);
                ps.executeUpdate();
                c.releaseSavepoint(sp);
            } catch (SQLException raced) {
                c.rollback(sp);
            }
        }
    }

    /** The counter as it is, without locking; empty if never used. */
    public Optional<Counter> find(Connection c, String key) throws SQLException {
        return select(c, key, false);
    }

    private static Optional<Counter> select(Connection c, String key, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT failures, locked_until, lockouts, blocked, updated_at "
                + "FROM attempt_limits WHERE attempt_key = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Counter(rs.getInt(1), rs.getLong(2), rs.getInt(3),
                        rs.getBoolean(4), rs.getLong(5))) : Optional.empty();
            }
        }
    }

    /** Writes a counter whose row this transaction locked with {@link #lock}. */
    public void update(Connection c, String key, Counter counter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE attempt_limits SET failures = ?, locked_until = ?, "
                + "lockouts = ?, blocked = ?, updated_at = ? WHERE attempt_key = ?")) {
            ps.setInt(1, counter.failures());
            ps.setLong(2, counter.lockedUntil());
            ps.setInt(3, counter.lockouts());
            ps.setBoolean(4, counter.blocked());
            ps.setLong(5, counter.updatedAt());
            ps.setString(6, key);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the attempt counter " + key + " vanished");
            }
        }
    }

    /** Removes a counter (an administrator's unblock); returns whether there was one. */
    public boolean delete(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM attempt_limits WHERE attempt_key = ?")) {
            ps.setString(1, key);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Removes counters that hold nothing any more: not blocked, not locked after {@code now},
     * unchanged since {@code idleBefore}, and, for a PIN (whose failures never expire, as on a smart
     * card), back at zero. Returns how many went.
     */
    public int purgeIdle(Connection c, long now, long idleBefore) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM attempt_limits WHERE blocked = FALSE "
                + "AND locked_until <= ? AND updated_at < ? "
                + "AND (attempt_key NOT LIKE 'PIN:%' OR (failures = 0 AND lockouts = 0))")) {
            ps.setLong(1, now);
            ps.setLong(2, idleBefore);
            return ps.executeUpdate();
        }
    }
}
