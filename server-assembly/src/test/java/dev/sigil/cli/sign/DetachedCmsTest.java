package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachedCmsTest {
    @TempDir
    Path dir;

    private Path document(String text) throws Exception {
        Path p = dir.resolve("document.txt");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static byte[] sign(Path doc, TestPki pki, SignatureAlgorithm a, Date when) throws SignException {
        return DetachedCms.sign(doc, pki.chain, new RemoteContentSigner(a, hash -> pki.signDigest(a, hash)), when);
    }

    @Test
    void anRsaSignatureIsDetachedWithTheThreeSignedAttributesAndTheChain() throws Exception {
        TestPki pki = TestPki.rsa();
        Path doc = document("a contract");
        Date when = Date.from(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        byte[] der = sign(doc, pki, SignatureAlgorithm.SHA256_WITH_RSA, when);
        DetachedCms.verify(doc, der, pki.chain.get(0));

        CMSSignedData cms = new CMSSignedData(der);
        assertTrue(cms.isDetachedSignature());
        assertNull(cms.getSignedContent());
        assertEquals(2, cms.getCertificates().getMatches(null).size(), "signer and CA");
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        // BouncyCastle writes rsaEncryption here, as RFC 3370 recommends; both are valid.
        assertTrue(Set.of("1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11").contains(si.getEncryptionAlgOID()));
        assertEquals(SignatureAlgorithm.Digest.SHA256.oid, si.getDigestAlgOID());
        AttributeTable signed = si.getSignedAttributes();
        Set<ASN1ObjectIdentifier> types = java.util.Arrays.stream(signed.toASN1Structure().getAttributes())
                .map(org.bouncycastle.asn1.cms.Attribute::getAttrType).collect(Collectors.toSet());
        assertEquals(Set.of(CMSAttributes.contentType, CMSAttributes.messageDigest, CMSAttributes.signingTime), types);
        assertEquals(CMSObjectIdentifiers.data, signed.get(CMSAttributes.contentType).getAttrValues().getObjectAt(0));
        assertTrue(java.util.Arrays.equals(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(doc)),
                ASN1OctetString.getInstance(signed.get(CMSAttributes.messageDigest).getAttrValues().getObjectAt(0)).getOctets()));
        assertEquals(when, Time.getInstance(signed.get(CMSAttributes.signingTime).getAttrValues().getObjectAt(0)).getDate());
    }

    @Test
    void everyAlgorithmMakesASignatureThatVerifies() throws Exception {
        TestPki rsa = TestPki.rsa();
        TestPki ec = TestPki.ec();
        Path doc = document("every algorithm");
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            TestPki pki = a.jcaName.endsWith("ECDSA") ? ec : rsa;
            byte[] der = sign(doc, pki, a, new Date());
            DetachedCms.verify(doc, der, pki.chain.get(0));
            SignerInformation si = new CMSSignedData(der).getSignerInfos().getSigners().iterator().next();
            assertEquals(a.digest.oid, si.getDigestAlgOID(), a.displayName);
        }
    }

    @Test
    void aSignatureOverAnotherHashDoesNotVerify() throws Exception {
        TestPki pki = TestPki.ec();
        Path doc = document("the real document");
        byte[] wrong = MessageDigest.getInstance("SHA-256").digest("something else".getBytes(StandardCharsets.UTF_8));
        byte[] der = DetachedCms.sign(doc, pki.chain, new RemoteContentSigner(SignatureAlgorithm.ECDSA_WITH_SHA256,
                hash -> pki.signDigest(SignatureAlgorithm.ECDSA_WITH_SHA256, wrong)), new Date());
        SignException e = assertThrows(SignException.class, () -> DetachedCms.verify(doc, der, pki.chain.get(0)));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void aSignatureByAnotherKeyDoesNotVerify() throws Exception {
        TestPki pki = TestPki.rsa();
        TestPki other = TestPki.rsa();
        Path doc = document("signed by the wrong key");
        byte[] der = DetachedCms.sign(doc, pki.chain, new RemoteContentSigner(SignatureAlgorithm.SHA256_WITH_RSA,
                hash -> other.signDigest(SignatureAlgorithm.SHA256_WITH_RSA, hash)), new Date());
        assertThrows(SignException.class, () -> DetachedCms.verify(doc, der, pki.chain.get(0)));
    }

    @Test
    void aChangedDocumentDoesNotVerify() throws Exception {
        TestPki pki = TestPki.rsa();
        Path doc = document("version 1");
        byte[] der = sign(doc, pki, SignatureAlgorithm.SHA256_WITH_RSA, new Date());
        Files.writeString(doc, "version 2");
        SignException e = assertThrows(SignException.class, () -> DetachedCms.verify(doc, der, pki.chain.get(0)));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void theRemoteSignersRefusalComesOutAsItself() throws Exception {
        TestPki pki = TestPki.rsa();
        Path doc = document("refused");
        CscException refused = new CscException("credentials/authorize", 400, "invalid_grant", "Invalid OTP");
        SignException e = assertThrows(SignException.class, () -> DetachedCms.sign(doc, pki.chain,
                new RemoteContentSigner(SignatureAlgorithm.SHA256_WITH_RSA, hash -> {
                    throw refused;
                }), new Date()));
        assertSame(refused, e);
        assertEquals("credentials/authorize: invalid_grant: Invalid OTP", e.getMessage());
    }
}
