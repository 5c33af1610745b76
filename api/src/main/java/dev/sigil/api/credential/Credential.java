package dev.sigil.api.credential;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One signing credential of a user.
 *
 * @param id         the credential id clients use; not blank
 * @param owner      the user id of the owner; not blank
 * @param key        where the private key lives
 * @param chain      the certificate chain, signer first; empty until a certificate is imported
 * @param algorithms the signature algorithms the credential may use
 * @param multisign  how many signatures one authorization may cover (at least 1)
 * @param scal       the sole control assurance level, 1 or 2
 * @param enabled    whether the credential may sign
 */
public record Credential(String id, String owner, KeyRef key, List<X509Certificate> chain,
                         Set<SignatureAlgorithm> algorithms, int multisign, int scal, boolean enabled) {
    public Credential {
        if (id == null || id.isBlank() || owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("id and owner must not be blank");
        }
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        algorithms = Set.copyOf(algorithms);
        if (multisign < 1) {
            throw new IllegalArgumentException("multisign must be at least 1");
        }
        if (scal != 1 && scal != 2) {
            throw new IllegalArgumentException("SCAL is 1 or 2");
        }
    }
}
