package dev.sigil.backend.azure.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.backend.ForwardingSigningBackend;
import dev.sigil.api.backend.SigningBackend;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One Azure Key Vault backend instance per factory configuration of PID {@value #PID}. The
 * configuration's {@code sigil.backend.id} becomes the service property
 * {@value SigningBackend#PROPERTY_ID}. All logic lives in {@link AzureKeyVaultBackend}; this class
 * validates the configuration, opens the backend and delegates.
 *
 * <p>A bad configuration fails activation with a one-line {@link SigilException}, e.g.
 * {@code backend-azure 'kv': vault.url is required (e.g. https://<name>.vault.azure.net/)}.
 */
@Component(configurationPid = AzureKeyVaultBackendComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = SigningBackend.class)
@Designate(ocd = AzureKeyVaultBackendConfig.class, factory = true)
public final class AzureKeyVaultBackendComponent extends ForwardingSigningBackend {
    /** The factory PID of this backend's configurations. */
    public static final String PID = "dev.sigil.backend.azure";

    /** How often a DOWN backend checks whether Key Vault answers again. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(30);

    private volatile AzureKeyVaultBackend backend;

    @Activate
    void activate(AzureKeyVaultBackendConfig config) throws SigilException {
        AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(config, System::getenv);
        try {
            backend = new AzureKeyVaultBackend(settings);
        } finally {
            settings.clearSecrets();
        }
        backend.startProbing(PROBE_INTERVAL);
    }

    @Deactivate
    void deactivate() {
        AzureKeyVaultBackend b = backend;
        if (b != null) {
            b.close();
        }
    }

    @Override
    protected SigningBackend delegate() {
        return backend;
    }
}
