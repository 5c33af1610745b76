package dev.sigil.backend.pkcs11.internal;

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
 * One PKCS#11 backend instance per factory configuration of PID {@value #PID}, one per token.
 * The configuration's {@code sigil.backend.id} becomes the service property
 * {@value SigningBackend#PROPERTY_ID} (DS publishes configuration properties as service
 * properties). All logic lives in {@link Pkcs11Backend}; this class only validates the
 * configuration, opens the backend and delegates.
 *
 * <p>The component is immediate, so a configuration is validated and the token reached as soon as
 * the configuration arrives. A bad configuration (a setting, a library that does not load) fails
 * activation with a {@link SigilException} whose message is the one-line problem, e.g.
 * {@code backend-pkcs11 'hsm': set exactly one of slot.id and token.label (...)}. A token that cannot
 * be reached does not: the service is registered DOWN and reconnects in the background, and a
 * refused PIN leaves it registered and failed, visible in the health endpoint. A configuration
 * change re-activates the component (no {@code @Modified}), which is also how a failed PIN is
 * cleared.
 */
@Component(configurationPid = Pkcs11BackendComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = SigningBackend.class)
@Designate(ocd = Pkcs11BackendConfig.class, factory = true)
public final class Pkcs11BackendComponent extends ForwardingSigningBackend {
    /** The factory PID of this backend's configurations. */
    public static final String PID = "dev.sigil.backend.pkcs11";

    private volatile Pkcs11Backend backend;

    @Activate
    void activate(Pkcs11BackendConfig config) throws SigilException {
        Pkcs11Settings settings = Pkcs11Settings.from(config, System::getenv);
        try {
            backend = new Pkcs11Backend(settings);
        } finally {
            settings.clearPin();
        }
    }

    @Deactivate
    void deactivate() {
        Pkcs11Backend b = backend;
        if (b != null) {
            b.close();
        }
    }

    @Override
    protected SigningBackend delegate() {
        return backend;
    }
}
