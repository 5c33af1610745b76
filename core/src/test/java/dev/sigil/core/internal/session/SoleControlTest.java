package dev.sigil.core.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.Authorization;
import dev.sigil.api.session.RequestContext;
import dev.sigil.api.session.Session;
import dev.sigil.core.internal.store.StoreKind;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The sole-control rules, each a test, on H2 and on a real PostgreSQL. */
class SoleControlTest {
    static final RequestContext CTX = new RequestContext("req-1", "127.0.0.1");

    @TempDir
    Path dir;

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha384(String s) throws Exception {
        return MessageDigest.getInstance("SHA-384").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Authorization authorize(Fixture f, String user, String cred, List<byte[]> hashes) throws Exception {
        return authorize(f, user, cred, hashes, f.otp());
    }

    private static Authorization authorize(Fixture f, String user, String cred, List<byte[]> hashes, char[] otp)
            throws Exception {
        return f.soleControl.authorize(f.session(user), cred, hashes.size(), hashes, HashAlgorithm.SHA256,
                "123456".toCharArray(), otp, CTX);
    }

    /** Asserts the refusal and that it was audited as such. */
    private static SigilException refused(Fixture f, ErrorCode code, String description, Executable call)
            throws Exception {
        long before = refusals(f);
        SigilException e = assertThrows(SigilException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        if (description != null) {
            assertEquals(description, e.getMessage());
        }
        assertEquals(before + 1, refusals(f), "the refusal is in the audit log");
        return e;
    }

    private static String lastDetail(Fixture f) throws Exception {
        return f.store.inTransaction(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT detail FROM audit_log ORDER BY seq DESC")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static long refusals(Fixture f) throws Exception {
        return f.store.inTransaction(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM audit_log WHERE outcome IN ('REFUSED', 'ERROR')")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void theWholeFlowSignsExactlyTheAuthorizedHashes(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            AccessToken token = f.sessions.login("alice", "alice-password".toCharArray(), CTX);
            assertEquals("alice", f.sessions.authenticate(token.token()).userId());
            byte[] h1 = sha256("doc 1");
            byte[] h2 = sha256("doc 2");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h1, h2));
            List<byte[]> sigs = f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h2, h1),
                    SignatureAlgorithm.RSA_PKCS1_SHA256, CTX);
            assertEquals(2, sigs.size());
            assertEquals(1, f.backend.batches.size(), "one backend call for the request's hashes");
            assertEquals("req-1", f.backend.batches.get(0).requestId());
            Duration left = Duration.between(java.time.Instant.now(), f.backend.batches.get(0).deadline());
            assertTrue(left.compareTo(Duration.ofSeconds(25)) > 0
                    && left.compareTo(Duration.ofSeconds(31)) < 0, "the policy's 30 s deadline: " + left);
            for (int i = 0; i < 2; i++) {
                Signature v = Signature.getInstance("SHA256withRSA");
                v.initVerify(Fixture.RSA.getPublic());
                v.update(("doc " + (i == 0 ? 2 : 1)).getBytes(StandardCharsets.UTF_8));
                assertTrue(v.verify(sigs.get(i)), "signatures come in request order");
            }
            assertEquals(Optional.empty(), f.store.audit().verify(f.store));
            assertTrue(f.store.audit().size(f.store) >= 3, "login, authorize and signHash are audited");
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aSadOfOneUserDoesNothingForAnother(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("contract");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter credentialID", () -> f.soleControl.signHashes(f.session("bob"), "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> f.soleControl.signHashes(f.session("bob"), "bob-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            assertEquals(0, f.backend.signatures.get());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void eachHashIsSignedAtMostOnce(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("once");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h, sha256("other")));
            f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256,
                    CTX);
            refused(f, ErrorCode.INVALID_REQUEST, "Hash is not authorized by the SAD", () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            assertEquals(1, f.backend.signatures.get());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aHashOutsideTheAuthorizedSetIsRefusedAndNothingIsSigned(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("authorized");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h, sha256("also")));
            refused(f, ErrorCode.INVALID_REQUEST, "Hash is not authorized by the SAD", () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h, sha256("smuggled")),
                    SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            assertEquals(0, f.backend.signatures.get());
            // the refused request consumed nothing: the authorized hash can still be signed
            f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256,
                    CTX);
            assertEquals(1, f.backend.signatures.get());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void countsAreChecked(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            List<byte[]> four = List.of(sha256("1"), sha256("2"), sha256("3"), sha256("4"));
            refused(f, ErrorCode.INVALID_REQUEST, "numSignatures must be between 1 and 3 for this credential",
                    () -> authorize(f, "alice", "alice-rsa", four));
            refused(f, ErrorCode.INVALID_REQUEST, "The number of hashes must equal numSignatures",
                    () -> f.soleControl.authorize(f.session("alice"), "alice-rsa", 1, four.subList(0, 2),
                            HashAlgorithm.SHA256, "123456".toCharArray(), f.otp(), CTX));
            refused(f, ErrorCode.INVALID_REQUEST, "Duplicate hash",
                    () -> authorize(f, "alice", "alice-rsa", List.of(sha256("1"), sha256("1"))));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void anExpiredSadIsRefused(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("late");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h));
            f.clock.advance(f.policy.sadTtl().plusSeconds(1));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> f.soleControl.signHashes(f.session("alice"),
                    "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aOneTimeCodeIsAcceptedOnce(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            char[] code = f.otp();
            f.soleControl.authorize(f.session("alice"), "alice-rsa", 1, List.of(sha256("a")), HashAlgorithm.SHA256,
                    "123456".toCharArray(), code.clone(), CTX);
            refused(f, ErrorCode.AUTHENTICATION_FAILED, "Invalid PIN or OTP", () -> f.soleControl.authorize(
                    f.session("alice"), "alice-rsa", 1, List.of(sha256("b")), HashAlgorithm.SHA256, "123456".toCharArray(), code.clone(),
                    CTX));
            f.clock.advance(Duration.ofSeconds(30));
            authorize(f, "alice", "alice-rsa", List.of(sha256("c")));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aWrongPinLocksThePinAndEvenTheRightOneWaitsForTheLockoutToEnd(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (int i = 0; i < f.policy.maxFailures(); i++) {
                refused(f, ErrorCode.AUTHENTICATION_FAILED, "Invalid PIN or OTP", () -> f.soleControl.authorize(f.session("alice"),
                        "alice-rsa", 1, List.of(sha256("x")), HashAlgorithm.SHA256, "9999".toCharArray(), f.otp(),
                        CTX));
            }
            SigilException locked = refused(f, ErrorCode.FACTOR_LOCKED, null,
                    () -> authorize(f, "alice", "alice-rsa", List.of(sha256("x"))));
            assertTrue(locked.getMessage().startsWith("The PIN is locked"), locked.getMessage());
            f.clock.advance(f.policy.lockout().minusSeconds(1));
            refused(f, ErrorCode.FACTOR_LOCKED, null, () -> authorize(f, "alice", "alice-rsa", List.of(sha256("x"))));
            f.clock.advance(Duration.ofSeconds(2));
            authorize(f, "alice", "alice-rsa", List.of(sha256("x")));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void anyWrongCombinationOfPinAndCodeGetsOneAnswerAfterBothAreChecked(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            List<String> answers = new ArrayList<>();
            for (boolean pinRight : List.of(false, true)) {
                for (boolean codeRight : List.of(false, true)) {
                    if (pinRight && codeRight) {
                        continue;
                    }
                    int pins = f.pin.verifications.get();
                    int codes = f.totp.verifications.get();
                    SigilException e = refused(f, ErrorCode.AUTHENTICATION_FAILED, null, () -> f.soleControl
                            .authorize(f.session("alice"), "alice-rsa", 1, List.of(sha256("x")), HashAlgorithm.SHA256,
                                    (pinRight ? "123456" : "9999").toCharArray(), codeRight ? f.otp() : "1".toCharArray(),
                                    CTX));
                    answers.add(e.getMessage());
                    assertEquals(pins + 1, f.pin.verifications.get(), "the PIN is checked");
                    assertEquals(codes + 1, f.totp.verifications.get(), "the code is checked too");
                }
            }
            assertEquals(List.of("Invalid PIN or OTP", "Invalid PIN or OTP", "Invalid PIN or OTP"), answers);
            // Three wrong combinations counted once each: two more lock the credential.
            for (int i = 3; i < f.policy.maxFailures(); i++) {
                refused(f, ErrorCode.AUTHENTICATION_FAILED, null, () -> authorize(f, "alice", "alice-rsa",
                        List.of(sha256("y")), "1".toCharArray()));
            }
            refused(f, ErrorCode.FACTOR_LOCKED, null, () -> authorize(f, "alice", "alice-rsa", List.of(sha256("z"))));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aSadServesOnlyTheSessionThatObtainedItAndDiesWithIt(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            Session first = f.sessions.authenticate(f.sessions.login("alice", "alice-password".toCharArray(), CTX)
                    .token());
            AccessToken secondToken = f.sessions.login("alice", "alice-password".toCharArray(), CTX);
            Session second = f.sessions.authenticate(secondToken.token());
            byte[] h = sha256("bound to a session");
            Authorization sad = f.soleControl.authorize(second, "alice-rsa", 1, List.of(h), HashAlgorithm.SHA256,
                    "123456".toCharArray(), f.otp(), CTX);
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> f.soleControl.signHashes(first,
                    "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            f.sessions.revoke(secondToken.token(), CTX);
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> f.soleControl.signHashes(second,
                    "alice-rsa", sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            assertEquals(0, f.backend.signatures.get());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void expiredTokensSadsAndIdleCountersArePurged(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            f.sessions.login("alice", "alice-password".toCharArray(), CTX);
            authorize(f, "alice", "alice-rsa", List.of(sha256("a"), sha256("b")));
            assertThrows(SigilException.class, () -> f.sessions.login("bob", "wrong".toCharArray(), CTX));
            Housekeeping housekeeping = new Housekeeping(f.store, f.clock);
            assertEquals(0, housekeeping.purge(), "nothing has expired yet");
            // counters: alice's and bob's names, the address, alice's PIN and one-time code
            assertEquals(List.of(1L, 1L, 2L, 5L), rows(f));
            f.clock.advance(Duration.ofDays(3));
            assertEquals(1 + 1 + 5, housekeeping.purge(), "the token, the SAD (its hashes go with it), 5 counters");
            assertEquals(List.of(0L, 0L, 0L, 0L), rows(f));
        }
    }

    /** Rows of access_tokens, sads, sad_hashes and attempt_limits. */
    private static List<Long> rows(Fixture f) throws Exception {
        List<Long> out = new ArrayList<>();
        for (String table : List.of("access_tokens", "sads", "sad_hashes", "attempt_limits")) {
            out.add(f.store.inTransaction(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    return rs.getLong(1);
                }
            }));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void theDirectoryShowsOnlyTheUsersOwnCredentials(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            assertEquals(List.of("alice-rsa"), f.directory.credentials("alice").stream().map(c -> c.id()).toList());
            assertEquals(Optional.empty(), f.directory.credential("bob", "alice-rsa"));
            assertTrue(f.directory.credential("alice", "alice-rsa").isPresent());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void digestsOfTheWrongLengthOrAlgorithmAreRefused(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid hash length: a SHA-256 hash is 32 bytes",
                    () -> authorize(f, "alice", "alice-rsa", List.of(new byte[20])));
            byte[] h = sha256("x");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid hash length: a SHA-384 hash is 48 bytes",
                    () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h),
                            SignatureAlgorithm.RSA_PKCS1_SHA384, CTX));
            refused(f, ErrorCode.INVALID_REQUEST, "The hash algorithm differs from the one authorized",
                    () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(sha384("x")),
                            SignatureAlgorithm.RSA_PKCS1_SHA384, CTX));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter signAlgo",
                    () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h),
                            SignatureAlgorithm.ECDSA_SHA256, CTX));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void extendingGivesANewSadAndRetiresTheOldOne(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("long batch");
            Authorization first = authorize(f, "alice", "alice-rsa", List.of(h));
            f.clock.advance(Duration.ofMinutes(4));
            Authorization second = f.soleControl.extend(f.session("alice"), "alice-rsa", first.sad(), CTX);
            f.clock.advance(Duration.ofMinutes(4));
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> f.soleControl.signHashes(f.session("alice"),
                    "alice-rsa", first.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            f.soleControl.signHashes(f.session("alice"), "alice-rsa", second.sad(), List.of(h),
                    SignatureAlgorithm.RSA_PKCS1_SHA256, CTX);
            Authorization[] current = {second};
            // at most sad.max.lifetime from the authorization
            refused(f, ErrorCode.INVALID_REQUEST, "Invalid parameter SAD", () -> {
                for (int i = 0; i < 10; i++) {
                    f.clock.advance(Duration.ofMinutes(4));
                    current[0] = f.soleControl.extend(f.session("alice"), "alice-rsa", current[0].sad(), CTX);
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void loginRefusesWrongPasswordsTheSameWayAndLocks(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            refused(f, ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password",
                    () -> f.sessions.login("nobody", "x".toCharArray(), CTX));
            for (int i = 0; i < f.policy.maxFailures(); i++) {
                refused(f, ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password",
                        () -> f.sessions.login("bob", "wrong".toCharArray(), CTX));
            }
            // The failure that set the lock says so; refusals while locked (unchecked) are not one record each.
            assertTrue(lastDetail(f).endsWith("; locks PASSWORD until " + java.time.Instant.ofEpochMilli(
                    f.clock.millis() + f.policy.lockout().toMillis())), lastDetail(f));
            long before = refusals(f);
            assertEquals(ErrorCode.FACTOR_LOCKED, assertThrows(SigilException.class,
                    () -> f.sessions.login("bob", "bob-password".toCharArray(), CTX)).code());
            assertEquals(before, refusals(f));
            f.clock.advance(f.policy.lockout().plusSeconds(1));
            AccessToken t = f.sessions.login("bob", "bob-password".toCharArray(), CTX);
            f.sessions.revoke(t.token(), CTX);
            SigilException e = assertThrows(SigilException.class, () -> f.sessions.authenticate(t.token()));
            assertEquals(ErrorCode.INVALID_TOKEN, e.code());
            AccessToken t2 = f.sessions.login("bob", "bob-password".toCharArray(), CTX);
            f.clock.advance(f.policy.tokenTtl().plusSeconds(1));
            assertEquals(ErrorCode.INVALID_TOKEN,
                    assertThrows(SigilException.class, () -> f.sessions.authenticate(t2.token())).code());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aSignatureTheBackendFailsGivesTheHashBackToTheSad(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("retry after an HSM hiccup");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h));
            f.backend.failNext.set(true);
            SigilException e = assertThrows(SigilException.class, () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa",
                    sad.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256, CTX));
            assertEquals(ErrorCode.BACKEND_UNAVAILABLE, e.code());
            assertEquals(1, f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h),
                    SignatureAlgorithm.RSA_PKCS1_SHA256, CTX).size());
            assertEquals(1, f.backend.signatures.get());
            assertEquals(Optional.empty(), f.store.audit().verify(f.store));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void concurrentAttemptsAreEachCounted(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            AttemptLimits limits = new AttemptLimits(new Policy(Duration.ofMinutes(30), Duration.ofMinutes(5),
                    Duration.ofMinutes(30), 1000, Duration.ofMinutes(5), 3, 1000, Duration.ofMinutes(5),
                    Duration.ofSeconds(30)));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<AttemptLimits.Reservation>> done = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                done.add(pool.submit(() -> f.store.inTransaction(c -> limits.reserve(c,
                        limits.authorize("bob", "bob-rsa"), f.clock.millis()))));
            }
            for (Future<AttemptLimits.Reservation> d : done) {
                assertTrue(d.get().granted());
            }
            pool.shutdown();
            var repo = new dev.sigil.core.internal.store.AttemptRepository();
            assertEquals(40, f.store.inTransaction(c -> repo.find(c, "PIN:bob-rsa")).orElseThrow().failures());
            assertEquals(40, f.store.inTransaction(c -> repo.find(c, "TOTP:bob")).orElseThrow().failures());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void twoConcurrentRequestsForTheSameHashSignItOnce(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            byte[] h = sha256("race");
            Authorization sad = authorize(f, "alice", "alice-rsa", List.of(h));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Boolean> c = () -> {
                    try {
                        f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(), List.of(h),
                                SignatureAlgorithm.RSA_PKCS1_SHA256, CTX);
                        return true;
                    } catch (SigilException e) {
                        return false;
                    }
                };
                results.add(pool.submit(c));
            }
            int ok = 0;
            for (Future<Boolean> r : results) {
                ok += r.get() ? 1 : 0;
            }
            pool.shutdown();
            assertEquals(1, ok);
            assertEquals(1, f.backend.signatures.get());
        }
    }
}
