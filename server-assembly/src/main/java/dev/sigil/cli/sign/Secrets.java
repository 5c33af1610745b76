package dev.sigil.cli.sign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the password, PIN and one-time code come from: an environment variable (for scripts), else
 * a prompt on the terminal without echo. Secrets are returned as fresh {@code char[]} that the
 * caller zeroes after use; nothing here prints or keeps them.
 *
 * <p>A value taken from the environment also exists as a {@code String} that cannot be zeroed; the
 * prompt is the safer path for interactive use.
 */
final class Secrets {
    /** The three secrets, with the variable that supplies each. */
    enum Kind {
        PASSWORD("password", "SIGIL_PASSWORD"),
        PIN("PIN", "SIGIL_PIN"),
        OTP("one-time code", "SIGIL_OTP");

        final String label;
        final String variable;

        Kind(String label, String variable) {
            this.label = label;
            this.variable = variable;
        }
    }

    /** Reads a line without echo; {@code null} at end of input. (In production: {@code Console::readPassword}.) */
    @FunctionalInterface
    interface Prompter {
        char[] readPassword(String prompt);
    }

    private final Map<String, String> env;
    private final Prompter prompter;

    /**
     * @param env      the process environment
     * @param prompter the terminal, or {@code null} when there is none (input or output redirected)
     */
    Secrets(Map<String, String> env, Prompter prompter) {
        this.env = env;
        this.prompter = prompter;
    }

    /**
     * Fails before any network traffic if a secret could be neither read from the environment nor
     * asked for, naming the variables to set.
     */
    void requireAvailable(Kind... kinds) throws SignException {
        if (prompter != null) {
            return;
        }
        List<String> missing = new ArrayList<>();
        for (Kind k : kinds) {
            if (fromEnv(k) == null) {
                missing.add(k.variable);
            }
        }
        if (!missing.isEmpty()) {
            throw new SignException("no terminal to ask for the secrets; set " + String.join(", ", missing));
        }
    }

    /**
     * The secret from the environment, else from the prompt.
     *
     * @param prompt what to show on the terminal, e.g. {@code "PIN for credential demo: "}
     * @throws SignException if there is no terminal and no variable, or nothing was entered
     */
    char[] get(Kind kind, String prompt) throws SignException {
        String value = fromEnv(kind);
        if (value != null) {
            return value.toCharArray();
        }
        if (prompter == null) {
            throw new SignException("no terminal to ask for the " + kind.label + "; set " + kind.variable);
        }
        char[] entered = prompter.readPassword(prompt);
        if (entered == null || entered.length == 0) {
            throw new SignException("no " + kind.label + " entered");
        }
        return entered;
    }

    private String fromEnv(Kind kind) {
        String v = env.get(kind.variable);
        return v == null || v.isEmpty() ? null : v;
    }
}
