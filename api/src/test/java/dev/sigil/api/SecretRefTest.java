package dev.sigil.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.config.SecretRef;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretRefTest {
    @TempDir
    Path dir;

    @Test
    void readsTheNamedEnvironmentVariable() throws Exception {
        SecretRef ref = SecretRef.of("tls.password", "MY_PASS", null);
        assertArrayEquals("s3cret".toCharArray(), ref.resolve(Map.of("MY_PASS", "s3cret")::get));
    }

    @Test
    void readsAFileWithoutItsTrailingLineBreak() throws Exception {
        Path f = dir.resolve("pass");
        Files.write(f, "pässword\r\n".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("pässword".toCharArray(), SecretRef.of("p", null, f.toString()).resolve(k -> null));
    }

    @Test
    void requiresExactlyOneSource() {
        SigilException neither = assertThrows(SigilException.class, () -> SecretRef.of("p", " ", null));
        assertEquals(ErrorCode.CONFIGURATION, neither.code());
        assertEquals("set exactly one of p.env and p.file", neither.getMessage());
        assertThrows(SigilException.class, () -> SecretRef.of("p", "A", "/x"));
    }

    @Test
    void anUnsetVariableIsNamedButNoValueIsShown() throws Exception {
        SigilException e = assertThrows(SigilException.class,
                () -> SecretRef.of("tls.password", "NOPE", null).resolve(Map.<String, String>of()::get));
        assertEquals("tls.password.env names NOPE, which is not set", e.getMessage());
    }

    @Test
    void aMissingOrEmptyFileIsAConfigurationError() throws Exception {
        SigilException missing = assertThrows(SigilException.class,
                () -> SecretRef.of("p", null, dir.resolve("absent").toString()).resolve(k -> null));
        assertEquals(ErrorCode.CONFIGURATION, missing.code());
        assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        SigilException e = assertThrows(SigilException.class,
                () -> SecretRef.of("p", null, empty.toString()).resolve(k -> null));
        assertTrue(e.getMessage().endsWith("is empty"), e.getMessage());
    }

    @Test
    void toStringNamesTheSourceNotTheValue() throws Exception {
        SecretRef ref = SecretRef.of("p", "VAR", null);
        assertFalse(ref.toString().contains("s3cret"));
        assertEquals("p.env=VAR", ref.toString());
    }

    @Test
    void aKeyIsBase64OfExactlyItsLengthAndTheMessageNeverShowsIt() throws Exception {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 7);
        String b64 = java.util.Base64.getEncoder().encodeToString(key);
        Files.writeString(dir.resolve("k"), b64 + "\n");
        assertArrayEquals(key, SecretRef.of("audit.key", null, dir.resolve("k").toString()).resolveKey(k -> null, 32));
        for (String bad : java.util.List.of(b64.substring(4), "not base64!", b64 + "AAAA", "\u00e9" + b64)) {
            SigilException e = assertThrows(SigilException.class,
                    () -> SecretRef.of("kek", "K", null).resolveKey(Map.of("K", bad)::get, 32));
            assertEquals(ErrorCode.CONFIGURATION, e.code());
            assertEquals("kek must be base64 of 32 bytes", e.getMessage());
        }
    }

    @Test
    void identifiersFollowOneRule() {
        assertTrue(Identifiers.valid("alice.sign-2@example"));
        assertTrue(Identifiers.valid("a".repeat(Identifiers.MAX_LENGTH)));
        for (String bad : new String[] {null, "", "a".repeat(Identifiers.MAX_LENGTH + 1), "a b", "a\u0000", "é"}) {
            assertFalse(Identifiers.valid(bad), String.valueOf(bad));
        }
    }
}
