package dev.sigil.api.admin;

import java.util.Objects;

/**
 * A created credential.
 *
 * @param credentialId the id
 * @param keyId        the key's id in its backend
 * @param publicKeyDer the public key, DER SubjectPublicKeyInfo
 * @param csrPem       the PKCS#10 request in PEM, or null if none was asked for
 */
public record NewCredential(String credentialId, String keyId, byte[] publicKeyDer, String csrPem) {
    public NewCredential {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(keyId, "keyId");
        publicKeyDer = publicKeyDer.clone();
    }

    @Override
    public byte[] publicKeyDer() {
        return publicKeyDer.clone();
    }
}
