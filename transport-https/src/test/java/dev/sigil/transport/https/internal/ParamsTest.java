package dev.sigil.transport.https.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The limits every request value is held to at the edge (docs/protocol.md, "Limits"). */
class ParamsTest {
    private static ObjectNode body(String name, String value) {
        return Json.object().put(name, value);
    }

    private static void refused(String description, ThrowingCall call) {
        ApiError e = assertThrows(ApiError.class, call::run);
        assertEquals(400, e.status());
        assertEquals(description, e.getMessage());
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws ApiError;
    }

    @Test
    void anIdentifierIsAtMost64CharactersOfTheAdminAlphabet() throws ApiError {
        String longest = "a".repeat(64);
        assertEquals(longest, Params.requiredIdentifier(body("credentialID", longest), "credentialID"));
        assertEquals("demo-ec.2_x@y", Params.requiredIdentifier(body("credentialID", "demo-ec.2_x@y"), "credentialID"));
        for (String bad : new String[] {"a".repeat(65), "de\u0000mo", "demo ", "dém", "../x", "a\ud800"}) {
            refused("Invalid parameter credentialID",
                    () -> Params.requiredIdentifier(body("credentialID", bad), "credentialID"));
        }
        refused("Missing (or invalid type) string parameter credentialID",
                () -> Params.requiredIdentifier(body("credentialID", ""), "credentialID"));
        assertNull(Params.optionalIdentifier(Json.object(), "userID"));
        refused("Invalid parameter userID", () -> Params.optionalIdentifier(body("userID", "u".repeat(65)), "userID"));
    }

    @Test
    void aSadOrTokenIsAtMost256Token68Characters() throws ApiError {
        String issued = "q3Yc-_0AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        assertEquals(issued, Params.requiredOpaque(body("SAD", issued), "SAD"));
        assertTrue(Params.isOpaque("a".repeat(256)) && Params.isOpaque("abc+/=="));
        assertFalse(Params.isOpaque("a".repeat(257)));
        assertFalse(Params.isOpaque("a b"));
        assertFalse(Params.isOpaque("a\u0000b"));
        assertFalse(Params.isOpaque("=abc"));
        refused("Invalid parameter SAD", () -> Params.requiredOpaque(body("SAD", "s".repeat(257)), "SAD"));
    }

    @Test
    void aSecretIsAtMost64CodePointsAndIsRefusedUnchecked() throws ApiError {
        String smileys = "\ud83d\ude00".repeat(64); // 64 code points, 128 chars
        assertArrayEquals(smileys.toCharArray(), Params.optionalSecret(body("PIN", smileys), "PIN"));
        refused("Invalid parameter PIN", () -> Params.optionalSecret(body("PIN", "1".repeat(65)), "PIN"));
        refused("Invalid parameter OTP", () -> Params.secret("\ud83d\ude00".repeat(65), "OTP"));
    }

    @Test
    void aHashTextIsAtMost128CharactersAndOtherStrings1024() throws ApiError {
        ObjectNode b = Json.object();
        b.putArray("hashes").add("A".repeat(129));
        refused("Invalid hash length: a hash is at most 64 bytes", () -> Params.hashes(b, "hashes", 10));
        assertEquals(1, Params.base64List(Json.object().set("certificates", Json.object().arrayNode()
                .add("A".repeat(2000))), "certificates", 10).size()); // certificates are longer
        assertEquals("x".repeat(1024), Params.requiredShortString(body("signAlgo", "x".repeat(1024)), "signAlgo"));
        refused("Invalid parameter signAlgo",
                () -> Params.requiredShortString(body("signAlgo", "x".repeat(1025)), "signAlgo"));
    }

    @Test
    void aBodyMustBeStrictUtf8() throws ApiError {
        assertEquals("demo", Json.parseObject("{\"credentialID\":\"demo\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .path("credentialID").asText());
        for (byte[] bad : new byte[][] {
            {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},            // a byte order mark
            {'{', 0, '}', 0},                                               // UTF-16LE
            {'{', '"', 'a', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'}, // overlong '/'
            {'{', '"', 'a', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'}}) { // a surrogate
            assertThrows(ApiError.class, () -> Json.parseObject(bad));
        }
    }
}
