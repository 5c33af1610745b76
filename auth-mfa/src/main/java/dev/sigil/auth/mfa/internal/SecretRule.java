package dev.sigil.auth.mfa.internal;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.util.Objects;

/**
 * What a new knowledge secret must look like. Lengths count Unicode code points, so a character
 * outside the Basic Multilingual Plane counts once. Immutable and thread-safe.
 *
 * @param name              the factor's name as users know it ("password", "PIN"); not null
 * @param minLength         the fewest code points allowed; positive
 * @param maxLength         the most code points allowed; at least {@code minLength}
 * @param whitespaceAllowed whether spaces, tabs, line breaks and no-break spaces are allowed
 */
record SecretRule(String name, int minLength, int maxLength, boolean whitespaceAllowed) {
    SecretRule {
        Objects.requireNonNull(name, "name");
        if (minLength < 1 || maxLength < minLength) {
            throw new IllegalArgumentException("lengths must satisfy 1 <= minLength <= maxLength");
        }
    }

    /** The rule in words, fit for a client: names the limits, never the secret. */
    String describe() {
        return name + " must be " + minLength + " to " + maxLength + " characters long"
                + (whitespaceAllowed ? "" : " and contain no whitespace");
    }

    /**
     * Checks a secret against the rule.
     *
     * @param secret the secret; not null, read, not kept, not modified
     * @throws SigilException {@link ErrorCode#INVALID_REQUEST} with {@link #describe()} as the
     *                        message if the secret breaks the rule
     */
    void check(char[] secret) throws SigilException {
        Objects.requireNonNull(secret, "secret");
        int length = 0;
        for (int i = 0; i < secret.length; ) {
            int cp = Character.codePointAt(secret, i);
            if (!whitespaceAllowed && (Character.isWhitespace(cp) || Character.isSpaceChar(cp))) {
                throw new SigilException(ErrorCode.INVALID_REQUEST, describe());
            }
            length++;
            i += Character.charCount(cp);
        }
        if (length < minLength || length > maxLength) {
            throw new SigilException(ErrorCode.INVALID_REQUEST, describe());
        }
    }
}
