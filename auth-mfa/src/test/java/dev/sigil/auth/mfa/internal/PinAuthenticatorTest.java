package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;
import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.FactorType;

import java.security.SecureRandom;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinAuthenticatorTest extends KnowledgeFactorContractTest {
    private static final String RULE = "PIN must be 6 to 64 characters long and contain no whitespace";

    @Override
    Authenticator withIterations(int iterations) {
        return withKdf(TestKdf.create(), iterations);
    }

    @Override
    Authenticator withKdf(KeyDerivation kdf, int iterations) {
        return new PinAuthenticator(kdf, iterations, new SecureRandom());
    }

    @Override
    Authenticator activated(Map<String, Object> configuration) throws SigilException {
        return new PinAuthenticator(TestKdf.create(), ComponentConfigs.of(PinAuthenticator.Config.class, configuration));
    }

    @Override
    int defaultIterations() {
        return 1000;
    }

    @Override
    int floor() {
        return 1000;
    }

    @Override
    FactorType type() {
        return FactorType.PIN;
    }

    @Override
    String validSecret() {
        return "861304";
    }

    @Override
    String invalidSecret() {
        return "86 1304";
    }

    @ParameterizedTest
    @ValueSource(strings = {"000000", "123456", "8472135", "a1b2c3", "Pin-With_Symbols!", "٣٤٥٦٧٨"})
    void enrollAcceptsPinsOfSixOrMoreCharactersWithoutWhitespace(String pin) throws Exception {
        FactorRecord record = fast.enroll(pin.toCharArray());

        assertTrue(fast.verify(record, pin.toCharArray(), NOW).accepted());
    }

    @Test
    void enrollAcceptsA64CharacterPinAndRefusesA65CharacterOne() throws Exception {
        fast.enroll("7".repeat(64).toCharArray());

        assertEquals(RULE, assertThrows(SigilException.class, () -> fast.enroll("7".repeat(65).toCharArray()))
                .getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "123", "1234", "12345", "a1b2c", "123 456", " 123456", "123456 ", "123\t456",
        "123\n456", "123\u00A0456", "123\u3000456", "123\u2003456"})
    void enrollRefusesShortPinsAndPinsWithWhitespaceWithTheRuleInTheMessage(String pin) {
        SigilException e = assertThrows(SigilException.class, () -> fast.enroll(pin.toCharArray()));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals(RULE, e.getMessage());
    }

    @Test
    void pinLengthCountsCharactersNotUtf16Units() throws Exception {
        String clef = "\uD834\uDD1E"; // U+1D11E, two UTF-16 units

        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(5).toCharArray()));
        fast.enroll(clef.repeat(6).toCharArray());
        fast.enroll(clef.repeat(64).toCharArray());
        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(65).toCharArray()));
    }

    @Test
    void aFourDigitPinEnrolledUnderTheOldRuleStillVerifies() throws Exception {
        // Records made when four characters were allowed: verify compares, it does not apply the rule.
        FactorRecord old = new FactorRecord(FactorType.PIN, unkeyed("4711", FAST), 0);

        assertTrue(fast.verify(old, "4711".toCharArray(), NOW).accepted());
    }

    @Test
    void aPinWithALeadingZeroDroppedIsWrong() throws Exception {
        FactorRecord record = fast.enroll("012345".toCharArray());

        assertFalse(fast.verify(record, "12345".toCharArray(), NOW).accepted());
    }
}
