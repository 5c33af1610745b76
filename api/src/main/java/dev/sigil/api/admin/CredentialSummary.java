package dev.sigil.api.admin;

/**
 * A credential as the admin command lists it.
 *
 * @param id          the credential id
 * @param owner       the owner's user id
 * @param key         {@code backend/keyId}
 * @param subject     the signer certificate's subject, or null before a certificate is imported
 * @param notAfter    the certificate's expiry (ISO-8601), or null
 * @param enabled     whether it may sign
 * @param multisign   hashes per authorization
 */
public record CredentialSummary(String id, String owner, String key, String subject, String notAfter, boolean enabled,
                                int multisign) {
}
