package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What the password and the PIN authenticator both promise. Most tests use {@value #FAST}
 * iterations through the package-private constructor so the suite stays fast; the activation tests
 * go through the DS constructor with the annotation's real defaults. All share one test pepper.
 */
abstract class KnowledgeFactorContractTest {
    static final int FAST = 100;
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** The authenticator under test, built without OSGi. */
    abstract Authenticator withIterations(int iterations);

    /** The authenticator as DS activates it with the given configuration properties. */
    abstract Authenticator activated(Map<String, Object> configuration) throws SigilException;

    abstract FactorType type();

    /** The count new records get without configuration. */
    abstract int defaultIterations();

    /** The lowest count a configuration may give. */
    abstract int floor();

    /** A secret that obeys the rule and is distinctive enough to search for in text. */
    abstract String validSecret();

    /** A secret that breaks the rule and is distinctive enough to search for in text. */
    abstract String invalidSecret();

    final Authenticator fast = withIterations(FAST);

    @Test
    void typeMatchesTheFactorItHandles() {
        assertEquals(type(), fast.type());
    }

    @Test
    void enrollThenVerifyAcceptsTheRightSecretAndKeepsTheRecord() throws Exception {
        FactorRecord record = fast.enroll(validSecret().toCharArray());
        Verification v = fast.verify(record, validSecret().toCharArray(), NOW);

        assertEquals(type(), record.type());
        assertEquals(0, record.counter());
        assertTrue(v.accepted());
        assertSame(record, v.record());
    }

    @Test
    void verifyRefusesAWrongSecretAndKeepsTheRecord() throws Exception {
        FactorRecord record = fast.enroll(validSecret().toCharArray());
        String almost = validSecret().substring(0, validSecret().length() - 1) + "#";

        Verification v = fast.verify(record, almost.toCharArray(), NOW);

        assertFalse(v.accepted());
        assertSame(record, v.record());
        assertFalse(fast.verify(record, new char[0], NOW).accepted());
    }

    @Test
    void twoEnrollmentsOfTheSameSecretDiffer() throws Exception {
        FactorRecord first = fast.enroll(validSecret().toCharArray());
        FactorRecord second = fast.enroll(validSecret().toCharArray());

        assertNotEquals(first.stored(), second.stored());
        assertTrue(fast.verify(second, validSecret().toCharArray(), NOW).accepted());
    }

    @Test
    void enrollAndVerifyLeaveTheCallersBufferUnchanged() throws Exception {
        char[] secret = validSecret().toCharArray();
        fast.verify(fast.enroll(secret), secret, NOW);

        assertArrayEquals(validSecret().toCharArray(), secret);
    }

    @Test
    void enrollRefusesASecretBreakingTheRuleWithInvalidRequest() {
        SigilException e = assertThrows(SigilException.class, () -> fast.enroll(invalidSecret().toCharArray()));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    }

    @Test
    void verifyRefusesARecordOfAnotherFactorTypeAsInternal() throws Exception {
        FactorType other = type() == FactorType.PIN ? FactorType.PASSWORD : FactorType.PIN;
        FactorRecord foreign = new FactorRecord(other, fast.enroll(validSecret().toCharArray()).stored(), 0);

        SigilException e = assertThrows(SigilException.class,
                () -> fast.verify(foreign, validSecret().toCharArray(), NOW));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertThrows(SigilException.class,
                () -> fast.verify(new FactorRecord(FactorType.TOTP, "JBSWY3DPEHPK3PXP", 0),
                        validSecret().toCharArray(), NOW));
    }

    @Test
    void verifyRefusesAMalformedRecordAsInternal() {
        FactorRecord broken = new FactorRecord(type(), "pbkdf2-sha256$1000$short$short", 0);

        SigilException e = assertThrows(SigilException.class,
                () -> fast.verify(broken, validSecret().toCharArray(), NOW));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record is malformed", e.getMessage());
    }

    @Test
    void verifyUpgradesARecordWithFewerIterationsThanConfigured() throws Exception {
        FactorRecord old = withIterations(FAST).enroll(validSecret().toCharArray());
        Authenticator stronger = withIterations(2 * FAST);

        Verification v = stronger.verify(old, validSecret().toCharArray(), NOW);

        assertTrue(v.accepted());
        FactorRecord upgraded = v.record();
        assertEquals(type(), upgraded.type());
        assertTrue(upgraded.stored().matches("pbkdf2-sha256-pepper-v1\\$[0-9a-f]{8}\\$200\\$.*"), upgraded.stored());
        assertNotEquals(old.stored().split("\\$")[3], upgraded.stored().split("\\$")[3], "a new salt");
        // The upgraded record holds the same secret and is now left as it is.
        Verification again = stronger.verify(upgraded, validSecret().toCharArray(), NOW);
        assertTrue(again.accepted());
        assertSame(upgraded, again.record());
    }

    @Test
    void verifyDoesNotUpgradeWhenTheSecretIsWrong() throws Exception {
        FactorRecord old = withIterations(FAST).enroll(validSecret().toCharArray());

        Verification v = withIterations(2 * FAST).verify(old, "certainly wrong".toCharArray(), NOW);

        assertFalse(v.accepted());
        assertSame(old, v.record());
    }

    @Test
    void verifyKeepsARecordWithMoreIterationsThanConfigured() throws Exception {
        FactorRecord strong = withIterations(2 * FAST).enroll(validSecret().toCharArray());

        Verification v = withIterations(FAST).verify(strong, validSecret().toCharArray(), NOW);

        assertTrue(v.accepted());
        assertSame(strong, v.record());
    }

    @Test
    void theSecretAppearsNeitherInTheStoredFormNorInAnyExceptionMessage() throws Exception {
        FactorRecord record = fast.enroll(validSecret().toCharArray());
        List<Throwable> thrown = new ArrayList<>();
        thrown.add(assertThrows(SigilException.class, () -> fast.enroll(invalidSecret().toCharArray())));
        thrown.add(assertThrows(SigilException.class, () -> fast.verify(
                new FactorRecord(type(), "pbkdf2-sha256$1000$" + validSecret() + "$x", 0),
                validSecret().toCharArray(), NOW)));
        thrown.add(assertThrows(SigilException.class, () -> fast.verify(
                new FactorRecord(FactorType.TOTP, validSecret(), 0), validSecret().toCharArray(), NOW)));

        assertFalse(record.stored().contains(validSecret()), record.stored());
        assertFalse(record.toString().contains(validSecret()), record.toString());
        for (Throwable t : thrown) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                assertFalse(c.getMessage().contains(validSecret()), c.getMessage());
                assertFalse(c.getMessage().contains(invalidSecret()), c.getMessage());
            }
        }
    }

    @Test
    void aRecordOfTheUnkeyedFormStillVerifiesAndIsReplacedByAKeyedOne() throws Exception {
        // As stored before the pepper: pbkdf2-sha256$<iterations>$<salt>$<hash>.
        FactorRecord old = new FactorRecord(type(), unkeyed(validSecret(), FAST), 7);

        Verification v = fast.verify(old, validSecret().toCharArray(), NOW);

        assertTrue(v.accepted());
        assertTrue(v.record().stored().startsWith("pbkdf2-sha256-pepper-v1$" + TestKdf.create().pepper().id()
                + "$" + FAST + "$"), v.record().stored());
        assertEquals(7, v.record().counter());
        Verification again = fast.verify(v.record(), validSecret().toCharArray(), NOW);
        assertTrue(again.accepted());
        assertSame(v.record(), again.record());
        assertFalse(fast.verify(old, "certainly wrong".toCharArray(), NOW).accepted());
        assertSame(old, fast.verify(old, "certainly wrong".toCharArray(), NOW).record());
    }

    @Test
    void aRecordMadeWithAnotherPepperIsRefusedAsInternalNotAsAWrongSecret() throws Exception {
        FactorRecord record = fast.enroll(validSecret().toCharArray());
        Authenticator elsewhere = withKdf(TestKdf.with(TestKdf.randomPepper()), FAST);

        SigilException e = assertThrows(SigilException.class,
                () -> elsewhere.verify(record, validSecret().toCharArray(), NOW));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record was made with another pepper", e.getMessage());
    }

    @Test
    void aFullKeyDerivationPoolMakesVerifyAndEnrollBusy() throws Exception {
        FactorRecord record = fast.enroll(validSecret().toCharArray());
        DerivationPool full = new DerivationPool(1, 0, java.time.Duration.ofMillis(50));
        Authenticator busy = withKdf(new KeyDerivation(TestKdf.create().pepper(), full), FAST);
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                full.run(DerivationPool.Lane.AUTHENTICATED, () -> {
                    holding.countDown();
                    return DerivationPoolTest.awaitQuietly(release);
                });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        holder.start();
        try {
            holding.await();
            assertEquals(ErrorCode.BUSY, assertThrows(SigilException.class,
                    () -> busy.verify(record, validSecret().toCharArray(), NOW)).code());
            assertEquals(ErrorCode.BUSY, assertThrows(SigilException.class,
                    () -> busy.enroll(validSecret().toCharArray())).code());
        } finally {
            release.countDown();
            holder.join();
        }
        assertTrue(busy.verify(record, validSecret().toCharArray(), NOW).accepted());
    }

    /** A record as the factors stored it before the pepper. */
    static String unkeyed(String secret, int iterations) throws Exception {
        byte[] salt = new byte[Pbkdf2Hasher.SALT_BYTES];
        new java.security.SecureRandom().nextBytes(salt);
        byte[] hash = Pbkdf2Hasher.derive(secret.toCharArray(), salt, iterations, Pbkdf2Hasher.HASH_BYTES);
        return "pbkdf2-sha256$" + iterations + "$" + java.util.Base64.getEncoder().encodeToString(salt) + "$"
                + java.util.Base64.getEncoder().encodeToString(hash);
    }

    /** The authenticator under test with the given key derivation. */
    abstract Authenticator withKdf(KeyDerivation kdf, int iterations);

    @Test
    void activationWithoutConfigurationHashesWithTheFactorsDefaultIterations() throws Exception {
        Authenticator byDefault = activated(Map.of());

        FactorRecord record = byDefault.enroll(validSecret().toCharArray());

        assertTrue(record.stored().matches("pbkdf2-sha256-pepper-v1\\$[0-9a-f]{8}\\$" + defaultIterations() + "\\$.*"),
                record.stored());
        assertTrue(byDefault.verify(record, validSecret().toCharArray(), NOW).accepted());
    }

    @Test
    void activationUpgradesRecordsMadeWithTheTestCount() throws Exception {
        FactorRecord old = fast.enroll(validSecret().toCharArray());

        Verification v = activated(Map.of("iterations", floor())).verify(old, validSecret().toCharArray(), NOW);

        assertTrue(v.accepted());
        assertTrue(v.record().stored().contains("$" + floor() + "$"), v.record().stored());
    }

    @Test
    void activationFailsWithAOneLineMessageBelowTheFloor() {
        SigilException e = assertThrows(SigilException.class,
                () -> activated(Map.of("iterations", floor() - 1)));

        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertTrue(e.getMessage().contains("iterations is " + (floor() - 1) + ", must be at least " + floor()),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(SigilException.class, () -> activated(Map.of("iterations", 0)));
        assertThrows(SigilException.class, () -> activated(Map.of("iterations", -600_000)));
    }
}
