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
    private static final String RULE = "PIN must be 4 to 64 characters long and contain no whitespace";

    @Override
    Authenticator withIterations(int iterations) {
        return new PinAuthenticator(iterations, new SecureRandom());
    }

    @Override
    Authenticator activated(Map<String, Object> configuration) throws SigilException {
        return new PinAuthenticator(ComponentConfigs.of(PinAuthenticator.Config.class, configuration));
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
    @ValueSource(strings = {"0000", "1234", "84721", "a1b2", "Pin-With_Symbols!", "٣٤٥٦"})
    void enrollAcceptsPinsOfFourOrMoreCharactersWithoutWhitespace(String pin) throws Exception {
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
    @ValueSource(strings = {"", "1", "123", "12 34", " 1234", "1234 ", "12\t34", "12\n34", "12\u00A034",
        "12\u300034", "12\u200334"})
    void enrollRefusesShortPinsAndPinsWithWhitespaceWithTheRuleInTheMessage(String pin) {
        SigilException e = assertThrows(SigilException.class, () -> fast.enroll(pin.toCharArray()));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals(RULE, e.getMessage());
    }

    @Test
    void pinLengthCountsCharactersNotUtf16Units() throws Exception {
        String clef = "\uD834\uDD1E"; // U+1D11E, two UTF-16 units

        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(3).toCharArray()));
        fast.enroll(clef.repeat(4).toCharArray());
        fast.enroll(clef.repeat(64).toCharArray());
        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(65).toCharArray()));
    }

    @Test
    void aPinWithALeadingZeroDroppedIsWrong() throws Exception {
        FactorRecord record = fast.enroll("012345".toCharArray());

        assertFalse(fast.verify(record, "12345".toCharArray(), NOW).accepted());
    }
}
