package dev.sigil.core.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SigilException;
import dev.sigil.api.session.RequestContext;
import dev.sigil.core.internal.store.StoreKind;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack of the security review: several clients guess a factor at once while each check takes
 * as long as a key derivation. Whatever the parallelism, the policy's number of wrong guesses gets a
 * verdict ("wrong"), no more; every other guess is refused as locked without being checked, and the
 * right secret is refused too until the lockout ends. On H2 and on a real PostgreSQL.
 */
class ParallelGuessingTest {
    static final int ATTACKERS = 8;
    static final Duration ATTACK = Duration.ofSeconds(10);
    /** What one check of a password or PIN costs here (PBKDF2 measured 170–420 ms on 2 cores). */
    static final long CHECK_MILLIS = 300;

    /** The factor under attack. */
    enum Target {
        /** auth/login with guessed passwords. */
        PASSWORD,
        /** credentials/authorize with guessed PINs (and a guessed code: the attacker has neither). */
        PIN,
        /** credentials/authorize with the right PIN (stolen) and guessed codes. */
        OTP
    }

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(StoreKind.values())
                .flatMap(k -> Stream.of(Target.values()).map(t -> Arguments.of(k, t)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void parallelGuessersGetNoMoreVerdictsThanThePolicyAllows(StoreKind kind, Target target) throws Exception {
        try (Fixture f = new Fixture(kind, dir)) {
            f.password.verifyMillis = CHECK_MILLIS;
            f.pin.verifyMillis = CHECK_MILLIS;
            AtomicInteger wrong = new AtomicInteger();
            AtomicInteger locked = new AtomicInteger();
            AtomicInteger guesses = new AtomicInteger();
            long end = System.nanoTime() + ATTACK.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(ATTACKERS);
            List<Future<?>> attackers = new ArrayList<>();
            for (int a = 0; a < ATTACKERS; a++) {
                attackers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        int n = guesses.incrementAndGet();
                        try {
                            guess(f, target, n);
                            fail("guess " + n + " was accepted");
                        } catch (SigilException e) {
                            switch (e.code()) {
                                case AUTHENTICATION_FAILED -> wrong.incrementAndGet();
                                case FACTOR_LOCKED -> locked.incrementAndGet();
                                default -> fail("guess " + n + ": unexpected " + e.code() + " " + e.getMessage());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> a : attackers) {
                a.get();
            }
            pool.shutdown();
            System.out.printf("%s on %s: %d attackers for %d s, %d guesses: %d got the verdict \"wrong\","
                            + " %d were refused as locked (policy: %d failures)%n", target, kind, ATTACKERS,
                    ATTACK.toSeconds(), guesses.get(), wrong.get(), locked.get(), f.policy.maxFailures());
            assertEquals(f.policy.maxFailures(), wrong.get(),
                    "guesses that got a verdict under " + ATTACKERS + " parallel attackers");
            SigilException right = assertThrows(SigilException.class, () -> right(f, target));
            assertEquals(ErrorCode.FACTOR_LOCKED, right.code(), "the right secret while locked: " + right.getMessage());
        }
    }

    private static final RequestContext CTX = new RequestContext("attack", "203.0.113.7");

    private static void guess(Fixture f, Target target, int n) throws Exception {
        char[] guess = ("guess-" + n).toCharArray();
        switch (target) {
            case PASSWORD -> f.sessions.login("bob", guess, CTX);
            case PIN -> authorize(f, guess, "0".toCharArray());
            case OTP -> authorize(f, "123456".toCharArray(), guess);
            default -> throw new AssertionError(target);
        }
    }

    private static void right(Fixture f, Target target) throws Exception {
        if (target == Target.PASSWORD) {
            f.sessions.login("bob", "bob-password".toCharArray(), CTX);
        } else {
            authorize(f, "123456".toCharArray(), f.otp());
        }
    }

    private static void authorize(Fixture f, char[] pin, char[] otp) throws Exception {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(new byte[] {1});
        f.soleControl.authorize(f.session("alice"), "alice-rsa", 1, List.of(h), HashAlgorithm.SHA256, pin, otp, CTX);
    }
}
