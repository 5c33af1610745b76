package dev.sigil.backend.aws.internal;

import dev.sigil.api.SigilException;
import dev.sigil.api.backend.ForwardingSigningBackend;
import dev.sigil.api.backend.SigningBackend;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One AWS KMS backend instance per factory configuration of PID {@value #PID}. The configuration's
 * {@code sigil.backend.id} becomes the service property {@value SigningBackend#PROPERTY_ID}. All
 * logic lives in {@link AwsKmsBackend}; this class validates the configuration, opens the backend
 * and delegates.
 *
 * <p>A bad configuration fails activation with a one-line {@link SigilException}, e.g.
 * {@code backend-aws 'kms': region is required (e.g. eu-central-1)}. A KMS that cannot be reached
 * does not: the service is registered DOWN and discovers its keys in the background.
 */
@Component(configurationPid = AwsKmsBackendComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = SigningBackend.class)
@Designate(ocd = AwsKmsBackendConfig.class, factory = true)
public final class AwsKmsBackendComponent extends ForwardingSigningBackend {
    /** The factory PID of this backend's configurations. */
    public static final String PID = "dev.sigil.backend.aws";

    private volatile AwsKmsBackend backend;

    @Activate
    void activate(AwsKmsBackendConfig config) throws SigilException {
        AwsKmsSettings settings = AwsKmsSettings.from(config, System::getenv);
        try {
            backend = new AwsKmsBackend(settings);
        } finally {
            settings.clearSecrets();
        }
    }

    @Deactivate
    void deactivate() {
        AwsKmsBackend b = backend;
        if (b != null) {
            b.close();
        }
    }

    @Override
    protected SigningBackend delegate() {
        return backend;
    }
}
