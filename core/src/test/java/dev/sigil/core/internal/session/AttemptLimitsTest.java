package dev.sigil.core.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.session.AccessToken;
import dev.sigil.api.session.Authorization;
import dev.sigil.api.session.RequestContext;
import dev.sigil.core.internal.store.StoreKind;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The attempt-limit policy of {@link AttemptLimits} as users and attackers meet it. */
class AttemptLimitsTest {
    private static final RequestContext HOME = new RequestContext("r", "192.0.2.1");

    @TempDir
    Path dir;

    private static SigilException refused(ErrorCode code, Executable call) {
        SigilException e = assertThrows(SigilException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    private static byte[] hash(int n) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) n});
    }

    private static Authorization authorize(Fixture f, String pin, char[] otp, int n) throws Exception {
        return f.soleControl.authorize(f.session("alice"), "alice-rsa", 1, List.of(hash(n)), HashAlgorithm.SHA256,
                pin.toCharArray(), otp, HOME);
    }

    /** Five wrong combinations, then the lockout: with the right values refused. */
    private static void lockThePin(Fixture f) throws Exception {
        for (int i = 0; i < f.policy.maxFailures(); i++) {
            refused(ErrorCode.AUTHENTICATION_FAILED, () -> authorize(f, "0000", "1".toCharArray(), 0));
        }
        refused(ErrorCode.FACTOR_LOCKED, () -> authorize(f, "123456", f.otp(), 0));
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aPinLockedAgainAndAgainIsBlockedUntilAnAdministratorUnblocksIt(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (int lockout = 1; lockout < f.policy.pinMaxLockouts(); lockout++) {
                lockThePin(f);
                f.clock.advance(f.policy.lockout().plusSeconds(1));
            }
            for (int i = 0; i < f.policy.maxFailures(); i++) {
                refused(ErrorCode.AUTHENTICATION_FAILED, () -> authorize(f, "0000", "1".toCharArray(), 0));
            }
            f.clock.advance(Duration.ofDays(2));
            SigilException blocked = refused(ErrorCode.FACTOR_LOCKED, () -> authorize(f, "123456", f.otp(), 0));
            assertTrue(blocked.getMessage().startsWith("The PIN is blocked"), blocked.getMessage());
            assertTrue(f.admin.unblockPin("alice-rsa"));
            authorize(f, "123456", f.otp(), 1);
            assertFalse(f.admin.unblockPin("alice-rsa"), "a success left nothing to clear");
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aSuccessBetweenLockoutsStartsTheCountAfresh(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (int round = 0; round < f.policy.pinMaxLockouts() + 1; round++) {
                lockThePin(f);
                f.clock.advance(f.policy.lockout().plusSeconds(1));
                authorize(f, "123456", f.otp(), round);
                f.clock.advance(Duration.ofSeconds(30));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aNameThatIsNoAccountLocksLikeOneThatIs(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (String name : List.of("bob", "nobody")) {
                for (int i = 0; i < f.policy.maxFailures(); i++) {
                    SigilException e = refused(ErrorCode.AUTHENTICATION_FAILED,
                            () -> f.sessions.login(name, "wrong".toCharArray(), new RequestContext("r", null)));
                    assertEquals("Invalid username or password", e.getMessage());
                }
                SigilException locked = refused(ErrorCode.FACTOR_LOCKED,
                        () -> f.sessions.login(name, "wrong".toCharArray(), new RequestContext("r", null)));
                assertTrue(locked.getMessage().startsWith("The account is locked after too many failed attempts; "
                        + "try again after "), locked.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aPasswordLockEndsByItselfAndAQuietPeriodForgetsFailures(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (int i = 0; i < f.policy.maxFailures() - 1; i++) {
                refused(ErrorCode.AUTHENTICATION_FAILED, () -> f.sessions.login("bob", "wrong".toCharArray(), HOME));
            }
            f.clock.advance(f.policy.lockout());
            for (int i = 0; i < f.policy.maxFailures() - 1; i++) {
                refused(ErrorCode.AUTHENTICATION_FAILED, () -> f.sessions.login("bob", "wrong".toCharArray(), HOME));
            }
            refused(ErrorCode.AUTHENTICATION_FAILED, () -> f.sessions.login("bob", "wrong".toCharArray(), HOME));
            refused(ErrorCode.FACTOR_LOCKED, () -> f.sessions.login("bob", "bob-password".toCharArray(), HOME));
            f.clock.advance(f.policy.lockout().plusSeconds(1));
            f.sessions.login("bob", "bob-password".toCharArray(), HOME);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void oneAddressTryingManyNamesIsLockedOutWhileOthersLogIn(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            RequestContext attacker = new RequestContext("r", "198.51.100.9");
            for (int i = 0; i < f.policy.addressMaxFailures(); i++) {
                String name = "user" + i;
                refused(ErrorCode.AUTHENTICATION_FAILED, () -> f.sessions.login(name, "guess".toCharArray(), attacker));
            }
            SigilException e = refused(ErrorCode.FACTOR_LOCKED,
                    () -> f.sessions.login("bob", "bob-password".toCharArray(), attacker));
            assertTrue(e.getMessage().startsWith("This client address is locked"), e.getMessage());
            f.sessions.login("bob", "bob-password".toCharArray(), HOME);
            f.clock.advance(f.policy.addressLockout().plusSeconds(1));
            f.sessions.login("bob", "bob-password".toCharArray(), attacker);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aCheckWithoutVerdictGivesTheAttemptBack(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            f.password.failWith = new SigilException(ErrorCode.BUSY, "too many key derivations at once");
            for (int i = 0; i < 3 * f.policy.maxFailures(); i++) {
                refused(ErrorCode.BUSY, () -> f.sessions.login("bob", "bob-password".toCharArray(), HOME));
            }
            f.password.failWith = null;
            f.sessions.login("bob", "bob-password".toCharArray(), HOME);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aNewPasswordOrSeedEndsTheUsersTokensAndSads(StoreKind kind) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            for (String change : List.of("password", "totp")) {
                AccessToken t = f.sessions.login("alice", "alice-password".toCharArray(), HOME);
                f.clock.advance(Duration.ofSeconds(30));
                Authorization sad = authorize(f, "123456", f.otp(), 7);
                if (change.equals("password")) {
                    f.admin.setPassword("alice", "alice-password".toCharArray());
                } else {
                    f.admin.enrollTotp("alice", "Sigil");
                }
                assertEquals(ErrorCode.INVALID_TOKEN, refused(ErrorCode.INVALID_TOKEN,
                        () -> f.sessions.authenticate(t.token())).code(), change);
                refused(ErrorCode.INVALID_REQUEST, () -> f.soleControl.signHashes(f.session("alice"), "alice-rsa", sad.sad(),
                        List.of(hash(7)), SignatureAlgorithm.RSA_PKCS1_SHA256, HOME));
            }
        }
    }
}
