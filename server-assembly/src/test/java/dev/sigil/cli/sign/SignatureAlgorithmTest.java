package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.junit.jupiter.api.Test;

class SignatureAlgorithmTest {
    /** key.algo of the demo RSA credential, as credentials/info answers it. */
    static final List<String> RSA = List.of("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
            "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.1");
    static final List<String> EC = List.of("1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
            "1.2.840.10045.2.1");

    @Test
    void defaultIsSha256WithRsaForAnRsaCredential() {
        assertEquals(SignatureAlgorithm.SHA256_WITH_RSA, SignatureAlgorithm.choose(RSA, Optional.empty()));
    }

    @Test
    void defaultIsEcdsaWithSha256ForAnEcCredential() {
        assertEquals(SignatureAlgorithm.ECDSA_WITH_SHA256, SignatureAlgorithm.choose(EC, Optional.empty()));
    }

    @Test
    void defaultPrefersSha256EvenWhenTheServerListsItLater() {
        assertEquals(SignatureAlgorithm.ECDSA_WITH_SHA256, SignatureAlgorithm.choose(
                List.of("1.2.840.10045.2.1", "1.2.840.10045.4.3.4", "1.2.840.10045.4.3.2"), Optional.empty()));
    }

    @Test
    void withoutSha256TheFirstSupportedEntryInServerOrderWinsAndKeyOidsAndUnknownOidsAreSkipped() {
        assertEquals(SignatureAlgorithm.SHA512_WITH_RSA, SignatureAlgorithm.choose(
                List.of("1.2.840.113549.1.1.1", "1.3.6.1.4.1.99999.1", "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.12"),
                Optional.empty()));
        assertEquals(SignatureAlgorithm.RSASSA_PSS_SHA256, SignatureAlgorithm.choose(
                List.of("1.2.840.113549.1.1.10", "1.2.840.113549.1.1.1"), Optional.empty()));
    }

    @Test
    void aCredentialWithNothingSupportedIsRefusedWithItsAlgorithmsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignatureAlgorithm.choose(List.of("1.2.840.113549.1.1.1", "1.3.101.112"), Optional.empty()));
        assertTrue(e.getMessage().contains("1.3.101.112"), e.getMessage());
    }

    @Test
    void aRequestedAlgorithmMustBeOneTheCredentialAllows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignatureAlgorithm.choose(RSA, Optional.of(SignatureAlgorithm.ECDSA_WITH_SHA256)));
        assertEquals("the credential does not allow ecdsa-with-SHA256; it allows sha256WithRSAEncryption, "
                + "sha384WithRSAEncryption, sha512WithRSAEncryption, rsassa-pss-sha256, rsassa-pss-sha384, "
                + "rsassa-pss-sha512", e.getMessage());
        assertEquals(SignatureAlgorithm.SHA384_WITH_RSA,
                SignatureAlgorithm.choose(RSA, Optional.of(SignatureAlgorithm.SHA384_WITH_RSA)));
        assertEquals(SignatureAlgorithm.RSASSA_PSS_SHA512,
                SignatureAlgorithm.choose(RSA, Optional.of(SignatureAlgorithm.RSASSA_PSS_SHA512)));
    }

    @Test
    void namesJcaNamesAndOidsAreAcceptedCaseInsensitively() {
        assertEquals(SignatureAlgorithm.SHA256_WITH_RSA, SignatureAlgorithm.parse("sha256WithRSAEncryption"));
        assertEquals(SignatureAlgorithm.SHA256_WITH_RSA, SignatureAlgorithm.parse("SHA256withRSA"));
        assertEquals(SignatureAlgorithm.ECDSA_WITH_SHA384, SignatureAlgorithm.parse("ECDSA-WITH-SHA384"));
        assertEquals(SignatureAlgorithm.ECDSA_WITH_SHA512, SignatureAlgorithm.parse("1.2.840.10045.4.3.4"));
        assertEquals(SignatureAlgorithm.RSASSA_PSS_SHA256, SignatureAlgorithm.parse("1.2.840.113549.1.1.10"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SignatureAlgorithm.parse("md5WithRSA"));
        assertTrue(e.getMessage().startsWith("unknown signature algorithm 'md5WithRSA'; use one of sha256WithRSAEncryption"),
                e.getMessage());
    }

    @Test
    void pssParametersUseMgf1WithTheSameHashAndASaltAsLongAsTheDigest() {
        for (SignatureAlgorithm a : List.of(SignatureAlgorithm.RSASSA_PSS_SHA256, SignatureAlgorithm.RSASSA_PSS_SHA384,
                SignatureAlgorithm.RSASSA_PSS_SHA512)) {
            RSASSAPSSparams p = RSASSAPSSparams.getInstance(Base64.getDecoder().decode(a.signAlgoParams().orElseThrow()));
            assertEquals(a.digest.oid, p.getHashAlgorithm().getAlgorithm().getId());
            assertEquals(a.digest.oid, org.bouncycastle.asn1.x509.AlgorithmIdentifier
                    .getInstance(p.getMaskGenAlgorithm().getParameters()).getAlgorithm().getId());
            assertEquals(a.digest.length, p.getSaltLength().intValue());
            assertEquals(p, RSASSAPSSparams.getInstance(a.algorithmIdentifier().getParameters()));
        }
        assertTrue(SignatureAlgorithm.SHA256_WITH_RSA.signAlgoParams().isEmpty());
        assertEquals(NISTObjectIdentifiers.id_sha256.getId(), SignatureAlgorithm.Digest.SHA256.oid);
    }
}
