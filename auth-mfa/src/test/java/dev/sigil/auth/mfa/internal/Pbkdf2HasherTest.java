package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.FactorType;
import dev.sigil.auth.mfa.internal.Pbkdf2Hasher.Outcome;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Pbkdf2HasherTest {
    private static final int FAST = 1_000;
    private static final String SALT_16 = Base64.getEncoder().encodeToString(new byte[16]);
    private static final String HASH_32 = Base64.getEncoder().encodeToString(new byte[32]);

    private final Pbkdf2Hasher hasher = hasher(FAST);

    private static Pbkdf2Hasher hasher(int iterations) {
        return new Pbkdf2Hasher(FactorType.PIN, iterations, new SecureRandom(), TestKdf.create(),
                DerivationPool.Lane.AUTHENTICATED);
    }

    /** Published PBKDF2-HMAC-SHA256 vectors for P = "password", S = "salt", dkLen = 32. */
    @ParameterizedTest
    @CsvSource({
        "1,    120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
        "2,    ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
        "4096, c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
    })
    void deriveMatchesThePublishedTestVectors(int iterations, String expectedHex) throws Exception {
        byte[] derived = Pbkdf2Hasher.derive("password".toCharArray(),
                "salt".getBytes(StandardCharsets.US_ASCII), iterations, 32);
        assertEquals(expectedHex, HexFormat.of().formatHex(derived));
    }

    @Test
    void storedTagEqualsAnIndependentHmacOfTheRfc8018ComputationOverTheUtf8Secret() throws Exception {
        String secret = "pässwörd €\uD834\uDD1E"; // non-ASCII, including a supplementary character
        String[] fields = hasher.hash(secret.toCharArray()).split("\\$");

        assertEquals(String.valueOf(FAST), fields[2]);
        byte[] salt = Base64.getDecoder().decode(fields[3]);
        byte[] pbkdf2 = rfc8018SingleBlock(secret.getBytes(StandardCharsets.UTF_8), salt, FAST);
        assertArrayEquals(TestKdf.tag(TestKdf.PEPPER, "PIN", FAST, salt, pbkdf2), Base64.getDecoder().decode(fields[4]));
    }

    @Test
    void storedFormNamesSchemePepperAndIterationsThenSixteenByteSaltAndThirtyTwoByteTag() throws Exception {
        String stored = hasher.hash("secret-1".toCharArray());

        assertTrue(stored.matches("pbkdf2-sha256-pepper-v1\\$[0-9a-f]{8}\\$1000\\$[A-Za-z0-9+/]{22}==\\$"
                + "[A-Za-z0-9+/]{43}="), stored);
        assertEquals(TestKdf.create().pepper().id(), stored.split("\\$")[1]);
    }

    @Test
    void hashingTheSameSecretTwiceGivesDifferentSaltsAndTags() throws Exception {
        String[] first = hasher.hash("same secret".toCharArray()).split("\\$");
        String[] second = hasher.hash("same secret".toCharArray()).split("\\$");

        assertNotEquals(first[3], second[3]);
        assertNotEquals(first[4], second[4]);
    }

    @Test
    void theSameSecretAndSaltGiveAnotherTagUnderAnotherPepperOrForTheOtherFactor() throws Exception {
        byte[] salt = Base64.getDecoder().decode(SALT_16);
        byte[] pbkdf2 = rfc8018SingleBlock("123456".getBytes(StandardCharsets.UTF_8), salt, 3);
        byte[] pin = TestKdf.tag(TestKdf.PEPPER, "PIN", 3, salt, pbkdf2);

        assertFalse(Arrays.equals(pin, TestKdf.tag(TestKdf.randomPepper(), "PIN", 3, salt, pbkdf2)));
        assertFalse(Arrays.equals(pin, TestKdf.tag(TestKdf.PEPPER, "PASSWORD", 3, salt, pbkdf2)));
        assertFalse(Arrays.equals(pin, pbkdf2), "the stored value is not the unkeyed PBKDF2");
    }

    @Test
    void aRecordMadeWithAnotherPepperIsAnErrorNotAWrongSecret() throws Exception {
        String stored = hasher.hash("secret".toCharArray());
        Pbkdf2Hasher other = new Pbkdf2Hasher(FactorType.PIN, FAST, new SecureRandom(),
                TestKdf.with(TestKdf.randomPepper()), DerivationPool.Lane.AUTHENTICATED);

        SigilException e = assertThrows(SigilException.class, () -> other.verify(stored, "secret".toCharArray()));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record was made with another pepper", e.getMessage());
    }

    @Test
    void aRecordWhoseIterationCountWasChangedNoLongerMatches() throws Exception {
        String[] f = hasher.hash("secret".toCharArray()).split("\\$");
        String lowered = String.join("$", f[0], f[1], "999", f[3], f[4]);

        assertEquals(Outcome.MISMATCH, hasher.verify(lowered, "secret".toCharArray()));
    }

    @Test
    void verifyMatchesTheRightSecretOnly() throws Exception {
        String stored = hasher.hash("right secret".toCharArray());

        assertEquals(Outcome.MATCH, hasher.verify(stored, "right secret".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify(stored, "right secreT".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify(stored, "right secret ".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify(stored, "right".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify(stored, new char[0]));
    }

    @Test
    void verifyAsksForARehashOnlyWhenTheRecordHasFewerIterationsThanConfigured() throws Exception {
        String stored = hasher.hash("secret".toCharArray());

        Pbkdf2Hasher stronger = hasher(FAST + 1);
        Pbkdf2Hasher weaker = hasher(FAST - 1);
        assertEquals(Outcome.MATCH_NEEDS_REHASH, stronger.verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MATCH, hasher.verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MATCH, weaker.verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MISMATCH, stronger.verify(stored, "wrong".toCharArray()));
    }

    @Test
    void hashAndVerifyLeaveTheCallersSecretUnchanged() throws Exception {
        char[] secret = "do not wipe me".toCharArray();
        String stored = hasher.hash(secret);
        hasher.verify(stored, secret);

        assertArrayEquals("do not wipe me".toCharArray(), secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "pbkdf2-sha256",
        "pbkdf2-sha256$1000$" + "AAAAAAAAAAAAAAAAAAAAAA==",
        "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
        "pbkdf2-sha1$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "PBKDF2-SHA256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$-1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$+1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$01000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$1e3$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$\u0661\u0660\u0660\u0660$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$2147483648$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$99999999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$1000$not*base64$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
        "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=AAAA",
        "pbkdf2-sha256$1000$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$0a1b2c3$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$0A1B2C3D$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$0a1b2c3d$01000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$0a1b2c3d$1000$AAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256-pepper-v1$0a1b2c3d$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
        "pbkdf2-sha256$0a1b2c3d$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    })
    void verifyRefusesMalformedRecordsWithoutQuotingThem(String stored) {
        SigilException e = assertThrows(SigilException.class, () -> hasher.verify(stored, "secret".toCharArray()));

        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record is malformed", e.getMessage());
        // The cause (for the log) names the faulty field, not what it contained.
        Throwable cause = e.getCause();
        assertNull(cause.getCause());
        String[] fields = stored.split("\\$");
        for (int i = 1; i < fields.length; i++) {
            if (fields[i].length() >= 4) {
                assertFalse(cause.getMessage().contains(fields[i]), cause.getMessage());
            }
        }
    }

    @Test
    void verifyAcceptsAnUnkeyedRecordOfTheOlderFormAndAsksToReplaceIt() throws Exception {
        // The malformed cases above differ from this well-formed record in one field each.
        byte[] salt = Base64.getDecoder().decode(SALT_16);
        byte[] hash = rfc8018SingleBlock("secret".getBytes(StandardCharsets.UTF_8), salt, 3);
        String stored = "pbkdf2-sha256$3$" + SALT_16 + "$" + Base64.getEncoder().encodeToString(hash);

        assertEquals(Outcome.MATCH_NEEDS_REHASH, hasher(3).verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MATCH_NEEDS_REHASH, hasher(1).verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify(stored, "secreT".toCharArray()));
        assertEquals(Outcome.MISMATCH, hasher.verify("pbkdf2-sha256$3$" + SALT_16 + "$" + HASH_32,
                "secret".toCharArray()));
    }

    @Test
    void verifyAcceptsAKeyedRecordComputedIndependentlyInTheStoredFormat() throws Exception {
        byte[] salt = Base64.getDecoder().decode(SALT_16);
        byte[] tag = TestKdf.tag(TestKdf.PEPPER, "PIN", 3, salt,
                rfc8018SingleBlock("secret".getBytes(StandardCharsets.UTF_8), salt, 3));
        String stored = "pbkdf2-sha256-pepper-v1$" + TestKdf.create().pepper().id() + "$3$" + SALT_16 + "$"
                + Base64.getEncoder().encodeToString(tag);

        assertEquals(Outcome.MATCH, hasher(3).verify(stored, "secret".toCharArray()));
        assertEquals(Outcome.MATCH_NEEDS_REHASH, hasher.verify(stored, "secret".toCharArray()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void hasherRefusesNonPositiveIterationCounts(int iterations) {
        assertThrows(IllegalArgumentException.class, () -> hasher(iterations));
    }

    /**
     * RFC 8018 section 5.2 for one block of HMAC-SHA256 output (dkLen = 32): T_1 = U_1 xor ... xor
     * U_c with U_1 = PRF(P, S || INT(1)) and U_j = PRF(P, U_{j-1}). Written from the RFC, not from
     * the JDK's implementation.
     */
    private static byte[] rfc8018SingleBlock(byte[] password, byte[] salt, int iterations) throws Exception {
        Mac prf = Mac.getInstance("HmacSHA256");
        prf.init(new SecretKeySpec(password, "HmacSHA256"));
        prf.update(salt);
        byte[] u = prf.doFinal(new byte[] {0, 0, 0, 1});
        byte[] t = u.clone();
        for (int j = 2; j <= iterations; j++) {
            u = prf.doFinal(u);
            for (int k = 0; k < t.length; k++) {
                t[k] ^= u[k];
            }
        }
        return t;
    }
}
