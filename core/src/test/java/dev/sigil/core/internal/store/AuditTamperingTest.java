package dev.sigil.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A writer with direct access to the database attacks the audit log: cuts the newest records and
 * moves the head back, or changes a record and links the chain again. Without the audit key (which
 * is not in the database) and with the checkpoints outside it, {@code verify} names both.
 */
class AuditTamperingTest {
    @TempDir
    Path dir;

    private static void appendSome(Store store, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            store.audit().appendNow(store, new AuditEvent("signatures.signHash", AuditEvent.Outcome.SUCCESS, "alice",
                    "cred-1", "req-" + i, "192.0.2.1", "1 signature(s), RSA_PKCS1_SHA256"));
        }
    }

    private static String link(Connection c, long seq) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT record_hash FROM audit_log WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void cuttingTheNewestRecordsAndMovingTheHeadBackIsCaughtByACheckpoint(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 10);
            assertTrue(store.audit().checkpoint(store).isPresent(), "a checkpoint of record 10 is written");
            appendSome(store, 2);
            store.inTransaction(c -> {
                c.createStatement().executeUpdate("DELETE FROM audit_log WHERE seq > 7");
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE audit_head SET seq = 7, record_hash = ? WHERE id = 1")) {
                    ps.setString(1, link(c, 7));
                    return ps.executeUpdate();
                }
            });
            Optional<String> problem = store.audit().verify(store);
            assertTrue(problem.orElse("").matches("the log ends at record 7 but the checkpoint of \\S+ names record 10 "
                    + "\\(records were removed at the end\\)"), problem.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void changingARecordAndLinkingTheChainAgainIsCaughtWithoutTheKey(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 5);
            // The attacker links the chain again from record 3 on, with a key of their own.
            AuditLog forger = new AuditLog(Clock.systemUTC(), AuditKey.random(), null);
            store.inTransaction(c -> {
                c.createStatement().executeUpdate("DELETE FROM audit_log WHERE seq >= 3");
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE audit_head SET seq = 2, record_hash = ? WHERE id = 1")) {
                    ps.setString(1, link(c, 2));
                    ps.executeUpdate();
                }
                forger.append(c, new AuditEvent("signatures.signHash", AuditEvent.Outcome.SUCCESS, "alice", "cred-1",
                        "req-2", "192.0.2.1", "0 signature(s), RSA_PKCS1_SHA256"));
                forger.append(c, new AuditEvent("signatures.signHash", AuditEvent.Outcome.SUCCESS, "alice", "cred-1",
                        "req-3", "192.0.2.1", "1 signature(s), RSA_PKCS1_SHA256"));
                return null;
            });
            assertEquals(Optional.of("record 3 was altered (its content does not match its keyed link)"),
                    store.audit().verify(store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void aLogRewrittenAsAnUnkeyedOneIsCaught(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 3);
            store.inTransaction(c -> relinkPlain(c, 3));
            assertEquals(Optional.of("record 1 is not keyed (the log was rewritten without the audit key)"),
                    store.audit().verify(store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void aForgedCheckpointIsNamed(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 2);
            store.audit().checkpoint(store);
            Path file = dir.resolve("audit/checkpoints");
            Files.writeString(file, AuditCheckpoints.MAGIC + " 1 " + "a".repeat(64) + " 1 " + "b".repeat(64) + "\n",
                    StandardOpenOption.APPEND);
            assertEquals(Optional.of("the checkpoint on line 2 of " + file + " does not carry the audit key's "
                    + "signature (forged, or another key)"), store.audit().verify(store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void recordsFromBeforeTheKeyAreVerifiedAndLinkedAgainOnce(StoreSettings.Kind kind) throws Exception {
        TestStores t = TestStores.empty(kind, dir);
        try (Store store = t.open()) {
            appendSome(store, 4);
            store.inTransaction(c -> relinkPlain(c, 4)); // as version 1 wrote them
        }
        try (Store store = t.open()) {
            assertEquals(Optional.empty(), store.audit().verify(store));
            assertEquals(5, store.audit().size(store));
            assertEquals("audit.keyed", store.audit().after(store, 4, 1).get(0).event());
        }
    }

    /** Links records 1..n with plain SHA-256 as version 1 of the log did, and moves the head. */
    private static Object relinkPlain(Connection c, long n) throws java.sql.SQLException {
        String prev = AuditLog.GENESIS;
        for (long seq = 1; seq <= n; seq++) {
            String hash;
            try (PreparedStatement ps = c.prepareStatement("SELECT at, event, outcome, user_id, credential_id, "
                    + "request_id, detail FROM audit_log WHERE seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    hash = AuditLog.plainLink(seq, rs.getLong(1), new AuditEvent(rs.getString(2),
                            AuditEvent.Outcome.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5),
                            rs.getString(6), null, rs.getString(7)), prev);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET prev_hash = ?, record_hash = ?, "
                    + "scheme = 'sha256', client_address = NULL WHERE seq = ?")) {
                ps.setString(1, prev);
                ps.setString(2, hash);
                ps.setLong(3, seq);
                ps.executeUpdate();
            }
            prev = hash;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET seq = ?, record_hash = ? WHERE id = 1")) {
            ps.setLong(1, n);
            ps.setString(2, prev);
            ps.executeUpdate();
        }
        return null;
    }
}
