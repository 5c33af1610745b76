package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK objects build for every credential mode without reaching the network. */
class AzureClientsTest {
    private static final String VERSION = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private static AzureClients open(Map<String, Object> props) throws Exception {
        AzureKeyVaultSettings s = AzureKeyVaultSettings.from(Fixtures.config(props), Fixtures::env);
        try {
            return new AzureClients(s);
        } finally {
            s.clearSecrets();
        }
    }

    @Test
    void clientSecretBuildsAKeyClientAndOneCryptographyClientPerKeyVersion() throws Exception {
        try (AzureClients c = open(Fixtures.clientSecretConfig("kv", "https://sigil-test.vault.azure.net"))) {
            assertEquals("https://sigil-test.vault.azure.net/", c.keys().getVaultUrl());
            assertEquals("Azure Key Vault (https://sigil-test.vault.azure.net/)", c.where());
            String id = c.vaultUrl() + "keys/alice/" + VERSION;
            assertSame(c.crypto(id), c.crypto(id));
            assertNotSame(c.crypto(id), c.crypto(c.vaultUrl() + "keys/bob/" + VERSION));
        }
    }

    @Test
    void managedAndWorkloadIdentityBuild() throws Exception {
        Map<String, Object> p = Fixtures.clientSecretConfig("kv", "https://sigil-hsm.managedhsm.azure.net");
        p.remove("client.secret.env");
        p.put("credential.mode", "managed-identity");
        try (AzureClients c = open(p)) {
            assertEquals("Azure Managed HSM (https://sigil-hsm.managedhsm.azure.net/)", c.where());
        }
        p.put("credential.mode", "workload-identity");
        p.put("federated.token.file", Files.writeString(dir.resolve("token"), "eyJ0").toString());
        try (AzureClients c = open(p)) {
            c.crypto(c.vaultUrl() + "keys/alice/" + VERSION);
        }
    }
}
