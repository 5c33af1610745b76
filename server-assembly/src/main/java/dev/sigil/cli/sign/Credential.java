package dev.sigil.cli.sign;

import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * What {@code credentials/info} said about a credential: the signature algorithm OIDs of
 * {@code key.algo} (in the server's order) and the certificate chain, signer first (never empty).
 */
record Credential(String id, List<String> keyAlgorithms, List<X509Certificate> chain) {
    Credential {
        keyAlgorithms = List.copyOf(keyAlgorithms);
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a credential needs its signer certificate");
        }
    }

    X509Certificate signer() {
        return chain.get(0);
    }

    /** The signer's subject common name, or its whole subject DN if it has no CN. */
    String subjectCommonName() {
        X500Name subject = X500Name.getInstance(signer().getSubjectX500Principal().getEncoded());
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return signer().getSubjectX500Principal().getName();
        }
        return IETFUtils.valueToString(cns[0].getFirst().getValue());
    }
}
