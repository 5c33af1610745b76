package dev.sigil.api.admin;

import dev.sigil.api.backend.KeySpec;

import java.util.Objects;

/**
 * A credential to create.
 *
 * @param credentialId the new credential's id ([A-Za-z0-9._-], 1 to 64 characters)
 * @param userId       the owner
 * @param backendId    the backend instance that generates and keeps the key
 * @param keySpec      key type and size
 * @param pin          the credential PIN; read, not kept
 * @param multisign    how many hashes one authorization may cover (1 to 1000)
 * @param subjectDn    if not null, a PKCS#10 request with this subject is returned (for a CA)
 */
public record CredentialRequest(String credentialId, String userId, String backendId, KeySpec keySpec, char[] pin,
                                int multisign, String subjectDn) {
    public CredentialRequest {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(keySpec, "keySpec");
        Objects.requireNonNull(pin, "pin");
    }

    @Override
    public String toString() {
        return "CredentialRequest[" + credentialId + ", " + userId + ", " + backendId + ", " + keySpec + "]";
    }
}
