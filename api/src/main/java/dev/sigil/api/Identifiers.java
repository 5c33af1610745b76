package dev.sigil.api;

import java.util.regex.Pattern;

/**
 * The one rule for user and credential identifiers: 1 to {@value #MAX_LENGTH} characters of
 * {@code A-Z a-z 0-9 . _ @ -}. The administrator creates identifiers by it, the transport refuses
 * anything else at the edge, and the store's columns are exactly this wide.
 *
 * <pre>{@code
 * if (!Identifiers.valid(credentialId)) { ... refuse ... }
 * }</pre>
 *
 * @since 1.2
 */
public final class Identifiers {
    /** The longest identifier, in characters. */
    public static final int MAX_LENGTH = 64;

    /** The rule in words, for messages. */
    public static final String RULE = "1 to " + MAX_LENGTH + " of A-Z a-z 0-9 . _ @ -";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@-]{1," + MAX_LENGTH + "}");

    private Identifiers() {
    }

    /** Whether {@code id} follows the rule; false for null. */
    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
