package dev.sigil.api.credential;

import dev.sigil.api.SigilException;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The credentials of each user, with their certificate chains. Thread-safe.
 *
 * <pre>{@code
 * for (Credential c : directory.credentials("alice")) { ... }
 * }</pre>
 */
@ProviderType
public interface CertificateDirectory {
    /** The user's credentials, ordered by id; empty for an unknown user. */
    List<Credential> credentials(String userId) throws SigilException;

    /** One credential, only if {@code userId} owns it. */
    Optional<Credential> credential(String userId, String credentialId) throws SigilException;
}
