package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.sigil.cli.sign.Secrets.Kind;

import org.junit.jupiter.api.Test;

class SecretsTest {
    private final List<String> prompts = new ArrayList<>();

    private Secrets.Prompter answering(String answer) {
        return prompt -> {
            prompts.add(prompt);
            return answer == null ? null : answer.toCharArray();
        };
    }

    @Test
    void theEnvironmentWinsOverThePrompt() throws Exception {
        Secrets s = new Secrets(Map.of("SIGIL_PIN", "123456"), answering("typed"));
        assertArrayEquals("123456".toCharArray(), s.get(Kind.PIN, "PIN: "));
        assertEquals(List.of(), prompts);
    }

    @Test
    void aSecretNotInTheEnvironmentIsAskedForWithThePromptGiven() throws Exception {
        Secrets s = new Secrets(Map.of("SIGIL_PIN", "123456"), answering("492039"));
        assertArrayEquals("492039".toCharArray(), s.get(Kind.OTP, "One-time code: "));
        assertEquals(List.of("One-time code: "), prompts);
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws Exception {
        Secrets s = new Secrets(Map.of("SIGIL_PASSWORD", ""), answering("pw"));
        assertArrayEquals("pw".toCharArray(), s.get(Kind.PASSWORD, "Password: "));
    }

    @Test
    void withoutATerminalTheMissingVariablesAreNamedBeforeAnythingHappens() {
        Secrets s = new Secrets(Map.of("SIGIL_PASSWORD", "pw"), null);
        SignException e = assertThrows(SignException.class, () -> s.requireAvailable(Kind.PASSWORD, Kind.PIN, Kind.OTP));
        assertEquals("no terminal to ask for the secrets; set SIGIL_PIN, SIGIL_OTP", e.getMessage());
        SignException one = assertThrows(SignException.class, () -> s.get(Kind.OTP, "One-time code: "));
        assertEquals("no terminal to ask for the one-time code; set SIGIL_OTP", one.getMessage());
    }

    @Test
    void withATerminalOrAllVariablesNothingIsMissing() {
        assertDoesNotThrow(() -> new Secrets(Map.of(), answering("x")).requireAvailable(Kind.values()));
        assertDoesNotThrow(() -> new Secrets(Map.of("SIGIL_PASSWORD", "a", "SIGIL_PIN", "b", "SIGIL_OTP", "c"), null)
                .requireAvailable(Kind.values()));
    }

    @Test
    void endOfInputOrAnEmptyAnswerIsRefused() {
        assertEquals("no PIN entered", assertThrows(SignException.class,
                () -> new Secrets(Map.of(), answering(null)).get(Kind.PIN, "PIN: ")).getMessage());
        assertEquals("no password entered", assertThrows(SignException.class,
                () -> new Secrets(Map.of(), answering("")).get(Kind.PASSWORD, "Password: ")).getMessage());
    }
}
