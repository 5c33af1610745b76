package dev.sigil.core.internal.store;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.credential.Credential;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Credentials: a user's key reference with its certificate chain (PEM, signer first), algorithms,
 * PIN record and policy. Certificates live here, not in the HSM. Stateless; works in the caller's
 * transaction.
 */
public final class CredentialRepository {
    /**
     * A credential as stored.
     *
     * @param credential  the public part
     * @param pin         the PIN factor record
     * @param description a label for lists
     * @param createdAt   epoch milliseconds
     */
    public record StoredCredential(Credential credential, FactorRecord pin, String description, long createdAt) {
    }

    private static final String COLUMNS = "id, owner_id, backend_id, key_id, algorithms, certificate_chain, pin_stored, "
            + "multisign, scal, status, description, created_at";

    public void insert(Connection c, StoredCredential s) throws SQLException {
        Credential cr = s.credential();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credentials (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, cr.id());
            ps.setString(2, cr.owner());
            ps.setString(3, cr.key().backendId());
            ps.setString(4, cr.key().keyId());
            ps.setString(5, algorithms(cr.algorithms()));
            ps.setString(6, pem(cr.chain()));
            ps.setString(7, s.pin().stored());
            ps.setInt(8, cr.multisign());
            ps.setInt(9, cr.scal());
            ps.setString(10, cr.enabled() ? "ENABLED" : "DISABLED");
            ps.setString(11, s.description());
            ps.setLong(12, s.createdAt());
            ps.executeUpdate();
        }
    }

    public Optional<StoredCredential> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM credentials WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * A credential without its certificate chain (empty list): what signing needs, without parsing
     * certificates on every request.
     */
    public Optional<StoredCredential> findForSigning(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS.replace("certificate_chain", "''")
                + " FROM credentials WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The credentials of one owner, ordered by id. */
    public List<StoredCredential> listByOwner(Connection c, String ownerId) throws SQLException {
        List<StoredCredential> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM credentials WHERE owner_id = ? ORDER BY id")) {
            ps.setString(1, ownerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    /** Replaces the certificate chain (import of the CA-issued certificate); false if no such credential. */
    public boolean setChain(Connection c, String id, List<X509Certificate> chain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credentials SET certificate_chain = ? WHERE id = ?")) {
            ps.setString(1, pem(chain));
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Enables or disables; false if no such credential. */
    public boolean setEnabled(Connection c, String id, boolean enabled) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credentials SET status = ? WHERE id = ?")) {
            ps.setString(1, enabled ? "ENABLED" : "DISABLED");
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Replaces the PIN record (a new PIN, or a hash upgraded at verification). */
    public boolean setPin(Connection c, String id, FactorRecord pin) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credentials SET pin_stored = ? WHERE id = ?")) {
            ps.setString(1, pin.stored());
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static StoredCredential read(ResultSet rs) throws SQLException {
        Credential cr = new Credential(rs.getString(1), rs.getString(2), new KeyRef(rs.getString(3), rs.getString(4)),
                chain(rs.getString(6)), algorithms(rs.getString(5)), rs.getInt(8), rs.getInt(9),
                "ENABLED".equals(rs.getString(10)));
        return new StoredCredential(cr, new FactorRecord(FactorType.PIN, rs.getString(7), 0), rs.getString(11),
                rs.getLong(12));
    }

    static String algorithms(Set<SignatureAlgorithm> algorithms) {
        return algorithms.stream().sorted().map(Enum::name).collect(Collectors.joining(","));
    }

    static Set<SignatureAlgorithm> algorithms(String text) throws SQLException {
        Set<SignatureAlgorithm> out = EnumSet.noneOf(SignatureAlgorithm.class);
        for (String name : text.split(",")) {
            if (!name.isBlank()) {
                try {
                    out.add(SignatureAlgorithm.valueOf(name.trim()));
                } catch (IllegalArgumentException e) {
                    throw new SQLException("unknown algorithm in the credentials table: " + name, e);
                }
            }
        }
        return out;
    }

    /** PEM, signer first; "" for no certificate. */
    static String pem(List<X509Certificate> chain) throws SQLException {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
        for (X509Certificate cert : chain) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(cert.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new SQLException("cannot encode a certificate", e);
            }
        }
        return sb.toString();
    }

    static List<X509Certificate> chain(String pem) throws SQLException {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate cert : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) cert);
            }
            return out;
        } catch (CertificateException e) {
            throw new SQLException("a certificate chain in the credentials table cannot be read", e);
        }
    }
}
