package dev.sigil.backend.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sigil.api.EcCurve;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

import org.bouncycastle.asn1.DEROctetString;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.Functions;

/** Key ids, curve OIDs and EC points in the forms tokens return them. */
class TokenKeysTest {

    @Test
    void keyIdIsLowercaseHexOfCkaIdAndBack() {
        assertEquals("00ff10", TokenKeys.keyId(new byte[] {0, (byte) 0xff, 0x10}));
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, TokenKeys.ckaId("00ff10"));
        assertNull(TokenKeys.ckaId(""));
        assertNull(TokenKeys.ckaId("abc"));
        assertNull(TokenKeys.ckaId("zz"));
    }

    @Test
    void namedCurveOidsAreDecoded() {
        for (EcCurve curve : EcCurve.values()) {
            assertEquals(curve.oid(), TokenKeys.namedCurveOid(Functions.encodeOid(curve.oid())));
        }
        assertEquals("2.999.3", TokenKeys.namedCurveOid(HexFormat.of().parseHex("0603883703")));
        assertNull(TokenKeys.namedCurveOid(HexFormat.of().parseHex("3000")), "explicit parameters");
        assertNull(TokenKeys.namedCurveOid(HexFormat.of().parseHex("060588")), "truncated");
    }

    @Test
    void ecPointIsReadWrappedInAnOctetStringOrBare() throws Exception {
        for (EcCurve curve : EcCurve.values()) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve.standardName()));
            ECPublicKey key = (ECPublicKey) g.generateKeyPair().getPublic();
            int field = (curve.bits() + 7) / 8;
            byte[] point = new byte[1 + 2 * field];
            point[0] = 0x04;
            copyUnsigned(key.getW().getAffineX().toByteArray(), point, 1, field);
            copyUnsigned(key.getW().getAffineY().toByteArray(), point, 1 + field, field);

            PublicKey fromDer = TokenKeys.ecPublicKey(curve, new DEROctetString(point).getEncoded());
            PublicKey fromBare = TokenKeys.ecPublicKey(curve, point);

            assertArrayEquals(key.getEncoded(), fromDer.getEncoded(), curve.name());
            assertArrayEquals(key.getEncoded(), fromBare.getEncoded(), curve.name());
            byte[] compressed = Arrays.copyOf(point, 1 + field);
            compressed[0] = 0x02;
            assertNull(TokenKeys.ecPublicKey(curve, compressed));
        }
    }

    private static void copyUnsigned(byte[] value, byte[] out, int offset, int length) {
        int skip = Math.max(0, value.length - length);
        int pad = Math.max(0, length - value.length);
        System.arraycopy(value, skip, out, offset + pad, value.length - skip);
    }
}
