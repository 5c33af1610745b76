package dev.sigil.backend.keystore.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.SigningBackend;

import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One keystore backend instance per factory configuration of PID {@value #PID}. The
 * configuration's {@code sigil.backend.id} becomes the service property
 * {@value SigningBackend#PROPERTY_ID} (DS publishes configuration properties as service
 * properties). All logic lives in {@link KeystoreBackend}; this class only validates the
 * configuration, opens the backend and delegates.
 *
 * <p>A bad configuration fails activation with a {@link dev.sigil.api.SigilException} whose message
 * is the one-line problem, e.g. {@code backend-keystore 'default': keystore file /x/y.p12 does not exist (keystore.path)}.
 * A configuration change re-activates the component (no {@code @Modified}), so the keystore is
 * reloaded.
 */
@Component(configurationPid = KeystoreBackendComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = SigningBackend.class)
@Designate(ocd = KeystoreBackendConfig.class, factory = true)
public final class KeystoreBackendComponent implements SigningBackend {
    /** The factory PID of this backend's configurations. */
    public static final String PID = "dev.sigil.backend.keystore";

    private static final Logger LOG = LoggerFactory.getLogger(KeystoreBackendComponent.class);

    private volatile KeystoreBackend backend;

    @Activate
    void activate(KeystoreBackendConfig config) throws SigilException {
        try {
            KeystoreSettings settings = KeystoreSettings.from(config, System::getenv);
            try {
                backend = new KeystoreBackend(settings);
            } finally {
                settings.clearPassword();
            }
        } catch (SigilException e) {
            LOG.error(e.getMessage());
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        KeystoreBackend b = backend;
        if (b != null) {
            b.close();
        }
    }

    @Override
    public String id() {
        return backend.id();
    }

    @Override
    public Set<SignatureAlgorithm> algorithms() {
        return backend.algorithms();
    }

    @Override
    public List<KeyInfo> keys() throws SigilException {
        return backend.keys();
    }

    @Override
    public KeyInfo key(KeyRef ref) throws SigilException {
        return backend.key(ref);
    }

    @Override
    public byte[] sign(KeyRef ref, SignatureAlgorithm algorithm, byte[] digest) throws SigilException {
        return backend.sign(ref, algorithm, digest);
    }

    @Override
    public KeyInfo generateKey(KeySpec spec, String label) throws SigilException {
        return backend.generateKey(spec, label);
    }

    @Override
    public BackendHealth health() {
        return backend.health();
    }
}
