package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.backend.testkit.FaultProxy;
import dev.sigil.backend.testkit.LocalKms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled server with an AWS KMS backend (local-kms standing in for KMS): the bundle with the
 * embedded SDK resolves and starts in Felix, an administrator creates credentials whose keys are
 * generated in KMS, and the user signs through the whole CSC flow; the signatures verify with the
 * certificates' public keys. The server reaches local-kms through the test kit's {@link FaultProxy},
 * which then throttles every {@code Sign}: the client gets 503 {@code temporarily_unavailable} with
 * a {@code Retry-After}, {@code /health} says DEGRADED, the audit log records the failure with the
 * hashes given back to the SAD, and once KMS stops throttling the same SAD signs the same hashes
 * (docs/backends/aws.md, "Quotas, throttling and what Sigil does").
 */
class AwsKmsServerIT {
    /** The backend's retries of a throttled call (its {@code max.retries}). */
    private static final int MAX_RETRIES = 1;

    @TempDir
    Path dir;

    @Test
    void credentialsWithKeysInKmsSignThroughTheCscApi() throws Exception {
        long t0 = System.nanoTime();
        RemoteBackendFlow flow = new RemoteBackendFlow(dir, "kms", "AWS KMS", MAX_RETRIES);
        try (LocalKms kms = LocalKms.start(dir.resolve("kms"), LocalKms.REGION);
             FaultProxy proxy = new FaultProxy(kms.endpoint())) {
            // Static test credentials, from files as an operator would keep them.
            Path keyId = Files.writeString(dir.resolve("aws-access-key-id"), "AKIASIGILITEST000001\n");
            Path secret = Files.writeString(dir.resolve("aws-secret-access-key"), "sigil-itest-secret-0000000000\n");
            Path conf = flow.conf("dev.sigil.backend.aws-kms.cfg", "sigil.backend.id = kms\n"
                    + "region = eu-west-2\n"
                    + "endpoint.override = " + proxy.endpoint() + "\n"
                    + "credentials.mode = static\n"
                    + "access.key.id.file = " + keyId + "\n"
                    + "secret.access.key.file = " + secret + "\n"
                    + "alias.prefix = alias/sigil/\n"
                    // One retry of a throttled call, so that the throttled request fails fast.
                    + "max.retries = " + MAX_RETRIES + "\n");

            try (Distribution server = new Distribution(flow.data(), Map.of(), "--port", "0", "--conf",
                    conf.toString())) {
                TestCsc csc = flow.startedAndUp(server, server.awaitListening(Duration.ofSeconds(90)));
                RemoteBackendFlow.Seeds seeds = flow.usersWithKeysInTheService();

                // The keys are in KMS, under the configured alias prefix.
                String aliases = kms.call("ListAliases", "{}");
                assertTrue(aliases.contains("alias/sigil/carol-kms-rsa") && aliases.contains("alias/sigil/dave-kms-ec"),
                        aliases);

                RemoteBackendFlow.SignFaults faults = new RemoteBackendFlow.SignFaults() {
                    @Override
                    public void resetCounts() {
                        proxy.resetCounts();
                    }

                    @Override
                    public void throttleEverySign() {
                        proxy.throttleSigns(1000);
                    }

                    @Override
                    public void clearFaults() {
                        proxy.clearFaults();
                    }

                    @Override
                    public int signCalls() {
                        return proxy.count("Sign");
                    }
                };
                try {
                    flow.signThenThrottled(csc, seeds, faults, List.of("throttlingexception", "fault proxy",
                            "software.amazon"), "AwsKmsServerIT");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + server.output(), e);
                }
            }
        }
        System.out.printf("TIMING: AwsKmsServerIT %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
