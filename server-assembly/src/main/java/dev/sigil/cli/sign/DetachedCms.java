package dev.sigil.cli.sign;

import java.io.IOException;
import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableFile;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A detached CMS SignedData (RFC 5652) over a file: no encapsulated content; one SignerInfo
 * identified by issuer and serial number, with the signed attributes content-type,
 * message-digest and signing-time; the signer's certificate and its chain included. DER-encoded.
 *
 * <p>The file is read twice (once to sign, once to verify) in a streaming way, so its size does
 * not matter. No global provider registration.
 */
final class DetachedCms {
    private DetachedCms() {
    }

    /**
     * BouncyCastle as a provider instance, for verification only: the JDK cannot verify
     * RSASSA-PSS by the names BouncyCastle's CMS layer asks for. Never registered globally.
     */
    private static final class BouncyCastle {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    /**
     * Signs {@code input}: the signer computes the signature over the DER of the signed attributes.
     *
     * @param chain the signer's certificate first, then the rest of the chain
     * @throws SignException a one-line reason; the signer's own {@link SignException} (for example
     *                       the server refusing the authorization) comes out as itself
     */
    static byte[] sign(Path input, List<X509Certificate> chain, ContentSigner signer, Date signingTime)
            throws SignException {
        try {
            SignerInfoGenerator signerInfo = new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(params -> {
                        AttributeTable given = new AttributeTable(new Attribute(CMSAttributes.signingTime,
                                new DERSet(new Time(signingTime))));
                        // BouncyCastle also adds CMSAlgorithmProtection (RFC 6211); the signed
                        // attributes here are the three every CMS verifier expects.
                        return new DefaultSignedAttributeTableGenerator(given).getAttributes(params)
                                .remove(CMSAttributes.cmsAlgorithmProtect);
                    })
                    .build(signer, chain.get(0));
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(signerInfo);
            generator.addCertificates(new JcaCertStore(chain));
            CMSSignedData cms = generator.generate(new CMSProcessableFile(input.toFile()), false);
            return cms.getEncoded(ASN1Encoding.DER);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SignException s) {
                    throw s;
                }
            }
            throw e;
        } catch (CMSException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SignException s) {
                    throw s;
                }
                if (t instanceof IOException io) {
                    throw new SignException("cannot read " + input + ": " + io.getMessage(), e);
                }
            }
            throw new SignException("cannot build the CMS signature: " + e.getMessage(), e);
        } catch (OperatorCreationException | CertificateEncodingException e) {
            throw new SignException("cannot build the CMS signature: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SignException("cannot encode the CMS signature: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a detached signature over {@code input} against {@code signer}: exactly one
     * SignerInfo, identifying that certificate, whose signature and message digest are right.
     *
     * @throws SignException if it does not verify (with the reason on one line)
     */
    static void verify(Path input, byte[] der, X509Certificate signer) throws SignException {
        try {
            CMSSignedData cms = new CMSSignedData(new CMSProcessableFile(input.toFile()), der);
            Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new SignException("the CMS signature has " + signers.size() + " signers, expected one");
            }
            SignerInformation info = signers.iterator().next();
            if (!info.getSID().match(new X509CertificateHolder(signer.getEncoded()))) {
                throw new SignException("the CMS signer is not the credential's certificate");
            }
            if (!info.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BouncyCastle.PROVIDER).build(signer))) {
                throw new SignException("the signature does not verify against the credential's certificate "
                        + signer.getSubjectX500Principal().getName() + "; nothing was written");
            }
        } catch (CMSException e) {
            throw new SignException("the signature does not verify against the credential's certificate: "
                    + e.getMessage() + "; nothing was written", e);
        } catch (OperatorCreationException | CertificateEncodingException | IOException e) {
            throw new SignException("cannot verify the CMS signature: " + e.getMessage(), e);
        }
    }
}
