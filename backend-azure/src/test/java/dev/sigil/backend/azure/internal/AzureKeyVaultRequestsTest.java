package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.CallContext;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.backend.testkit.KeyVaultFake;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Keeps the fake honest and the backend lean: the requests the backend makes through the SDK, as
 * the fake receives them, are exactly Key Vault's documented REST API (method, path, api-version,
 * body fields) and no more than needed — one challenge, one token, no key read before a signature.
 */
class AzureKeyVaultRequestsTest {
    private static final String VERSION = "[0-9a-f]{32}";

    @Test
    void theBackendSpeaksKeyVaultsDocumentedApiAndNothingElse() throws Exception {
        try (KeyVaultFake fake = KeyVaultFake.start()) {
            String rsaVersion = fake.createKey("existing-rsa", "RSA-HSM", 2048);
            fake.listPageSize(1); // two keys: two pages
            AzureKeyVaultBackend backend = Fixtures.open(fake, Fixtures.fakeConfig(fake, "kv"));
            try {
                // The admin path: a new EC key, the listing, one key read.
                KeyInfo alice = backend.generateKey(KeySpec.ec(EcCurve.P256), "alice's key");
                List<KeyInfo> listed = backend.keys();
                assertEquals(2, listed.size(), listed.toString());
                KeyRef rsa = new KeyRef("kv", "existing-rsa/" + rsaVersion);
                backend.key(rsa);
                int reads = fake.count("get");

                // The signing path: one POST .../sign per digest, nothing else.
                byte[] d256 = new byte[32];
                d256[0] = 7;
                backend.sign(alice.ref(), SignatureAlgorithm.ECDSA_SHA256, d256);
                backend.sign(rsa, SignatureAlgorithm.RSA_PSS_SHA256, List.of(d256, d256),
                        CallContext.of("req-1", Duration.ofSeconds(10)));
                assertEquals(reads, fake.count("get"), "no key read on the signing path");
                assertEquals(3, fake.count("sign"));
                assertEquals(2, fake.count("list"), "the listing followed nextLink");

                List<KeyVaultFake.Request> requests = fake.requests();
                String all = requests.stream().map(Object::toString).collect(Collectors.joining("\n"));
                assertEquals(List.of(), fake.violations(), all);
                assertEquals(1, fake.count("challenge"), "one challenge for the vault\n" + all);
                assertEquals(1, fake.count("token"), "one token for every client of the backend\n" + all);
                assertEquals(0, fake.count("discovery"), "no instance discovery with an explicit authority host\n" + all);

                for (KeyVaultFake.Request r : requests) {
                    switch (r.operation()) {
                        case "challenge" -> assertTrue(r.path().startsWith("/keys"), r.toString());
                        case "token" -> {
                            assertEquals("POST", r.method(), r.toString());
                            assertEquals("/" + KeyVaultFake.TENANT + "/oauth2/v2.0/token", r.path());
                            assertTrue(r.body().contains("grant_type=client_credentials"), r.toString());
                            assertTrue(r.body().matches(".*&scope=[^&]*https%3A%2F%2Fvault.azure.net%2F.default.*"), r.toString());
                        }
                        case "get" -> {
                            assertEquals("GET", r.method());
                            assertTrue(r.path().matches("/keys/(alice-s-key|existing-rsa)/(" + VERSION + ")?"), r.toString());
                            assertEquals(java.util.Map.of("api-version", "7.5"), r.query(), r.toString());
                            assertEquals("", r.body(), r.toString());
                        }
                        case "list" -> {
                            // The first page as the SDK asks for it; the next as Key Vault's nextLink says.
                            assertEquals("GET", r.method());
                            assertEquals("/keys", r.path());
                            assertTrue(r.query().equals(java.util.Map.of("api-version", "7.5"))
                                    || r.query().equals(java.util.Map.of("api-version", "7.5", "maxresults", "1",
                                    "$skiptoken", "1")), r.toString());
                        }
                        case "create" -> {
                            assertEquals("POST", r.method());
                            assertEquals("/keys/alice-s-key/create", r.path());
                            assertEquals(java.util.Map.of("api-version", "7.5"), r.query(), r.toString());
                            assertEquals(java.util.Set.of("kty", "crv", "key_ops", "attributes", "tags"), r.bodyFields(), r.toString());
                            assertTrue(r.body().contains("\"kty\":\"EC-HSM\"") && r.body().contains("\"crv\":\"P-256\"")
                                    && r.body().contains("\"key_ops\":[\"sign\",\"verify\"]")
                                    && r.body().contains("\"sigil-backend\":\"kv\""), r.toString());
                        }
                        case "sign" -> {
                            assertEquals("POST", r.method());
                            assertTrue(r.path().matches("/keys/(alice-s-key|existing-rsa)/" + VERSION + "/sign"), r.toString());
                            assertEquals(java.util.Map.of("api-version", "7.5"), r.query(), r.toString());
                            assertEquals(java.util.Set.of("alg", "value"), r.bodyFields(), r.toString());
                            String value = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(d256);
                            assertTrue(r.body().contains("\"value\":\"" + value + "\"")
                                    && (r.body().contains("\"alg\":\"ES256\"") || r.body().contains("\"alg\":\"PS256\"")),
                                    r.toString());
                        }
                        default -> throw new AssertionError("unexpected request " + r + "\n" + all);
                    }
                }
                System.out.println("Key Vault requests of the backend:\n" + all);
            } finally {
                backend.close();
            }
        }
    }
}
