package dev.sigil.backend.keystore.internal;

import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.BackendHealth;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.api.backend.ForwardingSigningBackend;
import dev.sigil.api.backend.SigningBackend;

import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One keystore backend instance per factory configuration of PID {@value #PID}. The
 * configuration's {@code sigil.backend.id} becomes the service property
 * {@value SigningBackend#PROPERTY_ID} (DS publishes configuration properties as service
 * properties). All logic lives in {@link KeystoreBackend}; this class only validates the
 * configuration, opens the backend and delegates.
 *
 * <p>The component is immediate, so a configuration is validated and the keystore opened as soon
 * as the configuration arrives, not at the first use of the service. A bad configuration fails
 * activation with a {@link dev.sigil.api.SigilException} whose message is the one-line problem, e.g.
 * {@code backend-keystore 'default': keystore file /x/y.p12 does not exist (keystore.path)}. The
 * component does not log it: Service Component Runtime reports the activation failure, and the
 * server launcher turns that into one line.
 * A configuration change re-activates the component (no {@code @Modified}), so the keystore is
 * reloaded.
 */
@Component(configurationPid = KeystoreBackendComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = SigningBackend.class)
@Designate(ocd = KeystoreBackendConfig.class, factory = true)
public final class KeystoreBackendComponent extends ForwardingSigningBackend {
    /** The factory PID of this backend's configurations. */
    public static final String PID = "dev.sigil.backend.keystore";

    private volatile KeystoreBackend backend;

    @Activate
    void activate(KeystoreBackendConfig config) throws SigilException {
        KeystoreSettings settings = KeystoreSettings.from(config, System::getenv);
        try {
            backend = new KeystoreBackend(settings);
        } finally {
            settings.clearPassword();
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
    protected SigningBackend delegate() {
        return backend;
    }
}
