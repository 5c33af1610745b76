package dev.sigil.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.credential.Credential;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.UserRepository.User;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store against embedded H2 and a real PostgreSQL: the same code, the same assertions. */
class StoreTest {
    @TempDir
    Path dir;

    private final UserRepository users = new UserRepository();
    private final CredentialRepository credentials = new CredentialRepository();

    private static X509Certificate certificate(String cn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                new Date(), Date.from(Instant.now().plusSeconds(3600)), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void migratesAnEmptyDatabaseAndReopensWithoutMigratingAgain(StoreSettings.Kind kind) throws Exception {
        TestStores db = TestStores.empty(kind, dir);
        try (Store store = db.open()) {
            assertEquals(kind, store.kind());
            assertTrue(store.<Boolean>inTransaction(c -> users.insert(c, new User("alice", "Alice", true, 1))));
        }
        try (Store store = db.open()) {
            assertEquals("Alice", store.inTransaction(c -> users.find(c, "alice")).orElseThrow().displayName());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void usersAndTheirFactorsRoundTrip(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            store.inTransaction(c -> {
                assertTrue(users.insert(c, new User("bob", "Bob B.", true, 10)));
                assertFalse(users.insert(c, new User("bob", "Other", true, 11)), "ids are unique");
                users.putFactor(c, "bob", new FactorRecord(FactorType.PASSWORD, "pbkdf2-sha256$1$a$b", 0), 12);
                users.putFactor(c, "bob", new FactorRecord(FactorType.TOTP, "totp-aesgcm-v1$x", 7), 12);
                return null;
            });
            store.inTransaction(c -> {
                assertEquals(Optional.of(new FactorRecord(FactorType.TOTP, "totp-aesgcm-v1$x", 7)),
                        users.factor(c, "bob", FactorType.TOTP));
                assertTrue(users.setEnabled(c, "bob", false));
                assertFalse(users.find(c, "bob").orElseThrow().enabled());
                assertEquals(List.of("bob"), users.list(c).stream().map(User::id).toList());
                return null;
            });
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void aFactorIsReplacedOnlyIfNobodyChangedItMeanwhile(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            FactorRecord v7 = new FactorRecord(FactorType.TOTP, "seed", 7);
            FactorRecord v8 = new FactorRecord(FactorType.TOTP, "seed", 8);
            store.inTransaction(c -> {
                users.insert(c, new User("carol", "Carol", true, 1));
                users.putFactor(c, "carol", v7, 1);
                return null;
            });
            assertTrue(store.<Boolean>inTransaction(c -> users.replaceFactor(c, "carol", v7, v8, 2)));
            assertFalse(store.<Boolean>inTransaction(c -> users.replaceFactor(c, "carol", v7, v8, 3)),
                    "the same step cannot be accepted twice");
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void credentialsKeepTheirChainSignerFirst(StoreSettings.Kind kind) throws Exception {
        X509Certificate signer = certificate("signer");
        X509Certificate ca = certificate("ca");
        try (Store store = TestStores.empty(kind, dir).open()) {
            Credential cr = new Credential("cred-1", "dave", new KeyRef("hsm", "key/1"), List.of(),
                    EnumSet.of(SignatureAlgorithm.ECDSA_SHA256, SignatureAlgorithm.ECDSA_SHA384), 5, 2, true);
            store.inTransaction(c -> {
                users.insert(c, new User("dave", "Dave", true, 1));
                credentials.insert(c, new StoredCredential(cr, new FactorRecord(FactorType.PIN, "pin-hash", 0),
                        "demo", 3));
                return null;
            });
            assertEquals(List.of(), store.inTransaction(c -> credentials.find(c, "cred-1")).orElseThrow()
                    .credential().chain());
            store.inTransaction(c -> credentials.setChain(c, "cred-1", List.of(signer, ca)));
            StoredCredential back = store.inTransaction(c -> credentials.find(c, "cred-1")).orElseThrow();
            assertEquals(List.of(signer, ca), back.credential().chain());
            assertEquals(cr.algorithms(), back.credential().algorithms());
            assertEquals(new KeyRef("hsm", "key/1"), back.credential().key());
            assertEquals(5, back.credential().multisign());
            assertEquals(2, back.credential().scal());
            assertEquals("pin-hash", back.pin().stored());
            assertEquals(1, store.inTransaction(c -> credentials.listByOwner(c, "dave")).size());
            assertEquals(0, store.inTransaction(c -> credentials.listByOwner(c, "eve")).size());
        }
    }

    /**
     * A SAD of a large batch (pyHanko or sigil-sign signing a thousand files with one
     * authorization): consuming one of its hashes reads that one row, not every hash of the SAD.
     * H2 chose the foreign key's index on sad_hash alone over the primary key (sad_hash, digest)
     * until it had statistics, and scanned all 1,001 rows for each signature: quadratic per SAD.
     */
    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void consumingAHashOfALargeSadReadsOneRow(StoreSettings.Kind kind) throws Exception {
        SessionRepository sessions = new SessionRepository();
        Credential cr = new Credential("cred-big", "erin", new KeyRef("hsm", "key/2"), List.of(),
                EnumSet.of(SignatureAlgorithm.ECDSA_SHA256), 1000, 2, true);
        List<String> digests = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            digests.add("digest-" + i);
        }
        try (Store store = TestStores.empty(kind, dir).open()) {
            store.inTransaction(c -> {
                users.insert(c, new User("erin", "Erin", true, 1));
                credentials.insert(c, new StoredCredential(cr, new FactorRecord(FactorType.PIN, "pin-hash", 0), "demo", 3));
                sessions.insertToken(c, "token-1", "erin", 1, 1_000_000);
                sessions.insertSad(c, new SessionRepository.Sad("sad-big", "erin", "token-1", "cred-big",
                        "2.16.840.1.101.3.4.2.1", 1, 1_000_000, 1000), digests);
                return null;
            });
            assertTrue(store.<Boolean>inTransaction(c -> sessions.consumeHash(c, "sad-big", "digest-999", 2)));
            assertFalse(store.<Boolean>inTransaction(c -> sessions.consumeHash(c, "sad-big", "digest-999", 3)),
                    "a hash is consumed once");
            if (kind == StoreSettings.Kind.H2) {
                String plan = store.inTransaction(c -> {
                    try (java.sql.Statement st = c.createStatement();
                         java.sql.ResultSet rs = st.executeQuery("EXPLAIN ANALYZE UPDATE sad_hashes SET signed_at = 4 "
                                 + "WHERE sad_hash = 'sad-big' AND digest = 'digest-500' AND signed_at IS NULL")) {
                        rs.next();
                        return rs.getString(1);
                    }
                });
                java.util.regex.Matcher scan = java.util.regex.Pattern.compile("scanCount: (\\d+)").matcher(plan);
                assertTrue(scan.find(), plan);
                assertTrue(Integer.parseInt(scan.group(1)) <= 2, "rows read to consume one hash:\n" + plan);
            }
        }
    }

    private void appendSome(Store store, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            int k = i;
            store.audit().appendNow(store, new AuditEvent("signatures.signHash", AuditEvent.Outcome.SUCCESS, "alice",
                    "cred-1", "req-" + k, "192.0.2.1", "1 hash, RSA_PKCS1_SHA256"));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void theAuditChainVerifiesAndNamesAnAlteredRecord(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 5);
            assertEquals(Optional.empty(), store.audit().verify(store));
            assertEquals(5, store.audit().size(store));
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET detail = ? WHERE seq = 3")) {
                    ps.setString(1, "2 hashes, RSA_PKCS1_SHA256");
                    return ps.executeUpdate();
                }
            });
            assertEquals(Optional.of("record 3 was altered (its content does not match its keyed link)"), store.audit().verify(store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void removedRecordsAreNoticedInTheMiddleAndAtTheEnd(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            appendSome(store, 4);
            store.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM audit_log WHERE seq = 4"));
            assertEquals(Optional.of("the log ends at record 3 but its head names record 4 (records were removed at "
                    + "the end)"), store.audit().verify(store));
            store.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM audit_log WHERE seq = 2"));
            assertEquals(Optional.of("record 2 is missing (the log jumps from 1 to 3)"), store.audit().verify(store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreSettings.Kind.class)
    void concurrentAppendsFormOneChain(StoreSettings.Kind kind) throws Exception {
        try (Store store = TestStores.empty(kind, dir).open()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    appendSome(store, 25);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertEquals(100, store.audit().size(store));
            assertEquals(Optional.empty(), store.audit().verify(store));
        }
    }
}
