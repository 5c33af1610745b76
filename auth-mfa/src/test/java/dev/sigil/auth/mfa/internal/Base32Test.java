package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base32Test {
    /** RFC 4648 section 10, written without padding as the Key Uri Format wants. */
    @ParameterizedTest
    @CsvSource({
        "'',       ''",
        "f,        MY",
        "fo,       MZXQ",
        "foo,      MZXW6",
        "foob,     MZXW6YQ",
        "fooba,    MZXW6YTB",
        "foobar,   MZXW6YTBOI",
    })
    void encodeAndDecodeMatchTheRfc4648Vectors(String plain, String encoded) {
        byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);

        assertEquals(encoded, new String(Base32.encode(bytes)));
        assertArrayEquals(bytes, Base32.decode(encoded.toCharArray(), 64));
    }

    @ParameterizedTest
    @ValueSource(strings = {"MZXW6YTBOI======", "mzxw6ytboi", "MZXW 6YTB OI", "mzxw\t6ytb\noi==", "MZ=XW6YTBOI"})
    void decodeIgnoresCaseWhitespaceAndPadding(String text) {
        assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Base32.decode(text.toCharArray(), 64));
    }

    @ParameterizedTest
    @ValueSource(strings = {"MZXW6YT0", "MZXW6YT1", "MZXW6YT8", "MZXW6YT9", "MZXW6Y!B", "MZXW6YTÄ", "MZXW-6YTB"})
    void decodeRefusesCharactersOutsideTheAlphabetWithoutQuotingThem(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Base32.decode(text.toCharArray(), 64));

        assertFalse(e.getMessage().contains(text), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"M", "MZX", "MZXW6Y", "MZXW6YTBO"})
    void decodeRefusesLengthsThatNoWholeNumberOfBytesEncodesTo(String text) {
        assertThrows(IllegalArgumentException.class, () -> Base32.decode(text.toCharArray(), 64));
    }

    @Test
    void decodeIgnoresLeftoverBitsOfTheLastCharacterAsAuthenticatorAppsDo() {
        // "MY" is the canonical encoding of "f"; "MZ" sets one of the two leftover bits.
        assertArrayEquals(new byte[] {'f'}, Base32.decode("MZ".toCharArray(), 64));
    }

    @Test
    void decodeRefusesMoreThanTheLimit() {
        char[] twentyBytes = Base32.encode(new byte[20]);

        assertEquals(20, Base32.decode(twentyBytes, 20).length);
        assertThrows(IllegalArgumentException.class, () -> Base32.decode(twentyBytes, 19));
    }

    @Test
    void decodeUndoesEncodeForEveryLengthUpTo70Bytes() {
        Random random = new Random(4648);
        for (int length = 0; length <= 70; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            char[] text = Base32.encode(bytes);

            assertEquals((length * 8 + 4) / 5, text.length);
            assertArrayEquals(bytes, Base32.decode(text, 70), "length " + length);
        }
    }
}
