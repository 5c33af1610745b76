package dev.sigil.backend.keystore.internal;

import java.security.Provider;

/** A provider that only takes a configuration argument, packed into a jar by {@link KeystoreProviderJarTest}. */
public final class ConfiguredTestProvider extends Provider {
    private static final long serialVersionUID = 1L;

    public ConfiguredTestProvider(String config) {
        super("SigilConfiguredTest", "1.0", config);
    }
}
