package dev.sigil.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignatureAlgorithmTest {

    @Test
    void everyAlgorithmCarriesTheOidCscUses() {
        assertEquals("1.2.840.113549.1.1.11", SignatureAlgorithm.RSA_PKCS1_SHA256.oid());
        assertEquals("1.2.840.113549.1.1.12", SignatureAlgorithm.RSA_PKCS1_SHA384.oid());
        assertEquals("1.2.840.113549.1.1.13", SignatureAlgorithm.RSA_PKCS1_SHA512.oid());
        assertEquals("1.2.840.113549.1.1.10", SignatureAlgorithm.RSA_PSS_SHA256.oid());
        assertEquals("1.2.840.113549.1.1.10", SignatureAlgorithm.RSA_PSS_SHA512.oid());
        assertEquals("1.2.840.10045.4.3.2", SignatureAlgorithm.ECDSA_SHA256.oid());
        assertEquals("1.2.840.10045.4.3.3", SignatureAlgorithm.ECDSA_SHA384.oid());
        assertEquals("1.2.840.10045.4.3.4", SignatureAlgorithm.ECDSA_SHA512.oid());
    }

    @Test
    void digestLengthsFollowTheHash() {
        assertEquals(32, SignatureAlgorithm.RSA_PKCS1_SHA256.digestLength());
        assertEquals(48, SignatureAlgorithm.ECDSA_SHA384.digestLength());
        assertEquals(64, SignatureAlgorithm.RSA_PSS_SHA512.digestLength());
        for (HashAlgorithm h : HashAlgorithm.values()) {
            assertEquals(h.digestLength(), digest(h, new byte[] {1}).length, h.name());
        }
    }

    @Test
    void thereAreNineAlgorithmsThreePerScheme() {
        for (SignatureAlgorithm.Scheme s : SignatureAlgorithm.Scheme.values()) {
            long n = EnumSet.allOf(SignatureAlgorithm.class).stream().filter(a -> a.scheme() == s).count();
            assertEquals(3, n, s.name());
        }
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void combinedOidsResolveAloneAndWithTheirOwnHash(SignatureAlgorithm a) {
        if (a.scheme() == SignatureAlgorithm.Scheme.PSS) {
            assertEquals(Optional.empty(), SignatureAlgorithm.fromCsc(a.oid(), null), "PSS needs its hash");
        } else {
            assertEquals(Optional.of(a), SignatureAlgorithm.fromCsc(a.oid(), null));
        }
        assertEquals(Optional.of(a), SignatureAlgorithm.fromCsc(a.oid(), a.hash().oid()));
    }

    @Test
    void keyAlgorithmOidsNeedAHash() {
        assertEquals(Optional.of(SignatureAlgorithm.RSA_PKCS1_SHA384),
                SignatureAlgorithm.fromCsc("1.2.840.113549.1.1.1", "2.16.840.1.101.3.4.2.2"));
        assertEquals(Optional.of(SignatureAlgorithm.ECDSA_SHA512),
                SignatureAlgorithm.fromCsc("1.2.840.10045.2.1", "2.16.840.1.101.3.4.2.3"));
        assertEquals(Optional.empty(), SignatureAlgorithm.fromCsc("1.2.840.113549.1.1.1", null));
    }

    @Test
    void inconsistentOrUnknownCombinationsAreRefused() {
        assertEquals(Optional.empty(),
                SignatureAlgorithm.fromCsc("1.2.840.113549.1.1.11", HashAlgorithm.SHA512.oid()));
        assertEquals(Optional.empty(), SignatureAlgorithm.fromCsc("1.2.840.113549.1.1.11", "1.3.14.3.2.26"));
        assertEquals(Optional.empty(), SignatureAlgorithm.fromCsc("1.2.3.4", HashAlgorithm.SHA256.oid()));
        assertEquals(Optional.empty(), SignatureAlgorithm.fromCsc(null, HashAlgorithm.SHA256.oid()));
    }

    @Test
    void oidsAreDistinctAndOrdered() {
        assertEquals(List.of("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.10", "1.2.840.10045.4.3.2"),
                SignatureAlgorithm.oids(EnumSet.of(SignatureAlgorithm.ECDSA_SHA256,
                        SignatureAlgorithm.RSA_PSS_SHA256, SignatureAlgorithm.RSA_PSS_SHA384,
                        SignatureAlgorithm.RSA_PKCS1_SHA256)));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void digestInfoMatchesBouncyCastlesDerEncoding(HashAlgorithm h) throws Exception {
        byte[] digest = digest(h, "sigil".getBytes());
        byte[] expected = new DigestInfo(
                new AlgorithmIdentifier(new ASN1ObjectIdentifier(h.oid()), DERNull.INSTANCE), digest)
                .getEncoded("DER");
        assertArrayEquals(expected, h.digestInfo(digest));
    }

    @Test
    void digestInfoRefusesAWrongLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HashAlgorithm.SHA256.digestInfo(new byte[20]));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void keyRefRoundTripsThroughItsTextForm() {
        KeyRef ref = new KeyRef("hsm-1", "users/alice");
        assertEquals(ref, KeyRef.parse(ref.toString()));
        assertThrows(IllegalArgumentException.class, () -> KeyRef.parse("nobackend"));
        assertThrows(IllegalArgumentException.class, () -> new KeyRef(" ", "k"));
    }

    @Test
    void backendIdsThatWouldBreakTheTextFormAreRefused() throws Exception {
        assertEquals("hsm-1", KeyRef.checkBackendId("backend-x", " hsm-1 "));
        for (String bad : new String[] {null, " ", "a/b", "a b"}) {
            SigilException e = assertThrows(SigilException.class, () -> KeyRef.checkBackendId("backend-x", bad));
            assertEquals(ErrorCode.CONFIGURATION, e.code());
            assertTrue(e.getMessage().startsWith("backend-x: sigil.backend.id "), e.getMessage());
        }
    }

    private static byte[] digest(HashAlgorithm h, byte[] data) {
        try {
            return MessageDigest.getInstance(h.jcaName()).digest(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
