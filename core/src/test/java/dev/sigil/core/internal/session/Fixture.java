package dev.sigil.core.internal.session;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.KeyType;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.SigningBackend;
import dev.sigil.api.credential.Credential;
import dev.sigil.api.session.Session;
import dev.sigil.core.internal.SigningServiceAccess;
import dev.sigil.core.internal.store.CredentialRepository;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreKind;
import dev.sigil.core.internal.store.TestStoresAccess;
import dev.sigil.core.internal.store.UserRepository;
import dev.sigil.core.internal.store.UserRepository.User;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store with two users (alice, bob), each with a password, a TOTP record and one RSA credential
 * with PIN "123456", over an in-memory signing backend; a clock the test moves.
 *
 * <p>The factor doubles keep the {@link Authenticator} contract (constant answers for the same
 * input; TOTP accepts the code {@code "<time step>"} within one step and only after the stored
 * step) so that these tests are about core's policy; the real factors are tested in auth-mfa and
 * end to end against the assembled server.
 */
final class Fixture implements AutoCloseable {
    static final KeyPair RSA;

    static {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            RSA = g.generateKeyPair();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile long millis = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        void advance(Duration d) {
            millis += d.toMillis();
        }
    }

    /** Knowledge factor double: the stored form is the secret reversed (never do this for real). */
    static final class PlainFactor implements Authenticator {
        private final FactorType type;
        /** How long each verification takes, as a key derivation would (0: instant). */
        volatile long verifyMillis;
        /** When set, every verification throws it, as a factor that cannot do the work now would. */
        volatile SigilException failWith;
        /** Verifications so far. */
        final AtomicInteger verifications = new AtomicInteger();

        PlainFactor(FactorType type) {
            this.type = type;
        }

        @Override
        public FactorType type() {
            return type;
        }

        @Override
        public FactorRecord enroll(char[] secret) {
            return new FactorRecord(type, new StringBuilder(new String(secret)).reverse().toString(), 0);
        }

        @Override
        public Verification verify(FactorRecord record, char[] presented, Instant now) throws SigilException {
            verifications.incrementAndGet();
            pause(verifyMillis);
            if (failWith != null) {
                throw failWith;
            }
            if (record.type() != type) {
                throw new SigilException(ErrorCode.INTERNAL, "wrong type");
            }
            boolean ok = record.stored().equals(new StringBuilder(new String(presented)).reverse().toString());
            return new Verification(ok, record);
        }
    }

    static void pause(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** TOTP double: the code of time step T is the text "T"; 30 s steps, window 1, replay guard. */
    static final class StepTotp implements Authenticator {
        /** How long each verification takes (0: instant). */
        volatile long verifyMillis;
        /** Verifications so far. */
        final AtomicInteger verifications = new AtomicInteger();

        @Override
        public FactorType type() {
            return FactorType.TOTP;
        }

        @Override
        public FactorRecord enroll(char[] secret) {
            return new FactorRecord(FactorType.TOTP, "enc:" + new String(secret), 0);
        }

        @Override
        public Verification verify(FactorRecord record, char[] presented, Instant now) {
            verifications.incrementAndGet();
            pause(verifyMillis);
            long t = now.getEpochSecond() / 30;
            for (long step = t - 1; step <= t + 1; step++) {
                if (step > record.counter() && Arrays.equals(presented, Long.toString(step).toCharArray())) {
                    return new Verification(true, new FactorRecord(FactorType.TOTP, record.stored(), step));
                }
            }
            return new Verification(false, record);
        }

        static char[] codeAt(Instant now) {
            return Long.toString(now.getEpochSecond() / 30).toCharArray();
        }
    }

    /** One RSA key, signs PKCS#1 v1.5 with the JDK; counts signatures. */
    static final class MemoryBackend implements SigningBackend {
        final AtomicInteger signatures = new AtomicInteger();
        /** When set, the next signature fails as an unreachable HSM would. */
        final java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();
        /** The batch calls made, with their contexts. */
        final List<dev.sigil.api.backend.CallContext> batches = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public List<byte[]> sign(KeyRef ref, SignatureAlgorithm algorithm, List<byte[]> digests,
                                 dev.sigil.api.backend.CallContext context) throws SigilException {
            batches.add(context);
            return SigningBackend.super.sign(ref, algorithm, digests, context);
        }

        @Override
        public String id() {
            return "mem";
        }

        @Override
        public Set<SignatureAlgorithm> algorithms() {
            return EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PKCS1_SHA384);
        }

        @Override
        public List<KeyInfo> keys() {
            return List.of();
        }

        @Override
        public KeyInfo key(KeyRef ref) {
            return new KeyInfo(ref, KeyType.RSA, 2048, null, RSA.getPublic(), List.of(), algorithms());
        }

        @Override
        public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
            if (failNext.getAndSet(false)) {
                throw new SigilException(ErrorCode.BACKEND_UNAVAILABLE, "token not present");
            }
            try {
                Signature s = Signature.getInstance("NONEwithRSA");
                s.initSign(RSA.getPrivate());
                s.update(algorithm.hash().digestInfo(digest));
                signatures.incrementAndGet();
                return s.sign();
            } catch (Exception e) {
                throw new SigilException(ErrorCode.INTERNAL, "sign failed", e);
            }
        }
    }

    final TestClock clock = new TestClock();
    final Store store;
    final MemoryBackend backend = new MemoryBackend();
    final PlainFactor password = new PlainFactor(FactorType.PASSWORD);
    final PlainFactor pin = new PlainFactor(FactorType.PIN);
    final StepTotp totp = new StepTotp();
    final Sessions sessions;
    final SoleControlImpl soleControl;
    final CredentialDirectory directory;
    final Admin admin;
    final Policy policy = Policy.DEFAULT;

    Fixture(StoreKind kind, Path dir) throws Exception {
        store = TestStoresAccess.open(kind, dir);
        UserRepository users = new UserRepository();
        CredentialRepository credentials = new CredentialRepository();
        store.inTransaction(c -> {
            for (String u : List.of("alice", "bob")) {
                users.insert(c, new User(u, u, true, clock.millis()));
                users.putFactor(c, u, password.enroll((u + "-password").toCharArray()), clock.millis());
                users.putFactor(c, u, totp.enroll(("seed-" + u).toCharArray()), clock.millis());
                credentials.insert(c, new StoredCredential(new Credential(u + "-rsa", u, new KeyRef("mem", u + "-key"),
                        List.of(), EnumSet.of(SignatureAlgorithm.RSA_PKCS1_SHA256, SignatureAlgorithm.RSA_PKCS1_SHA384),
                        3, 2, true), pin.enroll("123456".toCharArray()), u + "'s key", clock.millis()));
            }
            return null;
        });
        var signing = SigningServiceAccess.withBackend(backend);
        sessions = new Sessions(store, password, policy, clock);
        soleControl = new SoleControlImpl(store, pin, totp, signing, policy, clock);
        directory = new CredentialDirectory(store);
        admin = new Admin(store, password, pin, totp, signing, clock);
    }

    /** The session of a user's requests, as the transport gets it from {@link Sessions#authenticate}. */
    Session session(String user) {
        return new Session(user, "session-of-" + user);
    }

    char[] otp() {
        return StepTotp.codeAt(clock.instant());
    }

    @Override
    public void close() {
        store.close();
    }
}
