package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sigil.api.auth.FactorRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

/**
 * The offline attack on a stolen database: the attacker has a PIN record and tries every six-digit
 * PIN against it, as hashcat would. The factor is built with one PBKDF2 iteration so that the whole
 * space can be searched in a test; the iteration count does not change the argument (a GPU tries
 * the million PINs at 600,000 iterations in about a minute).
 */
class OfflineGuessingTest {
    private static final String PIN = "861304";

    @Test
    void aStolenPinRecordAloneConfirmsNoneOfTheMillionSixDigitPins() throws Exception {
        FactorRecord record = new PinAuthenticator(TestKdf.create(), 1, new SecureRandom()).enroll(PIN.toCharArray());

        // All an attacker holding only the record can compute: PBKDF2 with its salt and count.
        assertEquals(List.of(), search(record.stored(), (iterations, salt, pbkdf2) -> pbkdf2),
                "the PINs an attacker holding only the database record can confirm");
        // Not a vacuous search: with the pepper as well, the same enumeration confirms the PIN, and only it.
        assertEquals(List.of(PIN), search(record.stored(),
                (iterations, salt, pbkdf2) -> TestKdf.tag(TestKdf.PEPPER, "PIN", iterations, salt, pbkdf2)));
    }

    /** What the attacker compares with the record's last field, from a guess's PBKDF2. */
    private interface Candidate {
        byte[] of(int iterations, byte[] salt, byte[] pbkdf2) throws Exception;
    }

    /**
     * Every six-digit PIN whose candidate value, from PBKDF2-HMAC-SHA256 with the record's salt and
     * count (its last three fields), equals the record's last field.
     */
    private static List<String> search(String stored, Candidate candidate) throws Exception {
        String[] f = stored.split("\\$");
        int iterations = Integer.parseInt(f[f.length - 3]);
        byte[] salt = Base64.getDecoder().decode(f[f.length - 2]);
        byte[] target = Base64.getDecoder().decode(f[f.length - 1]);
        Mac prf = Mac.getInstance("HmacSHA256");
        List<String> found = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            String guess = String.format("%06d", i);
            if (Arrays.equals(candidate.of(iterations, salt, pbkdf2(prf, guess, salt, iterations)), target)) {
                found.add(guess);
            }
        }
        return found;
    }

    /** PBKDF2-HMAC-SHA256, one 32-byte block (RFC 8018, section 5.2). */
    private static byte[] pbkdf2(Mac mac, String guess, byte[] salt, int iterations) throws Exception {
        mac.init(new SecretKeySpec(guess.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] u = mac.doFinal(ByteBuffer.allocate(salt.length + 4).put(salt).putInt(1).array());
        byte[] t = u.clone();
        for (int n = 1; n < iterations; n++) {
            u = mac.doFinal(u);
            for (int k = 0; k < t.length; k++) {
                t[k] ^= u[k];
            }
        }
        return t;
    }
}
