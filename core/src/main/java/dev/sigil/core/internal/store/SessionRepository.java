package dev.sigil.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Access tokens and SADs with their hashes: the state of sessions and sole control, all in the
 * database so that any server node can serve the next request. Tokens and SADs are looked up by
 * their SHA-256 only. Stateless; works in the caller's transaction.
 */
public final class SessionRepository {
    /** A stored access token. */
    public record Token(String userId, long expiresAt, boolean revoked) {
    }

    /**
     * A stored SAD (without its value, which is never stored).
     *
     * @param tokenHash the session (access token's SHA-256) that obtained it; null for SADs from
     *                  before sessions were kept, which are refused
     */
    public record Sad(String sadHash, String userId, String tokenHash, String credentialId, String hashAlgorithmOid,
                      long createdAt, long expiresAt, int remaining) {
    }

    public void insertToken(Connection c, String tokenHash, String userId, long now, long expiresAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens (token_hash, user_id, created_at, "
                + "expires_at, revoked) VALUES (?, ?, ?, ?, FALSE)")) {
            ps.setString(1, tokenHash);
            ps.setString(2, userId);
            ps.setLong(3, now);
            ps.setLong(4, expiresAt);
            ps.executeUpdate();
        }
    }

    public Optional<Token> token(Connection c, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, expires_at, revoked FROM access_tokens WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Token(rs.getString(1), rs.getLong(2), rs.getBoolean(3)))
                        : Optional.empty();
            }
        }
    }

    /** Revokes a token and removes the SADs obtained with it; returns how many SADs went. */
    public int revokeToken(Connection c, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE access_tokens SET revoked = TRUE WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sads WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            return ps.executeUpdate();
        }
    }

    /**
     * Ends every session of a user (their password or TOTP seed changed, or they were disabled): the
     * access tokens are revoked and the SADs removed with their hashes. Returns how many went.
     */
    public int endAll(Connection c, String userId) throws SQLException {
        int n;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE access_tokens SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE")) {
            ps.setString(1, userId);
            n = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sads WHERE user_id = ?")) {
            ps.setString(1, userId);
            n += ps.executeUpdate();
        }
        return n;
    }

    /** Removes tokens and SADs that expired before {@code before}; returns how many rows went. */
    public int purgeExpired(Connection c, long before) throws SQLException {
        int n;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_tokens WHERE expires_at < ?")) {
            ps.setLong(1, before);
            n = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sads WHERE expires_at < ?")) {
            ps.setLong(1, before);
            n += ps.executeUpdate();
        }
        return n;
    }

    /** Stores a SAD and the exact hashes (base64) it authorizes. */
    public void insertSad(Connection c, Sad sad, List<String> digests) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sads (sad_hash, user_id, token_hash, credential_id, "
                + "hash_algorithm_oid, created_at, expires_at, remaining) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, sad.sadHash());
            ps.setString(2, sad.userId());
            ps.setString(3, sad.tokenHash());
            ps.setString(4, sad.credentialId());
            ps.setString(5, sad.hashAlgorithmOid());
            ps.setLong(6, sad.createdAt());
            ps.setLong(7, sad.expiresAt());
            ps.setInt(8, sad.remaining());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sad_hashes (sad_hash, digest, signed_at) VALUES (?, ?, NULL)")) {
            for (String d : digests) {
                ps.setString(1, sad.sadHash());
                ps.setString(2, d);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The SAD, locked for update until the transaction ends. */
    public Optional<Sad> lockSad(Connection c, String sadHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sad_hash, user_id, token_hash, credential_id, "
                + "hash_algorithm_oid, created_at, expires_at, remaining FROM sads WHERE sad_hash = ? FOR UPDATE")) {
            ps.setString(1, sadHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Sad(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getInt(8)))
                        : Optional.empty();
            }
        }
    }

    /** The state of one authorized hash: empty if not in the set, else whether it was signed. */
    public Optional<Boolean> hashSigned(Connection c, String sadHash, String digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT signed_at FROM sad_hashes WHERE sad_hash = ? AND digest = ?")) {
            ps.setString(1, sadHash);
            ps.setString(2, digest);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                rs.getLong(1);
                return Optional.of(!rs.wasNull());
            }
        }
    }

    /**
     * Marks an authorized, not yet signed hash as signed.
     *
     * @return false if the hash is not in the set or was signed before
     */
    public boolean consumeHash(Connection c, String sadHash, String digest, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sad_hashes SET signed_at = ? "
                + "WHERE sad_hash = ? AND digest = ? AND signed_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, sadHash);
            ps.setString(3, digest);
            return ps.executeUpdate() == 1;
        }
    }

    /** Gives consumed hashes back to their SAD (the signature failed and nothing was returned). */
    public void releaseHashes(Connection c, String sadHash, List<String> digests) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE sad_hashes SET signed_at = NULL WHERE sad_hash = ? AND digest = ?")) {
            for (String d : digests) {
                ps.setString(1, sadHash);
                ps.setString(2, d);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sads SET remaining = remaining + ? WHERE sad_hash = ?")) {
            ps.setInt(1, digests.size());
            ps.setString(2, sadHash);
            ps.executeUpdate();
        }
    }

    public void setRemaining(Connection c, String sadHash, int remaining) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sads SET remaining = ? WHERE sad_hash = ?")) {
            ps.setInt(1, remaining);
            ps.setString(2, sadHash);
            ps.executeUpdate();
        }
    }

    /** Gives a SAD a new value and expiry (extendTransaction): the old value stops working. */
    public void replaceSad(Connection c, Sad old, String newHash, long expiresAt) throws SQLException {
        insertSad(c, new Sad(newHash, old.userId(), old.tokenHash(), old.credentialId(), old.hashAlgorithmOid(),
                old.createdAt(), expiresAt, old.remaining()), List.of());
        try (PreparedStatement ps = c.prepareStatement("UPDATE sad_hashes SET sad_hash = ? WHERE sad_hash = ?")) {
            ps.setString(1, newHash);
            ps.setString(2, old.sadHash());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sads WHERE sad_hash = ?")) {
            ps.setString(1, old.sadHash());
            ps.executeUpdate();
        }
    }

    /** The digests a SAD authorizes, for tests and tools. */
    public List<String> digests(Connection c, String sadHash) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT digest FROM sad_hashes WHERE sad_hash = ? ORDER BY digest")) {
            ps.setString(1, sadHash);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
