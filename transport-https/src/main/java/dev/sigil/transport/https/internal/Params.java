package dev.sigil.transport.https.internal;

import dev.sigil.api.Identifiers;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading CSC request parameters with CSC's error wording ("Missing (or invalid type) string
 * parameter credentialID", "Invalid Base64 hashes string parameter"), and the limits every value is
 * held to at the edge, so that nothing a client sends can overflow a database column or reach core in
 * a form core never issues (docs/protocol.md, "Limits").
 */
final class Params {
    /**
     * The longest opaque value the server issued (access token, SAD: 43 characters of base64url
     * today), with room to change their length; RFC 6750's token68 alphabet.
     */
    static final int MAX_OPAQUE = 256;
    private static final Pattern OPAQUE = Pattern.compile("[A-Za-z0-9._~+/-]+=*");

    /** The longest PIN or one-time code, in characters (code points): the PIN rule's maximum. */
    static final int MAX_SECRET = 64;

    /** The longest base64 text of one hash: a 64-byte (SHA-512) digest is 88 characters. */
    static final int MAX_HASH_TEXT = 128;

    /** The longest value of any other string parameter (OIDs, PSS parameters, lang, enumerations). */
    static final int MAX_STRING = 1024;

    private Params() {
    }

    /** Whether a value is a well-formed user or credential identifier ({@link Identifiers}). */
    static boolean isIdentifier(String s) {
        return Identifiers.valid(s);
    }

    /** Whether a value has the form of a token or SAD the server issues. */
    static boolean isOpaque(String s) {
        return s != null && s.length() <= MAX_OPAQUE && OPAQUE.matcher(s).matches();
    }

    /** A required identifier; anything else is the answer for an unknown one, "Invalid parameter". */
    static String requiredIdentifier(ObjectNode body, String name) throws ApiError {
        return valid(requiredString(body, name), Params::isIdentifier, name);
    }

    /** An optional identifier, null if absent. */
    static String optionalIdentifier(ObjectNode body, String name) throws ApiError {
        return valid(optionalString(body, name), Params::isIdentifier, name);
    }

    /** A required token or SAD as the server issues them. */
    static String requiredOpaque(ObjectNode body, String name) throws ApiError {
        return valid(requiredString(body, name), Params::isOpaque, name);
    }

    /** An optional string of at most {@link #MAX_STRING} characters. */
    static String optionalShortString(ObjectNode body, String name) throws ApiError {
        return valid(optionalString(body, name), s -> s.length() <= MAX_STRING, name);
    }

    /** A required string of at most {@link #MAX_STRING} characters. */
    static String requiredShortString(ObjectNode body, String name) throws ApiError {
        return valid(requiredString(body, name), s -> s.length() <= MAX_STRING, name);
    }

    /** The value (null stays null) if it passes the check, else 400 "Invalid parameter name". */
    private static String valid(String value, Predicate<String> check, String name) throws ApiError {
        if (value != null && !check.test(value)) {
            throw ApiError.invalidRequest("Invalid parameter " + name);
        }
        return value;
    }

    static String requiredString(ObjectNode body, String name) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw ApiError.invalidRequest("Missing (or invalid type) string parameter " + name);
        }
        return n.asText();
    }

    static String optionalString(ObjectNode body, String name) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiError.invalidRequest("Invalid (non-string) parameter " + name);
        }
        return n.asText();
    }

    /**
     * A secret as characters (the caller zeroes them); null if absent. One longer than
     * {@link #MAX_SECRET} code points cannot be right and is refused without being checked.
     */
    static char[] optionalSecret(ObjectNode body, String name) throws ApiError {
        String s = optionalString(body, name);
        return s == null ? null : secret(s, name);
    }

    /** The characters of a secret value, after the length check. */
    static char[] secret(String value, String name) throws ApiError {
        if (value.length() > 2 * MAX_SECRET || value.codePointCount(0, value.length()) > MAX_SECRET) {
            throw ApiError.invalidRequest("Invalid parameter " + name);
        }
        return value.toCharArray();
    }

    static int requiredInt(ObjectNode body, String name, int min, int max) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiError.invalidRequest("Missing (or invalid type) integer parameter " + name);
        }
        int v = n.asInt();
        if (v < min || v > max) {
            throw ApiError.invalidRequest("Invalid parameter " + name);
        }
        return v;
    }

    static Integer optionalInt(ObjectNode body, String name, int min, int max) throws ApiError {
        return body.hasNonNull(name) ? requiredInt(body, name, min, max) : null;
    }

    static boolean optionalBoolean(ObjectNode body, String name, boolean otherwise) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isBoolean()) {
            throw ApiError.invalidRequest("Invalid (non-boolean) parameter " + name);
        }
        return n.asBoolean();
    }

    /** A non-empty array of base64 strings, decoded. */
    static List<byte[]> base64List(ObjectNode body, String name, int maxItems) throws ApiError {
        return base64List(body, name, maxItems, Integer.MAX_VALUE);
    }

    /**
     * A non-empty array of base64 hashes, decoded; an entry longer than {@link #MAX_HASH_TEXT}
     * characters cannot be a digest and is refused before decoding.
     */
    static List<byte[]> hashes(ObjectNode body, String name, int maxItems) throws ApiError {
        return base64List(body, name, maxItems, MAX_HASH_TEXT);
    }

    private static List<byte[]> base64List(ObjectNode body, String name, int maxItems, int maxItemChars)
            throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw ApiError.invalidRequest("Missing (or invalid type) array parameter " + name);
        }
        if (n.size() > maxItems) {
            throw ApiError.invalidRequest("Too many items in " + name + " (at most " + maxItems + ")");
        }
        List<byte[]> out = new ArrayList<>(n.size());
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw ApiError.invalidRequest("Invalid Base64 " + name + " string parameter");
            }
            if (item.asText().length() > maxItemChars) {
                throw ApiError.invalidRequest("Invalid hash length: a hash is at most 64 bytes");
            }
            out.add(base64(item.asText(), name));
        }
        return out;
    }

    static byte[] base64(String text, String name) throws ApiError {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text);
            } catch (IllegalArgumentException e2) {
                throw ApiError.invalidRequest("Invalid Base64 " + name + " string parameter");
            }
        }
    }
}
