package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import javax.crypto.Mac;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HotpTest {
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    /** RFC 4226 Appendix D: HOTP values of the test secret for counters 0 to 9. */
    @ParameterizedTest
    @CsvSource({
        "0, 755224", "1, 287082", "2, 359152", "3, 969429", "4, 338314",
        "5, 254676", "6, 287922", "7, 162583", "8, 399871", "9, 520489",
    })
    void valueMatchesTheRfc4226AppendixDValues(long counter, int expected) throws Exception {
        assertEquals(expected, Hotp.value(Hotp.mac(TotpAlgorithm.SHA1, RFC_SECRET), counter, 6));
    }

    /** RFC 4226 Appendix D's truncated values modulo 10^8, through one reused Mac. */
    @Test
    void oneMacGivesTheEightDigitValuesOfSuccessiveCounters() throws Exception {
        int[] truncated = {1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922,
            82162583, 673399871, 645520489};
        Mac mac = Hotp.mac(TotpAlgorithm.SHA1, RFC_SECRET);
        for (int counter = 0; counter < truncated.length; counter++) {
            assertEquals(truncated[counter] % 100_000_000, Hotp.value(mac, counter, 8), "counter " + counter);
        }
    }

    @Test
    void asciiWritesLeadingZeros() {
        byte[] out = new byte[8];

        Hotp.ascii(7_081_804, out);

        assertEquals("07081804", new String(out, StandardCharsets.US_ASCII));
    }
}
