package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.auth.Verification;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TotpAuthenticatorTest {
    private static final String KEK_VAR = "SIGIL_TEST_TOTP_KEK";
    private static final String OTHER_KEK_VAR = "SIGIL_TEST_OTHER_KEK";
    private static final String KEK_A = base64(32, 1);
    private static final String KEK_B = base64(32, 2);
    private static final Map<String, String> ENVIRONMENT = Map.of(KEK_VAR, KEK_A, OTHER_KEK_VAR, KEK_B);

    /** RFC 6238 Appendix B seeds: 20, 32 and 64 ASCII bytes, for SHA1, SHA256 and SHA512. */
    private static final String SEED_SHA1 = "12345678901234567890";
    private static final String SEED_SHA256 = "12345678901234567890123456789012";
    private static final String SEED_SHA512 = "1234567890123456789012345678901234567890123456789012345678901234";
    /** The seeds in Base32 (Python's base64.b32encode), so that the test does not lean on Base32. */
    private static final Map<String, String> BASE32_SEEDS = Map.of(
            "SHA1", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "SHA256", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====",
            "SHA512", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                    + "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=");

    /** The seed of most tests: 22 bytes, distinctive enough to search for. */
    private static final byte[] SEED = "a seed for sigil tests".getBytes(StandardCharsets.US_ASCII);

    /** A time 15 seconds into step 60000000 of 30 seconds. */
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_015L);
    private static final long STEP = 60_000_000L;

    private final TotpAuthenticator totp = activated(Map.of("kek_env", KEK_VAR));

    @TempDir
    Path dir;

    // --- RFC test vectors -----------------------------------------------------------------

    /** RFC 6238 Appendix B, all 18 rows, through enroll and verify with a window of 0. */
    @ParameterizedTest
    @CsvSource({
        "59,          SHA1,   94287082",
        "59,          SHA256, 46119246",
        "59,          SHA512, 90693936",
        "1111111109,  SHA1,   07081804",
        "1111111109,  SHA256, 68084774",
        "1111111109,  SHA512, 25091201",
        "1111111111,  SHA1,   14050471",
        "1111111111,  SHA256, 67062674",
        "1111111111,  SHA512, 99943326",
        "1234567890,  SHA1,   89005924",
        "1234567890,  SHA256, 91819424",
        "1234567890,  SHA512, 93441116",
        "2000000000,  SHA1,   69279037",
        "2000000000,  SHA256, 90698825",
        "2000000000,  SHA512, 38618901",
        "20000000000, SHA1,   65353130",
        "20000000000, SHA256, 77737706",
        "20000000000, SHA512, 47863826",
    })
    void verifyAcceptsTheRfc6238AppendixBCodesAtTheirTimes(long time, String algorithm, String code)
            throws Exception {
        TotpAuthenticator exact = activated(Map.of("kek_env", KEK_VAR, "digits", 8, "algorithm", algorithm,
                "window", 0));
        FactorRecord record = exact.enroll(BASE32_SEEDS.get(algorithm).toCharArray());
        Instant at = Instant.ofEpochSecond(time);

        Verification v = exact.verify(record, code.toCharArray(), at);

        assertTrue(v.accepted(), algorithm + " at " + time);
        assertEquals(time / 30, v.record().counter());
        assertEquals(record.stored(), v.record().stored());
        assertFalse(exact.verify(record, lastDigitChanged(code).toCharArray(), at).accepted());
        assertFalse(exact.verify(record, code.toCharArray(), at.plusSeconds(30)).accepted(), "window 0");
    }

    @Test
    void theRfcSeedsInBase32AreTheAsciiSeeds() {
        assertArrayEquals(SEED_SHA1.getBytes(StandardCharsets.US_ASCII),
                Base32.decode(BASE32_SEEDS.get("SHA1").toCharArray(), 64));
        assertArrayEquals(SEED_SHA256.getBytes(StandardCharsets.US_ASCII),
                Base32.decode(BASE32_SEEDS.get("SHA256").toCharArray(), 64));
        assertArrayEquals(SEED_SHA512.getBytes(StandardCharsets.US_ASCII),
                Base32.decode(BASE32_SEEDS.get("SHA512").toCharArray(), 64));
    }

    @Test
    void sixDigitCodesAreTheLastSixOfTheEightDigitOnes() throws Exception {
        // Defaults (SHA1, 6 digits): at 59 s the RFC 6238 code 94287082 becomes 287082, which is
        // also RFC 4226's HOTP value for counter 1.
        FactorRecord record = totp.enroll(BASE32_SEEDS.get("SHA1").toCharArray());

        assertTrue(totp.verify(record, "287082".toCharArray(), Instant.ofEpochSecond(59)).accepted());
    }

    // --- window and replay ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 1})
    void theDefaultWindowAcceptsTheCurrentStepAndOneEitherSide(long offset) throws Exception {
        FactorRecord record = totp.enroll(seed());

        Verification v = totp.verify(record, code(STEP + offset), NOW);

        assertTrue(v.accepted());
        assertEquals(STEP + offset, v.record().counter());
    }

    @ParameterizedTest
    @ValueSource(longs = {-3, -2, 2, 3})
    void theDefaultWindowRefusesCodesTwoOrMoreStepsAway(long offset) throws Exception {
        FactorRecord record = totp.enroll(seed());

        Verification v = totp.verify(record, code(STEP + offset), NOW);

        assertFalse(v.accepted());
        assertSame(record, v.record());
    }

    @Test
    void windowZeroAcceptsOnlyTheCurrentStepAndWindowTwoAcceptsTwoEitherSide() throws Exception {
        TotpAuthenticator strict = activated(Map.of("kek_env", KEK_VAR, "window", 0));
        TotpAuthenticator lenient = activated(Map.of("kek_env", KEK_VAR, "window", 2));
        FactorRecord record = strict.enroll(seed());

        assertTrue(strict.verify(record, code(STEP), NOW).accepted());
        assertFalse(strict.verify(record, code(STEP - 1), NOW).accepted());
        assertFalse(strict.verify(record, code(STEP + 1), NOW).accepted());
        assertTrue(lenient.verify(record, code(STEP - 2), NOW).accepted());
        assertTrue(lenient.verify(record, code(STEP + 2), NOW).accepted());
        assertFalse(lenient.verify(record, code(STEP + 3), NOW).accepted());
    }

    @Test
    void theSameCodeIsRefusedTheSecondTime() throws Exception {
        FactorRecord record = totp.enroll(seed());
        Verification first = totp.verify(record, code(STEP), NOW);

        Verification second = totp.verify(first.record(), code(STEP), NOW.plusSeconds(5));

        assertTrue(first.accepted());
        assertFalse(second.accepted());
        assertSame(first.record(), second.record());
    }

    @Test
    void anEarlierStepsCodeIsRefusedAfterALaterOneWasAccepted() throws Exception {
        FactorRecord record = totp.enroll(seed());
        Verification later = totp.verify(record, code(STEP + 1), NOW);

        assertTrue(later.accepted());
        assertEquals(STEP + 1, later.record().counter());
        assertFalse(totp.verify(later.record(), code(STEP), NOW).accepted());
        assertFalse(totp.verify(later.record(), code(STEP - 1), NOW).accepted());
        assertFalse(totp.verify(later.record(), code(STEP + 1), NOW.plusSeconds(30)).accepted());
        assertTrue(totp.verify(later.record(), code(STEP + 2), NOW.plusSeconds(30)).accepted());
    }

    @Test
    void aRefusalLeavesTheCounterWhereItWas() throws Exception {
        FactorRecord used = totp.verify(totp.enroll(seed()), code(STEP), NOW).record();

        Verification wrong = totp.verify(used, lastDigitChanged(new String(code(STEP + 1))).toCharArray(), NOW);

        assertFalse(wrong.accepted());
        assertEquals(STEP, wrong.record().counter());
        assertTrue(totp.verify(wrong.record(), code(STEP + 1), NOW).accepted());
    }

    // --- the presented code's format ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "drop-first", "extra-digit", "leading-space", "trailing-space", "trailing-newline",
        "inner-space", "full-width", "arabic-indic", "letter"})
    void aCodeOfTheWrongFormatIsRefusedNotAnError(String variant) throws Exception {
        FactorRecord record = totp.enroll(seed());
        String right = new String(code(STEP));
        String presented = switch (variant) {
            case "" -> "";
            case "drop-first" -> right.substring(1);
            case "extra-digit" -> right + "0";
            case "leading-space" -> " " + right;
            case "trailing-space" -> right + " ";
            case "trailing-newline" -> right + "\n";
            case "inner-space" -> right.substring(0, 3) + " " + right.substring(3);
            case "full-width" -> shiftDigits(right, '\uFF10');
            case "arabic-indic" -> shiftDigits(right, '\u0660');
            case "letter" -> right.substring(0, 5) + "x";
            default -> throw new AssertionError(variant);
        };

        Verification v = totp.verify(record, presented.toCharArray(), NOW);

        assertFalse(v.accepted(), variant);
        assertSame(record, v.record());
        assertTrue(totp.verify(record, right.toCharArray(), NOW).accepted(), "the right code itself");
    }

    @Test
    void anEightDigitRecordRefusesTheLastSixDigitsOfItsCode() throws Exception {
        TotpAuthenticator eight = activated(Map.of("kek_env", KEK_VAR, "digits", 8));
        FactorRecord record = eight.enroll(seed());
        String code = hotp(TotpAlgorithm.SHA1, STEP, 8);

        assertFalse(eight.verify(record, code.substring(2).toCharArray(), NOW).accepted());
        assertTrue(eight.verify(record, code.toCharArray(), NOW).accepted());
    }

    @Test
    void verifyAndEnrollLeaveTheCallersBuffersUnchanged() throws Exception {
        char[] seed = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq".toCharArray();
        char[] code = code(STEP);
        char[] codeCopy = code.clone();

        totp.verify(totp.enroll(seed), code, NOW);

        assertArrayEquals("gezd gnbv gy3t qojq gezd gnbv gy3t qojq".toCharArray(), seed);
        assertArrayEquals(codeCopy, code);
    }

    // --- enrollment -----------------------------------------------------------------------

    @Test
    void enrollReturnsATotpRecordWithCounterZero() throws Exception {
        FactorRecord record = totp.enroll(seed());

        assertEquals(FactorType.TOTP, record.type());
        assertEquals(0, record.counter());
        assertEquals(FactorType.TOTP, totp.type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====", " gEzDgNbV\tGy3TqOjQ gEzDgNbVgY3tQoJq\n"})
    void enrollIgnoresCaseSpacesAndPadding(String spelling) throws Exception {
        FactorRecord record = totp.enroll(spelling.toCharArray());

        assertTrue(totp.verify(record, "287082".toCharArray(), Instant.ofEpochSecond(59)).accepted());
    }

    @Test
    void enrollAcceptsSeedsOfExactly16And64Bytes() throws Exception {
        for (int length : new int[] {16, 64}) {
            byte[] seed = new byte[length];
            new SecureRandom().nextBytes(seed);
            FactorRecord record = totp.enroll(Base32.encode(seed));

            assertTrue(totp.verify(record, hotp(seed, TotpAlgorithm.SHA1, STEP, 6).toCharArray(), NOW).accepted(),
                    length + " bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "====",
        "GEZDGNBVGY3TQOJQGEZDGNBV", // 15 bytes (RFC 4226 wants at least 128 bits)
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", // '1' is not Base32
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ0", // nor is '0'
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQG", // 33 characters: no whole number of bytes
        "3132333435363738393031323334353637383930", // hex, not Base32
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ-GEZDGNBV",
    })
    void enrollRefusesShortOrInvalidBase32WithTheRuleAsMessage(String text) {
        SigilException e = assertThrows(SigilException.class, () -> totp.enroll(text.toCharArray()));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals("TOTP seed must be Base32 (RFC 4648) of 16 to 64 bytes", e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void enrollRefusesASeedLongerThan64Bytes() {
        char[] seed = Base32.encode(new byte[65]);

        SigilException e = assertThrows(SigilException.class, () -> totp.enroll(seed));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertThrows(SigilException.class, () -> totp.enroll(Base32.encode(new byte[10_000])));
    }

    // --- the stored form ------------------------------------------------------------------

    @Test
    void theStoredFormIsSchemeIvCiphertextAndTheCodeParameters() throws Exception {
        String stored = totp.enroll(seed()).stored();
        String[] fields = stored.split("\\$", -1);

        assertEquals(6, fields.length, stored);
        assertEquals("totp-aesgcm-v1", fields[0]);
        assertEquals(12, Base64.getDecoder().decode(fields[1]).length, "iv");
        assertEquals(SEED.length + 16, Base64.getDecoder().decode(fields[2]).length, "seed + GCM tag");
        assertEquals("SHA1", fields[3]);
        assertEquals("6", fields[4]);
        assertEquals("30", fields[5]);
    }

    @Test
    void theStoredFormContainsTheSeedInNoEncoding() throws Exception {
        byte[] seed = "Sigil TOTP test seed".getBytes(StandardCharsets.US_ASCII);
        FactorRecord record = totp.enroll(Base32.encode(seed));
        String stored = record.stored();
        List<String> encodings = List.of(
                new String(seed, StandardCharsets.US_ASCII),
                HexFormat.of().formatHex(seed),
                HexFormat.of().withUpperCase().formatHex(seed),
                Base64.getEncoder().encodeToString(seed),
                Base64.getEncoder().withoutPadding().encodeToString(seed),
                Base64.getUrlEncoder().withoutPadding().encodeToString(seed),
                new String(Base32.encode(seed)),
                new String(Base32.encode(seed)).toLowerCase(Locale.ROOT));

        for (String encoding : encodings) {
            assertFalse(stored.contains(encoding), encoding);
            assertFalse(record.toString().contains(encoding), encoding);
        }
        String[] fields = stored.split("\\$");
        for (int f = 1; f <= 2; f++) {
            String bytes = new String(Base64.getDecoder().decode(fields[f]), StandardCharsets.ISO_8859_1);
            for (int i = 0; i + 4 <= seed.length; i++) {
                String window = new String(seed, i, 4, StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(window), "4 seed bytes at " + i + " appear in field " + f);
            }
        }
    }

    @Test
    void twoEnrollmentsOfTheSameSeedDifferInIvAndCiphertext() throws Exception {
        String[] first = totp.enroll(seed()).stored().split("\\$");
        String[] second = totp.enroll(seed()).stored().split("\\$");

        assertNotEquals(first[1], second[1]);
        assertNotEquals(first[2], second[2]);
    }

    @Test
    void aRecordEncryptedUnderOneKekIsRefusedUnderAnotherAsInternal() throws Exception {
        FactorRecord record = totp.enroll(seed());
        TotpAuthenticator sameKek = activated(Map.of("kek_env", KEK_VAR));
        TotpAuthenticator otherKek = activated(Map.of("kek_env", OTHER_KEK_VAR));

        assertTrue(sameKek.verify(record, code(STEP), NOW).accepted());
        SigilException e = assertThrows(SigilException.class, () -> otherKek.verify(record, code(STEP), NOW));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record is malformed or was encrypted with another key", e.getMessage());
    }

    /** Each change of the stored form, including one to the parameters in the AAD, is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"ciphertext-bit", "tag-bit", "iv-bit", "digits", "algorithm", "period", "scheme",
        "field-missing", "field-added", "iv-not-base64", "iv-too-long", "ciphertext-too-short", "period-padded",
        "period-zero", "empty", "knowledge-record"})
    void aChangedOrMalformedRecordIsRefusedAsInternalWithoutDetail(String change) throws Exception {
        String stored = totp.enroll(seed()).stored();
        String[] f = stored.split("\\$");
        String changed = switch (change) {
            case "ciphertext-bit" -> join(f[0], f[1], flipBit(f[2], 0), f[3], f[4], f[5]);
            case "tag-bit" -> join(f[0], f[1], flipBit(f[2], -1), f[3], f[4], f[5]);
            case "iv-bit" -> join(f[0], flipBit(f[1], 0), f[2], f[3], f[4], f[5]);
            case "digits" -> join(f[0], f[1], f[2], f[3], "8", f[5]);
            case "algorithm" -> join(f[0], f[1], f[2], "SHA256", f[4], f[5]);
            case "period" -> join(f[0], f[1], f[2], f[3], f[4], "60");
            case "scheme" -> join("totp-aesgcm-v2", f[1], f[2], f[3], f[4], f[5]);
            case "field-missing" -> join(f[0], f[1], f[2], f[3], f[4]);
            case "field-added" -> stored + "$1";
            case "iv-not-base64" -> join(f[0], "!" + f[1].substring(1), f[2], f[3], f[4], f[5]);
            case "iv-too-long" -> join(f[0], Base64.getEncoder().encodeToString(new byte[16]), f[2], f[3], f[4], f[5]);
            case "ciphertext-too-short" -> join(f[0], f[1], Base64.getEncoder().encodeToString(new byte[31]), f[3],
                    f[4], f[5]);
            case "period-padded" -> join(f[0], f[1], f[2], f[3], f[4], "030");
            case "period-zero" -> join(f[0], f[1], f[2], f[3], f[4], "0");
            case "empty" -> "";
            case "knowledge-record" -> "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$" + f[2];
            default -> throw new AssertionError(change);
        };

        SigilException e = assertThrows(SigilException.class,
                () -> totp.verify(new FactorRecord(FactorType.TOTP, changed, 0), code(STEP), NOW));

        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored factor record is malformed or was encrypted with another key", e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(t.getMessage().contains(f[1]), t.getMessage());
            assertFalse(t.getMessage().contains(f[2]), t.getMessage());
        }
    }

    @Test
    void aRecordOfAnotherFactorTypeIsRefusedAsInternal() throws Exception {
        FactorRecord record = totp.enroll(seed());

        for (FactorType other : new FactorType[] {FactorType.PIN, FactorType.PASSWORD}) {
            SigilException e = assertThrows(SigilException.class,
                    () -> totp.verify(new FactorRecord(other, record.stored(), 0), code(STEP), NOW));
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertEquals("stored factor record is malformed or was encrypted with another key", e.getMessage());
        }
    }

    @Test
    void afterDeactivationTheKekIsGoneAndVerifyFailsAsInternal() throws Exception {
        TotpAuthenticator soon = activated(Map.of("kek_env", KEK_VAR));
        FactorRecord record = soon.enroll(seed());

        soon.deactivate();

        assertEquals(ErrorCode.INTERNAL,
                assertThrows(SigilException.class, () -> soon.verify(record, code(STEP), NOW)).code());
        assertEquals(ErrorCode.INTERNAL, assertThrows(SigilException.class, () -> soon.enroll(seed())).code());
    }

    // --- configuration --------------------------------------------------------------------

    @Test
    void theDefaultsAreThoseOfGoogleAuthenticatorAndOathtool() throws Exception {
        TotpAuthenticator.Config defaults = ComponentConfigs.defaults(TotpAuthenticator.Config.class);

        assertEquals(1, defaults.window());
        assertEquals(6, defaults.digits());
        assertEquals(30, defaults.period());
        assertEquals("SHA1", defaults.algorithm());
        assertTrue(totp.enroll(seed()).stored().endsWith("$SHA1$6$30"));
    }

    @Test
    void newEnrollmentsTakeTheConfiguredParametersAndOldRecordsKeepTheirs() throws Exception {
        FactorRecord old = totp.enroll(seed());
        TotpAuthenticator changed = activated(Map.of("kek_env", KEK_VAR, "algorithm", "sha512", "digits", 8,
                "period", 60));

        FactorRecord fresh = changed.enroll(seed());

        assertTrue(fresh.stored().endsWith("$SHA512$8$60"), fresh.stored());
        long step60 = NOW.getEpochSecond() / 60;
        assertTrue(changed.verify(fresh, hotp(TotpAlgorithm.SHA512, step60, 8).toCharArray(), NOW).accepted());
        assertTrue(changed.verify(old, code(STEP), NOW).accepted(), "a record made under the defaults");
    }

    @Test
    void theKekCanComeFromAFileWithATrailingLineBreak() throws Exception {
        Path file = dir.resolve("totp.kek");
        Files.writeString(file, KEK_A + "\n");
        TotpAuthenticator fromFile = activated(Map.of("kek_file", file.toString()));

        FactorRecord record = fromFile.enroll(seed());

        assertTrue(totp.verify(record, code(STEP), NOW).accepted(), "the same KEK as from the environment");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "none            | dev.sigil.auth.totp: set exactly one of kek.env and kek.file",
        "both            | dev.sigil.auth.totp: set exactly one of kek.env and kek.file",
        "unset-variable  | dev.sigil.auth.totp: kek.env names SIGIL_TEST_UNSET, which is not set",
        "16-bytes        | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
        "33-bytes        | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
        "hex             | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
        "not-base64      | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
        "non-ascii       | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
        "inner-space     | dev.sigil.auth.totp: kek must be base64 of 32 bytes",
    })
    void aMissingOrBadKekFailsActivationWithAOneLineMessageWithoutTheValue(String kind, String message) {
        String value = switch (kind) {
            case "16-bytes" -> base64(16, 7);
            case "33-bytes" -> base64(33, 7);
            case "hex" -> HexFormat.of().formatHex(Base64.getDecoder().decode(KEK_A));
            case "not-base64" -> KEK_A.substring(0, 40) + "!!!=";
            case "non-ascii" -> KEK_A.substring(0, 43) + "é";
            case "inner-space" -> KEK_A.substring(0, 20) + " " + KEK_A.substring(20);
            default -> KEK_A;
        };
        Map<String, Object> config = switch (kind) {
            case "none" -> Map.of();
            case "both" -> Map.of("kek_env", "BAD_KEK", "kek_file", dir.resolve("kek").toString());
            case "unset-variable" -> Map.of("kek_env", "SIGIL_TEST_UNSET");
            default -> Map.of("kek_env", "BAD_KEK");
        };

        SigilException e = assertThrows(SigilException.class,
                () -> new TotpAuthenticator(ComponentConfigs.of(TotpAuthenticator.Config.class, config),
                        Map.of("BAD_KEK", value)::get, new SecureRandom()));

        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals(message, e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(t.getMessage().contains(value.substring(4, 24)), t.getMessage());
        }
    }

    @Test
    void anUnreadableKekFileNamesTheFileNotItsContent() {
        Path missing = dir.resolve("missing.kek");

        SigilException e = assertThrows(SigilException.class, () -> activate(Map.of("kek_file", missing.toString())));

        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertTrue(e.getMessage().startsWith("dev.sigil.auth.totp: kek.file " + missing), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "window    | 3      | dev.sigil.auth.totp: window is 3, must be 0 to 2",
        "window    | -1     | dev.sigil.auth.totp: window is -1, must be 0 to 2",
        "digits    | 7      | dev.sigil.auth.totp: digits is 7, must be 6 or 8",
        "digits    | 10     | dev.sigil.auth.totp: digits is 10, must be 6 or 8",
        "period    | 9      | dev.sigil.auth.totp: period is 9, must be 10 to 300 seconds",
        "period    | 301    | dev.sigil.auth.totp: period is 301, must be 10 to 300 seconds",
        "algorithm | MD5    | dev.sigil.auth.totp: algorithm must be SHA1, SHA256 or SHA512",
        "algorithm | SHA-1  | dev.sigil.auth.totp: algorithm must be SHA1, SHA256 or SHA512",
    })
    void parametersOutOfRangeFailActivationWithAOneLineMessage(String property, String value, String message) {
        Object typed = property.equals("algorithm") ? value : (Object) Integer.valueOf(value);

        SigilException e = assertThrows(SigilException.class,
                () -> activate(Map.of("kek_env", KEK_VAR, property, typed)));

        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals(message, e.getMessage());
    }

    // --- an independent implementation ----------------------------------------------------

    /** oathtool (OATH Toolkit) as a second opinion; ./sigil test installs it (Debian: apt-get install oathtool). */
    @ParameterizedTest
    @CsvSource({
        "SHA1,   6, 30, --totp",
        "SHA256, 8, 30, --totp=sha256",
        "SHA512, 8, 60, --totp=sha512",
    })
    void codesAgreeWithOathtool(String algorithm, int digits, int period, String mode) throws Exception {
        assertTrue(oathtoolInstalled(), "oathtool is missing: install it (Debian: apt-get install oathtool); "
                + "./sigil test does so when run as root");
        char[] seed = TotpSeeds.newSeed(new SecureRandom());
        long epoch = 1_750_000_000L + new SecureRandom().nextInt(1_000_000);
        Process p = new ProcessBuilder("oathtool", mode, "--digits=" + digits, "--time-step-size=" + period + "s",
                "-b", new String(seed), "-N", "@" + epoch).redirectErrorStream(true).start();
        String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), code);
        TotpAuthenticator configured = activated(Map.of("kek_env", KEK_VAR, "algorithm", algorithm,
                "digits", digits, "period", period, "window", 0));

        FactorRecord record = configured.enroll(seed);

        assertEquals(digits, code.length(), code);
        assertTrue(configured.verify(record, code.toCharArray(), Instant.ofEpochSecond(epoch)).accepted());
    }

    // --- helpers --------------------------------------------------------------------------

    /** The component as DS activates it, with the test environment. */
    private static TotpAuthenticator activate(Map<String, Object> configuration) throws SigilException {
        return new TotpAuthenticator(ComponentConfigs.of(TotpAuthenticator.Config.class, configuration),
                ENVIRONMENT::get, new SecureRandom());
    }

    /** {@link #activate} for configurations that are expected to work. */
    private static TotpAuthenticator activated(Map<String, Object> configuration) {
        try {
            return activate(configuration);
        } catch (SigilException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** The test seed in Base32, 22 bytes. */
    private static char[] seed() {
        return Base32.encode(SEED);
    }

    /** The default (SHA1, 6 digits) code of the test seed for one step. */
    private static char[] code(long step) {
        return hotp(TotpAlgorithm.SHA1, step, 6).toCharArray();
    }

    private static String hotp(TotpAlgorithm algorithm, long step, int digits) {
        return hotp(SEED, algorithm, step, digits);
    }

    /** Through {@link Hotp}, which HotpTest checks against RFC 4226. */
    private static String hotp(byte[] seed, TotpAlgorithm algorithm, long step, int digits) {
        try {
            byte[] out = new byte[digits];
            Hotp.ascii(Hotp.value(Hotp.mac(algorithm, seed), step, digits), out);
            return new String(out, StandardCharsets.US_ASCII);
        } catch (SigilException e) {
            throw new AssertionError(e);
        }
    }

    private static String lastDigitChanged(String code) {
        char last = code.charAt(code.length() - 1);
        return code.substring(0, code.length() - 1) + (char) ('0' + (last - '0' + 1) % 10);
    }

    private static String shiftDigits(String code, char zero) {
        StringBuilder out = new StringBuilder();
        for (char c : code.toCharArray()) {
            out.append((char) (zero + (c - '0')));
        }
        return out.toString();
    }

    private static String join(String... fields) {
        return String.join("$", fields);
    }

    /** The base64 field with one bit flipped in byte {@code index} (negative: from the end). */
    private static String flipBit(String field, int index) {
        byte[] bytes = Base64.getDecoder().decode(field);
        bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String base64(int length, int fill) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (fill * 31 + i * 7);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static boolean oathtoolInstalled() {
        try {
            Process p = new ProcessBuilder("oathtool", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
