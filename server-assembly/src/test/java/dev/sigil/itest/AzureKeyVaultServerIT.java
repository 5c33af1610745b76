package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.backend.testkit.KeyVaultFake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled server with an Azure Key Vault backend (the test kit's HTTPS Key Vault fake standing
 * in for Key Vault and Entra ID): the bundle with the embedded Azure SDK resolves and starts in
 * Felix, its client-secret credential gets a token from the fake's token endpoint, an administrator
 * creates credentials whose keys are generated in the vault (as HSM keys), and users sign through
 * the whole CSC flow; the signatures verify with the certificates' public keys. The server resolves
 * the vault's name ({@code *.vault.azure.net}, so the SDK's check of the challenge's resource runs
 * as in production) to the loopback through the JDK's {@code jdk.net.hosts.file} and trusts the
 * fake's certificate through its trust store. Then the vault throttles every sign: the client gets
 * 503 {@code temporarily_unavailable} with a {@code Retry-After}, {@code /health} says DEGRADED,
 * the audit log records the failure with the hashes given back, and once the vault stops
 * throttling the same SAD signs the same hashes (docs/backends/azure.md).
 */
class AzureKeyVaultServerIT {
    /** The backend's retries of a throttled call (its {@code max.retries}). */
    private static final int MAX_RETRIES = 1;

    @TempDir
    Path dir;

    @Test
    void credentialsWithKeysInKeyVaultSignThroughTheCscApi() throws Exception {
        long t0 = System.nanoTime();
        String host = "sigil-itest.vault.azure.net";
        RemoteBackendFlow flow = new RemoteBackendFlow(dir, "kv", "Azure Key Vault", MAX_RETRIES);
        try (KeyVaultFake vault = KeyVaultFake.start(host)) {
            String clientId = "0f0e0d0c-0b0a-4909-8807-060504030201";
            String secret = "sigil-itest-client-secret-0000000000";
            vault.acceptClientSecret(clientId, secret);
            // The client secret in a file, as an operator would keep it.
            Path secretFile = Files.writeString(dir.resolve("azure-client-secret"), secret + "\n");
            Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost " + host + "\n");
            Path trust = vault.writeTrustStore(dir.resolve("trust.p12"));
            Path conf = flow.conf("dev.sigil.backend.azure-kv.cfg", "sigil.backend.id = kv\n"
                    + "vault.url = " + vault.vaultUrl() + "\n"
                    + "tenant.id = " + KeyVaultFake.TENANT + "\n"
                    + "authority.host = " + vault.authorityHost() + "\n"
                    + "credential.mode = client-secret\n"
                    + "client.id = " + clientId + "\n"
                    + "client.secret.file = " + secretFile + "\n"
                    // One retry of a throttled call, so that the throttled request fails fast.
                    + "max.retries = " + MAX_RETRIES + "\n"
                    // The fake makes a created key's RSA pair while the request waits: slow on a loaded machine.
                    + "call.timeout.ms = 20000\n"
                    + "attempt.timeout.ms = 15000\n");
            Map<String, String> env = Map.of("SIGIL_JAVA_OPTS", "-Djdk.net.hosts.file=" + hosts
                    + " -Djavax.net.ssl.trustStore=" + trust + " -Djavax.net.ssl.trustStorePassword=changeit");

            try (Distribution server = new Distribution(flow.data(), env, "--port", "0", "--conf",
                    conf.toString())) {
                TestCsc csc = flow.startedAndUp(server, server.awaitListening(Duration.ofSeconds(90)));
                RemoteBackendFlow.Seeds seeds = flow.usersWithKeysInTheService();

                // The keys were created in the vault as HSM keys, allowed to sign and verify only.
                List<String> creates = vault.requests().stream().filter(r -> r.operation().equals("create"))
                        .map(KeyVaultFake.Request::body).toList();
                assertEquals(2, creates.size(), creates.toString());
                assertTrue(creates.get(0).contains("\"kty\":\"RSA-HSM\"") && creates.get(1).contains("\"kty\":\"EC-HSM\"")
                        && creates.get(1).contains("\"key_ops\":[\"sign\",\"verify\"]"), creates.toString());
                assertTrue(vault.count("token") >= 1, "the client-secret credential got its token from Entra ID");

                RemoteBackendFlow.SignFaults faults = new RemoteBackendFlow.SignFaults() {
                    @Override
                    public void resetCounts() {
                        vault.resetRequests();
                    }

                    @Override
                    public void throttleEverySign() {
                        vault.throttleSigns(1000, Duration.ofSeconds(1));
                    }

                    @Override
                    public void clearFaults() {
                        vault.clearFaults();
                    }

                    @Override
                    public int signCalls() {
                        return vault.count("sign");
                    }
                };
                try {
                    flow.signThenThrottled(csc, seeds, faults, List.of("too many requests were received",
                            "vaultrequesttypelimitreached", "com.azure"), "AzureKeyVaultServerIT");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + server.output(), e);
                }
                assertEquals(List.of(), vault.violations(), "requests outside the documented Key Vault API");
                String log = server.output();
                assertFalse(log.contains(secret), "the client secret is never logged");
                // The SDK's per-request chatter stays out of the log (bin/sigil-server's levels);
                // the backend's own lines say what happened.
                for (String noise : List.of("JdkHttpClient", "RetryPolicy", "HttpHelper", "az.sdk.message")) {
                    assertFalse(log.contains(noise), noise + " in the server's log:\n" + log);
                }
                assertTrue(log.contains("backend-azure 'kv': Azure Key Vault (" + vault.vaultUrl() + ") with client "
                        + "secret of " + clientId), log);
            }
        }
        System.out.printf("TIMING: AzureKeyVaultServerIT %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
