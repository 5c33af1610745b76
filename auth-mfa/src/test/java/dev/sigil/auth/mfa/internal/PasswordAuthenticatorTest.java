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

class PasswordAuthenticatorTest extends KnowledgeFactorContractTest {
    private static final String RULE = "password must be 8 to 1024 characters long";

    @Override
    Authenticator withIterations(int iterations) {
        return withKdf(TestKdf.create(), iterations);
    }

    @Override
    Authenticator withKdf(KeyDerivation kdf, int iterations) {
        return new PasswordAuthenticator(kdf, iterations, new SecureRandom());
    }

    @Override
    Authenticator activated(Map<String, Object> configuration) throws SigilException {
        return new PasswordAuthenticator(TestKdf.create(), ComponentConfigs.of(PasswordAuthenticator.Config.class, configuration));
    }

    @Override
    int defaultIterations() {
        return 600000;
    }

    @Override
    int floor() {
        return 100000;
    }

    @Override
    FactorType type() {
        return FactorType.PASSWORD;
    }

    @Override
    String validSecret() {
        return "Tr0ub4dor&3-horse";
    }

    @Override
    String invalidSecret() {
        return "Qz7!xw";
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 9, 64, 1024})
    void enrollAcceptsPasswordsOf8To1024Characters(int length) throws Exception {
        String password = "p".repeat(length);

        FactorRecord record = fast.enroll(password.toCharArray());

        assertTrue(fast.verify(record, password.toCharArray(), NOW).accepted());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 1025, 4096})
    void enrollRefusesPasswordsOutside8To1024CharactersWithTheRuleInTheMessage(int length) {
        SigilException e = assertThrows(SigilException.class, () -> fast.enroll("p".repeat(length).toCharArray()));

        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals(RULE, e.getMessage());
    }

    @Test
    void enrollAcceptsSpacesAndAnyScriptInPasswords() throws Exception {
        String[] passwords = {"correct horse battery staple", "пароль-пароль", "パスワードです!!", "\tab\ncd  ef"};
        for (String password : passwords) {
            FactorRecord record = fast.enroll(password.toCharArray());
            assertTrue(fast.verify(record, password.toCharArray(), NOW).accepted(), password);
        }
    }

    @Test
    void passwordLengthCountsCharactersNotUtf16Units() throws Exception {
        String clef = "\uD834\uDD1E"; // U+1D11E, two UTF-16 units

        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(7).toCharArray()));
        fast.enroll(clef.repeat(8).toCharArray());
        fast.enroll(clef.repeat(1024).toCharArray());
        assertThrows(SigilException.class, () -> fast.enroll(clef.repeat(1025).toCharArray()));
    }

    @Test
    void aPasswordDifferingOnlyInCaseIsWrong() throws Exception {
        FactorRecord record = fast.enroll("CaseMatters".toCharArray());

        assertFalse(fast.verify(record, "casematters".toCharArray(), NOW).accepted());
    }
}
