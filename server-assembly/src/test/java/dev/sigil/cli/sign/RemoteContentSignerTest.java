package dev.sigil.cli.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RemoteContentSignerTest {
    private final List<byte[]> hashes = new ArrayList<>();

    private RemoteContentSigner signer(SignatureAlgorithm algorithm) {
        return new RemoteContentSigner(algorithm, hash -> {
            hashes.add(hash);
            return new byte[] {1, 2, 3};
        });
    }

    @Test
    void theRemoteSignerGetsTheDigestOfExactlyTheBytesBouncyCastleWrote() throws Exception {
        RemoteContentSigner s = signer(SignatureAlgorithm.SHA256_WITH_RSA);
        byte[] attributes = "DER of the signed attributes".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = s.getOutputStream()) {
            out.write(attributes, 0, 10);
            out.write(attributes, 10, attributes.length - 10);
        }
        assertArrayEquals(new byte[] {1, 2, 3}, s.getSignature());
        assertEquals(1, hashes.size());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(attributes), hashes.get(0));
    }

    @Test
    void theDigestFollowsTheAlgorithm() throws Exception {
        for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
            RemoteContentSigner s = signer(a);
            s.getOutputStream().write(42);
            s.getSignature();
            assertArrayEquals(MessageDigest.getInstance(a.digest.jcaName).digest(new byte[] {42}),
                    hashes.get(hashes.size() - 1), a.displayName);
            assertEquals(a.digest.length, hashes.get(hashes.size() - 1).length);
            assertEquals(a.algorithmIdentifier(), s.getAlgorithmIdentifier());
        }
    }

    @Test
    void itSignsOnceOnlyBecauseTheAuthorizationCoversOneHash() {
        RemoteContentSigner s = signer(SignatureAlgorithm.ECDSA_WITH_SHA256);
        s.getSignature();
        assertThrows(IllegalStateException.class, s::getSignature);
        assertEquals(1, hashes.size());
    }

    @Test
    void aCheckedFailureOfTheRemoteSignerIsCarriedAsItsCause() {
        CscException refused = new CscException("credentials/authorize", 400, "invalid_grant", "Invalid OTP");
        RemoteContentSigner s = new RemoteContentSigner(SignatureAlgorithm.SHA256_WITH_RSA, hash -> {
            throw refused;
        });
        RemoteContentSigner.RemoteSigningException e = assertThrows(RemoteContentSigner.RemoteSigningException.class,
                s::getSignature);
        assertSame(refused, e.getCause());
    }

    @Test
    void anEmptySignatureIsRefused() {
        RemoteContentSigner s = new RemoteContentSigner(SignatureAlgorithm.SHA256_WITH_RSA, hash -> new byte[0]);
        assertThrows(IllegalStateException.class, s::getSignature);
    }
}
