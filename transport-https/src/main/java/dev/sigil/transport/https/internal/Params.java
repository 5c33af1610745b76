package dev.sigil.transport.https.internal;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading CSC request parameters with CSC's error wording ("Missing (or invalid type) string
 * parameter credentialID", "Invalid Base64 hashes string parameter").
 */
final class Params {
    private Params() {
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

    /** A secret as characters (the caller zeroes them); null if absent. */
    static char[] optionalSecret(ObjectNode body, String name) throws ApiError {
        String s = optionalString(body, name);
        return s == null ? null : s.toCharArray();
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
