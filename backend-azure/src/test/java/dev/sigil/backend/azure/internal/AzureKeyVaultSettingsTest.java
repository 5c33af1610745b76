package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One-line configuration messages, without Azure. */
class AzureKeyVaultSettingsTest {
    private static final String VERSION = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private static Map<String, Object> base() {
        return Fixtures.clientSecretConfig("kv", "https://sigil-test.vault.azure.net");
    }

    private static AzureKeyVaultSettings settings(Map<String, Object> props) throws SigilException {
        return AzureKeyVaultSettings.from(Fixtures.config(props), Fixtures::env);
    }

    private static String problem(Map<String, Object> props) {
        SigilException e = assertThrows(SigilException.class, () -> settings(props));
        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.getMessage().contains(Fixtures.SECRET), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aClientSecretComesFromTheEnvironmentAndIsZeroedWhenCleared() throws Exception {
        AzureKeyVaultSettings s = settings(base());
        assertEquals(URI.create("https://sigil-test.vault.azure.net/"), s.vaultUrl());
        assertFalse(s.managedHsm());
        assertEquals(AzureKeyVaultSettings.CredentialMode.CLIENT_SECRET, s.mode());
        assertEquals(Fixtures.SECRET, new String(s.clientSecret()));
        assertFalse(s.toString().contains(Fixtures.SECRET), s.toString());
        s.clearSecrets();
        assertEquals("\0".repeat(Fixtures.SECRET.length()), new String(s.clientSecret()));
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() throws Exception {
        AzureKeyVaultSettings s = settings(base());
        assertEquals(32, s.maxConcurrentCalls());
        assertEquals(8, s.maxParallel());
        assertEquals(3, s.maxRetries());
        assertEquals(5_000, s.callTimeout().toMillis());
        assertEquals(2_000, s.attemptTimeout().toMillis());
        assertTrue(s.keys().isEmpty());
    }

    @Test
    void aManagedHsmIsRecognisedByItsUrl() throws Exception {
        Map<String, Object> p = base();
        p.put("vault.url", "https://sigil-hsm.managedhsm.azure.net/");
        assertTrue(settings(p).managedHsm());
    }

    @Test
    void keysAreNamesOrNamesWithAVersion() throws Exception {
        Map<String, Object> p = base();
        p.put("keys", new String[] {"alice, bob/" + VERSION.toUpperCase(), "carol-2"});
        assertEquals(List.of(new AzureKeyVaultSettings.KeyName("alice", null),
                new AzureKeyVaultSettings.KeyName("bob", VERSION),
                new AzureKeyVaultSettings.KeyName("carol-2", null)), settings(p).keys());
    }

    @Test
    void aSystemAssignedManagedIdentityNeedsNoTenantNorClient() throws Exception {
        Map<String, Object> p = Fixtures.copy(base());
        p.remove("tenant.id");
        p.remove("client.id");
        p.remove("client.secret.env");
        p.put("credential.mode", "managed-identity");
        AzureKeyVaultSettings s = settings(p);
        assertNull(s.clientId());
        assertEquals("system-assigned managed identity", s.credentialSource());
        p.put("client.id", Fixtures.CLIENT_ID);
        assertEquals("user-assigned managed identity " + Fixtures.CLIENT_ID, settings(p).credentialSource());
    }

    @Test
    void certificateAndWorkloadIdentityNeedReadableFiles() throws Exception {
        Path pem = Files.writeString(dir.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path token = Files.writeString(dir.resolve("token"), "eyJ...");
        Map<String, Object> p = base();
        p.remove("client.secret.env");
        p.put("credential.mode", "client-certificate");
        assertEquals("backend-azure 'kv': client.certificate.path is required for credential.mode client-certificate",
                problem(p));
        p.put("client.certificate.path", dir.resolve("missing.pem").toString());
        assertTrue(problem(p).endsWith("missing.pem is not a readable file"), problem(p));
        p.put("client.certificate.path", pem.toString());
        assertFalse(settings(p).certificateIsPfx());
        p.put("client.certificate.password.env", Fixtures.SECRET_ENV);
        assertTrue(problem(p).contains("client.certificate.password is only for a PFX/PKCS#12 file"), problem(p));

        p = base();
        p.remove("client.secret.env");
        p.put("credential.mode", "workload-identity");
        assertEquals("backend-azure 'kv': federated.token.file is required for credential.mode workload-identity",
                problem(p));
        p.put("federated.token.file", token.toString());
        assertEquals(token, settings(p).federatedTokenFile());
    }

    @Test
    void eachMistakeIsOneLineNamingTheSetting() {
        Map<String, Object> p = base();
        p.remove("vault.url");
        assertEquals("backend-azure 'kv': vault.url is required (e.g. https://<name>.vault.azure.net/)", problem(p));
        for (String bad : List.of("http://sigil.vault.azure.net", "https://sigil.vault.azure.net/keys",
                "https://sigil.vault.azure.net/?x=1", "https://user@sigil.vault.azure.net", "sigil.vault.azure.net")) {
            p = base();
            p.put("vault.url", bad);
            assertTrue(problem(p).startsWith("backend-azure 'kv': vault.url '" + bad + "' must be an https:// URL"),
                    problem(p));
        }
        p = base();
        p.remove("credential.mode");
        assertEquals("backend-azure 'kv': credential.mode is required: one of client-secret, client-certificate, "
                + "managed-identity, workload-identity", problem(p));
        p = base();
        p.put("credential.mode", "default");
        assertTrue(problem(p).startsWith("backend-azure 'kv': credential.mode 'default' is not one of"), problem(p));
        p = base();
        p.remove("tenant.id");
        assertEquals("backend-azure 'kv': tenant.id is required for credential.mode client-secret", problem(p));
        p = base();
        p.put("tenant.id", "not a tenant");
        assertTrue(problem(p).contains("tenant.id 'not a tenant' is not a tenant id"), problem(p));
        p = base();
        p.put("client.id", "app");
        assertTrue(problem(p).contains("client.id 'app' is not a client id (a GUID)"), problem(p));
        p = base();
        p.remove("client.secret.env");
        assertEquals("backend-azure 'kv': set exactly one of client.secret.env and client.secret.file", problem(p));
        p = base();
        p.put("client.secret.env", "UNSET_VARIABLE");
        assertTrue(problem(p).contains("client.secret.env names UNSET_VARIABLE, which is not set"), problem(p));
        p = base();
        p.put("credential.mode", "managed-identity");
        assertEquals("backend-azure 'kv': client.secret is set but credential.mode is managed-identity", problem(p));
        p = base();
        p.put("keys", new String[] {"a_b"});
        assertTrue(problem(p).contains("keys entry 'a_b' is not a key name"), problem(p));
        p = base();
        p.put("keys", new String[] {"alice/123"});
        assertTrue(problem(p).contains("keys entry 'alice/123' is not a key name"), problem(p));
        p = base();
        p.put("keys", new String[] {"alice", "alice/" + VERSION});
        assertTrue(problem(p).contains("names key alice a second time"), problem(p));
        p = base();
        p.put("call.timeout.ms", "0");
        assertEquals("backend-azure 'kv': call.timeout.ms 0 is outside 1..60000", problem(p));
        p = base();
        p.put("attempt.timeout.ms", "6000");
        assertEquals("backend-azure 'kv': attempt.timeout.ms 6000 is outside 1..call.timeout.ms (5000)", problem(p));
        p = base();
        p.put("max.parallel.signatures", "33");
        assertEquals("backend-azure 'kv': max.parallel.signatures 33 is outside 1..max.concurrent.calls (32)",
                problem(p));
        p = base();
        p.put("max.retries", "11");
        assertEquals("backend-azure 'kv': max.retries 11 is outside 0..10", problem(p));
        p = base();
        p.put("key.protection", "tpm");
        assertEquals("backend-azure 'kv': key.protection 'tpm' is not hsm or software", problem(p));
        p = base();
        p.put("vault.url", "https://sigil.managedhsm.azure.net/");
        p.put("key.protection", "software");
        assertEquals("backend-azure 'kv': key.protection software is not possible in a Managed HSM: its keys are "
                + "HSM keys", problem(p));
        p = base();
        p.put("authority.host", "https://login.microsoftonline.us/tenant");
        assertEquals("backend-azure 'kv': authority.host 'https://login.microsoftonline.us/tenant' must be an https:// "
                + "URL with a host and no path, user, query or fragment", problem(p));
        p = base();
        p.put("credential.mode", "managed-identity");
        p.remove("client.secret.env");
        p.put("authority.host", "https://login.microsoftonline.us/");
        assertEquals("backend-azure 'kv': authority.host is set but credential.mode managed-identity does not use it",
                problem(p));
    }

    @Test
    void authorityHostAndKeyProtection() throws Exception {
        Map<String, Object> p = base();
        AzureKeyVaultSettings s = AzureKeyVaultSettings.from(Fixtures.config(p), Fixtures::env);
        assertEquals(null, s.authorityHost());
        assertEquals(true, s.hsmKeys());
        p.put("authority.host", "https://login.chinacloudapi.cn");
        p.put("key.protection", "software");
        s = AzureKeyVaultSettings.from(Fixtures.config(p), Fixtures::env);
        assertEquals("https://login.chinacloudapi.cn/", s.authorityHost().toString());
        assertEquals(false, s.hsmKeys());
    }
}
