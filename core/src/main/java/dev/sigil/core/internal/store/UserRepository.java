package dev.sigil.core.internal.store;

import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users and their account-level factors (password, TOTP). Stateless: every method works in the
 * caller's connection and transaction.
 */
public final class UserRepository {
    /**
     * A user account.
     *
     * @param id          the login name
     * @param displayName a human-readable name
     * @param enabled     whether the user may log in
     * @param createdAt   epoch milliseconds
     */
    public record User(String id, String displayName, boolean enabled, long createdAt) {
    }

    /** Adds a user; false if the id is taken. */
    public boolean insert(Connection c, User u) throws SQLException {
        if (find(c, u.id()).isPresent()) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (id, display_name, enabled, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, u.id());
            ps.setString(2, u.displayName());
            ps.setBoolean(3, u.enabled());
            ps.setLong(4, u.createdAt());
            ps.executeUpdate();
        }
        return true;
    }

    public Optional<User> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, display_name, enabled, created_at FROM users WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(user(rs)) : Optional.empty();
            }
        }
    }

    public List<User> list(Connection c) throws SQLException {
        List<User> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, display_name, enabled, created_at FROM users ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(user(rs));
            }
        }
        return out;
    }

    /** Enables or disables a user; false if there is no such user. */
    public boolean setEnabled(Connection c, String id, boolean enabled) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET enabled = ? WHERE id = ?")) {
            ps.setBoolean(1, enabled);
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Stores (replaces) a user's factor record. */
    public void putFactor(Connection c, String userId, FactorRecord record, long now) throws SQLException {
        try (PreparedStatement del = c.prepareStatement(
                "DELETE FROM user_factors WHERE user_id = ? AND factor_type = ?")) {
            del.setString(1, userId);
            del.setString(2, record.type().name());
            del.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_factors (user_id, factor_type, stored, "
                + "counter, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, userId);
            ps.setString(2, record.type().name());
            ps.setString(3, record.stored());
            ps.setLong(4, record.counter());
            ps.setLong(5, now);
            ps.executeUpdate();
        }
    }

    public Optional<FactorRecord> factor(Connection c, String userId, FactorType type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT stored, counter FROM user_factors WHERE user_id = ? AND factor_type = ?")) {
            ps.setString(1, userId);
            ps.setString(2, type.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new FactorRecord(type, rs.getString(1), rs.getLong(2)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Replaces a factor record only if it is still {@code expected} (optimistic: two nodes
     * accepting the same TOTP code at once cannot both succeed).
     *
     * @return whether the record was replaced
     */
    public boolean replaceFactor(Connection c, String userId, FactorRecord expected, FactorRecord updated, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE user_factors SET stored = ?, counter = ?, updated_at = ? "
                + "WHERE user_id = ? AND factor_type = ? AND stored = ? AND counter = ?")) {
            ps.setString(1, updated.stored());
            ps.setLong(2, updated.counter());
            ps.setLong(3, now);
            ps.setString(4, userId);
            ps.setString(5, expected.type().name());
            ps.setString(6, expected.stored());
            ps.setLong(7, expected.counter());
            return ps.executeUpdate() == 1;
        }
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4));
    }
}
