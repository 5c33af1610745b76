package dev.sigil.backend.azure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.EcCurve;
import dev.sigil.api.ErrorCode;
import dev.sigil.api.KeyRef;
import dev.sigil.api.SigilException;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.backend.KeyInfo;
import dev.sigil.api.backend.KeySpec;
import dev.sigil.backend.testkit.JdkVerifier;
import dev.sigil.backend.testkit.KeyVaultFake;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The challenge as in production (the SDK checks that the challenge's resource is the vault's
 * domain before it asks for a token, so that a wrong vault URL cannot collect a token for Key
 * Vault): a vault and a Managed HSM at Azure host names sign, each with a token for its own
 * resource; a server elsewhere claiming to be Key Vault never sees a token request made for it.
 */
class AzureChallengeTest {
    private static final byte[] MESSAGE = "challenge".getBytes(StandardCharsets.UTF_8);

    private static String tokenScope(KeyVaultFake fake) {
        return fake.requests().stream().filter(r -> r.operation().equals("token")).map(KeyVaultFake.Request::body)
                .findFirst().orElseThrow();
    }

    @Test
    void aKeyVaultAtItsAzureHostNameSignsWithATokenForKeyVault() throws Exception {
        try (KeyVaultFake fake = KeyVaultFake.start("sigil-test.vault.azure.net");
             AzureKeyVaultBackend backend = Fixtures.open(fake, Fixtures.fakeConfig(fake, "kv"), true)) {
            KeyInfo key = backend.generateKey(KeySpec.ec(EcCurve.P256), "alice");
            byte[] signature = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA256,
                    JdkVerifier.digest(SignatureAlgorithm.ECDSA_SHA256, MESSAGE));
            assertTrue(JdkVerifier.verify(SignatureAlgorithm.ECDSA_SHA256, key.publicKey(), MESSAGE, signature));
            assertTrue(tokenScope(fake).contains("https%3A%2F%2Fvault.azure.net%2F.default"), tokenScope(fake));
            assertEquals(List.of(), fake.violations());
        }
    }

    @Test
    void aManagedHsmIsDetectedCreatesHsmKeysAndGetsATokenForManagedHsm() throws Exception {
        try (KeyVaultFake fake = KeyVaultFake.start("sigil-test.managedhsm.azure.net");
             AzureKeyVaultBackend backend = Fixtures.open(fake, Fixtures.fakeConfig(fake, "mhsm"), true)) {
            KeyInfo key = backend.generateKey(KeySpec.ec(EcCurve.P384), "bob");
            byte[] signature = backend.sign(key.ref(), SignatureAlgorithm.ECDSA_SHA384,
                    JdkVerifier.digest(SignatureAlgorithm.ECDSA_SHA384, MESSAGE));
            assertTrue(JdkVerifier.verify(SignatureAlgorithm.ECDSA_SHA384, key.publicKey(), MESSAGE, signature));
            assertTrue(tokenScope(fake).contains("https%3A%2F%2Fmanagedhsm.azure.net%2F.default"), tokenScope(fake));
            String create = fake.requests().stream().filter(r -> r.operation().equals("create"))
                    .map(KeyVaultFake.Request::body).findFirst().orElseThrow();
            assertTrue(create.contains("\"kty\":\"EC-HSM\"") && create.contains("\"crv\":\"P-384\""), create);
            assertEquals(List.of(), fake.violations());
        }
    }

    @Test
    void aServerThatIsNotInTheChallengesDomainGetsNoToken() throws Exception {
        // A vault URL pointing elsewhere (a typo, or a hostile DNS answer with a valid certificate for
        // its own name): it answers Key Vault's challenge, but its host is not in vault.azure.net.
        try (KeyVaultFake fake = KeyVaultFake.start("vault.example.test");
             AzureKeyVaultBackend backend = Fixtures.open(fake, Fixtures.fakeConfig(fake, "kv"), true)) {
            String version = fake.createKey("alice", "EC-HSM", 256);
            SigilException e = assertThrows(SigilException.class, () -> backend.sign(new KeyRef("kv", "alice/" + version),
                    SignatureAlgorithm.ECDSA_SHA256, new byte[32]));
            assertEquals(0, fake.count("token"), "no token was asked for on its behalf");
            assertEquals(1, fake.count("challenge"), fake.requests().toString());
            assertTrue(e.code() == ErrorCode.BACKEND_UNAVAILABLE || e.code() == ErrorCode.INTERNAL,
                    e.code() + ": " + e.getMessage());
        }
    }
}
