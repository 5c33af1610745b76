package dev.sigil.core.internal.session;

import dev.sigil.api.SigilException;
import dev.sigil.api.credential.CertificateDirectory;
import dev.sigil.api.credential.Credential;
import dev.sigil.core.internal.store.CredentialRepository;
import dev.sigil.core.internal.store.CredentialRepository.StoredCredential;
import dev.sigil.core.internal.store.Store;
import dev.sigil.core.internal.store.StoreComponent;

import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The credentials of each user, from the store. A user sees only their own. */
@Component(service = CertificateDirectory.class)
public final class CredentialDirectory implements CertificateDirectory {
    private final Store store;
    private final CredentialRepository credentials = new CredentialRepository();

    @Activate
    public CredentialDirectory(@Reference StoreComponent store) {
        this(store.store());
    }

    CredentialDirectory(Store store) {
        this.store = store;
    }

    @Override
    public List<Credential> credentials(String userId) throws SigilException {
        return store.inTransaction(c -> credentials.listByOwner(c, userId)).stream()
                .map(StoredCredential::credential).toList();
    }

    @Override
    public Optional<Credential> credential(String userId, String credentialId) throws SigilException {
        return store.inTransaction(c -> credentials.find(c, credentialId))
                .map(StoredCredential::credential)
                .filter(cr -> cr.owner().equals(userId));
    }
}
