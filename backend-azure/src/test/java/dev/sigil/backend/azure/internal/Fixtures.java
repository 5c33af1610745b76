package dev.sigil.backend.azure.internal;

import dev.sigil.api.SigilException;
import dev.sigil.backend.testkit.ComponentConfigs;
import dev.sigil.backend.testkit.KeyVaultFake;

import java.util.HashMap;
import java.util.Map;

/** Configurations as Declarative Services delivers them, and a test "environment". */
final class Fixtures {
    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static final String CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    static final String SECRET_ENV = "SIGIL_TEST_AZURE_CLIENT_SECRET";
    static final String SECRET = "not-a-real-client-secret~0123456789";

    private Fixtures() {
    }

    /** The test "environment": the client secret under its variable name. */
    static String env(String name) {
        return SECRET_ENV.equals(name) ? SECRET : null;
    }

    /** A client-secret configuration of a backend of this vault. */
    static Map<String, Object> clientSecretConfig(String backendId, String vaultUrl) {
        Map<String, Object> props = new HashMap<>();
        props.put("sigil.backend.id", backendId);
        props.put("vault.url", vaultUrl);
        props.put("tenant.id", TENANT);
        props.put("credential.mode", "client-secret");
        props.put("client.id", CLIENT_ID);
        props.put("client.secret.env", SECRET_ENV);
        return props;
    }

    /**
     * The configuration annotation as Declarative Services builds it: a property's value converted
     * to the element's type, else the element's default (null for an element without one).
     */
    static AzureKeyVaultBackendConfig config(Map<String, Object> props) {
        return ComponentConfigs.of(AzureKeyVaultBackendConfig.class, props);
    }

    /**
     * A client-secret configuration for a backend of the Key Vault fake: its vault URL, its tenant,
     * and its Entra ID token endpoint as the authority host.
     */
    static Map<String, Object> fakeConfig(KeyVaultFake fake, String backendId) {
        Map<String, Object> props = clientSecretConfig(backendId, fake.vaultUrl());
        props.put("tenant.id", KeyVaultFake.TENANT);
        props.put("authority.host", fake.authorityHost());
        // The fake makes a created key's RSA pair while the request waits: slow on a loaded machine.
        props.put("call.timeout.ms", "20000");
        props.put("attempt.timeout.ms", "15000");
        return props;
    }

    /**
     * A backend of the fake, as production builds it (client-secret credential through the fake's
     * token endpoint, the JDK HTTP client with the settings' timeouts) except that TLS trusts the
     * fake's certificate and the challenge's resource is not checked against the host (localhost).
     */
    static AzureKeyVaultBackend open(KeyVaultFake fake, Map<String, Object> props) throws SigilException {
        return open(fake, props, false);
    }

    /**
     * As {@link #open(KeyVaultFake, Map)}; with {@code verifyChallenge} the SDK checks the
     * challenge's resource against the vault's host as in production (the fake must then be at an
     * Azure host name listed in src/test/resources/hosts).
     */
    static AzureKeyVaultBackend open(KeyVaultFake fake, Map<String, Object> props, boolean verifyChallenge)
            throws SigilException {
        fake.acceptClientSecret(CLIENT_ID, SECRET);
        AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(config(props), Fixtures::env);
        try {
            return new AzureKeyVaultBackend(settings, new AzureClients(settings, null,
                    AzureClients.jdkHttp(settings, fake.clientSslContext()), verifyChallenge));
        } finally {
            settings.clearSecrets();
        }
    }

    static Map<String, Object> copy(Map<String, Object> props) {
        return new HashMap<>(props);
    }
}
