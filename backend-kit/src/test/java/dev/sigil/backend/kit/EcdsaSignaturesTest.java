package dev.sigil.backend.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Raw r‖s to strict DER, checked by hand on the edge cases and against BouncyCastle's encoder. */
class EcdsaSignaturesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void smallPositiveHalvesBecomeOneByteIntegers() {
        assertEquals("3006020101020102", HEX.formatHex(EcdsaSignatures.rawToDer(HEX.parseHex("00010002"))));
    }

    @Test
    void highBitGetsALeadingZeroSoTheIntegerStaysPositive() {
        assertEquals("300802020080020200ff", HEX.formatHex(EcdsaSignatures.rawToDer(HEX.parseHex("80ff"))));
    }

    @Test
    void leadingZeroBytesAreDroppedButAZeroAfterThemIsKeptWhenTheHighBitNeedsIt() {
        // r = 0x00 00 7f, s = 0x00 00 80: r loses both zeros, s keeps one.
        assertEquals("300702017f02020080",
                HEX.formatHex(EcdsaSignatures.rawToDer(HEX.parseHex("00007f000080"))));
    }

    @Test
    void zeroIsASingleZeroByte() {
        assertEquals("3006020100020100", HEX.formatHex(EcdsaSignatures.rawToDer(new byte[64])));
    }

    @Test
    void p521SignatureWithHighBitsUsesTheLongLengthForm() {
        byte[] raw = new byte[132];
        Arrays.fill(raw, (byte) 0xff);
        raw[0] = 0x01; // a P-521 number: 521 bits in 66 bytes, top byte 0x01
        raw[66] = (byte) 0x81; // not a real P-521 value, but the encoder must not care

        byte[] der = EcdsaSignatures.rawToDer(raw);

        assertEquals(0x30, der[0] & 0xff);
        assertEquals(0x81, der[1] & 0xff, "content of 137 bytes needs the long form");
        assertEquals(2 + 66 + 2 + 67, der[2] & 0xff);
        assertEquals(der.length, 3 + (der[2] & 0xff));
        assertArrayEquals(bouncyCastle(raw), der);
    }

    @ParameterizedTest(name = "{0}-byte halves")
    @ValueSource(ints = {32, 48, 66})
    void randomSignaturesEncodeExactlyAsBouncyCastleDoes(int half) {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 2000; i++) {
            byte[] raw = new byte[2 * half];
            random.nextBytes(raw);
            // Bias towards the edge cases: leading zero bytes and set high bits.
            if (i % 4 == 0) {
                raw[0] = 0;
                raw[half] = 0;
            }
            if (i % 8 == 1) {
                raw[0] = (byte) 0x80;
            }
            assertArrayEquals(bouncyCastle(raw), EcdsaSignatures.rawToDer(raw), HEX.formatHex(raw));
        }
    }

    @Test
    void derDecodesBackToTheSameNumbers() throws Exception {
        byte[] raw = HEX.parseHex("00ab" + "ff01");
        ASN1Sequence seq = ASN1Sequence.getInstance(EcdsaSignatures.rawToDer(raw));
        assertEquals(BigInteger.valueOf(0xab), ASN1Integer.getInstance(seq.getObjectAt(0)).getValue());
        assertEquals(BigInteger.valueOf(0xff01), ASN1Integer.getInstance(seq.getObjectAt(1)).getValue());
    }

    @Test
    void emptyOrOddInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> EcdsaSignatures.rawToDer(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> EcdsaSignatures.rawToDer(new byte[63]));
        assertThrows(IllegalArgumentException.class, () -> EcdsaSignatures.rawToDer(null));
    }

    @Test
    void digestLongerThanTheOrderIsCutToItsLeftmostBytes() {
        byte[] sha512 = new byte[64];
        for (int i = 0; i < sha512.length; i++) {
            sha512[i] = (byte) i;
        }
        assertArrayEquals(Arrays.copyOf(sha512, 32), EcdsaSignatures.truncateDigest(sha512, 32));
        assertArrayEquals(Arrays.copyOf(sha512, 48), EcdsaSignatures.truncateDigest(sha512, 48));
        assertSame(sha512, EcdsaSignatures.truncateDigest(sha512, 66), "P-521: nothing to cut");
    }

    private static byte[] bouncyCastle(byte[] raw) {
        int half = raw.length / 2;
        try {
            return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, 0, half))),
                    new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, half, raw.length)))}).getEncoded("DER");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
