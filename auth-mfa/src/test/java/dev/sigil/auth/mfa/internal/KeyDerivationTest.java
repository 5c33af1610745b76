package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.ErrorCode;
import dev.sigil.api.SigilException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared key-derivation component: where the pepper comes from, and the pool's bounds. */
class KeyDerivationTest {
    private static final String PEPPER = Base64.getEncoder().encodeToString(TestKdf.PEPPER);

    @TempDir
    Path dir;

    private static KeyDerivation activate(Map<String, Object> config, Map<String, String> env, int processors)
            throws SigilException {
        return new KeyDerivation(ComponentConfigs.of(KeyDerivation.Config.class, config), env::get, processors);
    }

    @Test
    void thePepperComesFromAFileOrAnEnvironmentVariableAndGivesTheSameId() throws Exception {
        Path file = Files.writeString(dir.resolve("pepper.key"), PEPPER + "\n");

        KeyDerivation fromFile = activate(Map.of("pepper_file", file.toString()), Map.of(), 2);
        KeyDerivation fromEnv = activate(Map.of("pepper_env", "SIGIL_PEPPER"), Map.of("SIGIL_PEPPER", PEPPER), 2);

        assertEquals(TestKdf.create().pepper().id(), fromFile.pepper().id());
        assertEquals(fromFile.pepper().id(), fromEnv.pepper().id());
        assertNotEquals(fromFile.pepper().id(), TestKdf.with(TestKdf.randomPepper()).pepper().id());
    }

    @Test
    void withoutAPepperActivationFailsNamingTheSettings() {
        SigilException e = assertThrows(SigilException.class, () -> activate(Map.of(), Map.of(), 2));

        assertEquals(ErrorCode.CONFIGURATION, e.code());
        assertEquals("dev.sigil.auth.kdf: set exactly one of pepper.env and pepper.file", e.getMessage());
    }

    @Test
    void aMissingOrMalformedPepperFailsActivationWithOneLineNamingTheSettingNeverTheValue() throws Exception {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        Path shortFile = Files.writeString(dir.resolve("short.key"), shortKey);
        Path notBase64 = Files.writeString(dir.resolve("text.key"), "this is my pepper, really!!");
        record Case(Map<String, Object> config, Map<String, String> env, String message) {
        }
        for (Case c : new Case[] {
            new Case(Map.of("pepper_env", "SIGIL_PEPPER"), Map.of(),
                    "dev.sigil.auth.kdf: pepper.env names SIGIL_PEPPER, which is not set"),
            new Case(Map.of("pepper_file", dir.resolve("absent.key").toString()), Map.of(),
                    "dev.sigil.auth.kdf: pepper.file " + dir.resolve("absent.key") + " cannot be read (NoSuchFileException)"),
            new Case(Map.of("pepper_file", shortFile.toString()), Map.of(),
                    "dev.sigil.auth.kdf: pepper must be base64 of 32 bytes"),
            new Case(Map.of("pepper_file", notBase64.toString()), Map.of(),
                    "dev.sigil.auth.kdf: pepper must be base64 of 32 bytes"),
            new Case(Map.of("pepper_env", "P", "pepper_file", shortFile.toString()), Map.of("P", PEPPER),
                    "dev.sigil.auth.kdf: set exactly one of pepper.env and pepper.file"),
        }) {
            SigilException e = assertThrows(SigilException.class, () -> activate(c.config(), c.env(), 2));
            assertEquals(ErrorCode.CONFIGURATION, e.code());
            assertEquals(c.message(), e.getMessage());
            assertFalse(e.getMessage().contains(shortKey) || e.getMessage().contains("really"), e.getMessage());
        }
    }

    @Test
    void thePoolHasHalfTheProcessorsByDefaultAtLeastOneAndNeverMoreThanAll() throws Exception {
        Map<String, String> env = Map.of("P", PEPPER);

        assertEquals(2, activate(Map.of("pepper_env", "P"), env, 4).pool().threads());
        assertEquals(1, activate(Map.of("pepper_env", "P"), env, 2).pool().threads());
        assertEquals(1, activate(Map.of("pepper_env", "P"), env, 1).pool().threads());
        assertEquals(KeyDerivation.DEFAULT_QUEUE, activate(Map.of("pepper_env", "P"), env, 4).pool().queue());
        assertEquals(1, activate(Map.of("pepper_env", "P", "threads", 1), env, 4).pool().threads());
        assertEquals(4, activate(Map.of("pepper_env", "P", "threads", 64), env, 4).pool().threads());
        assertEquals(0, activate(Map.of("pepper_env", "P", "queue", 0), env, 4).pool().queue());
    }

    @Test
    void poolBoundsOutOfRangeFailActivation() {
        Map<String, String> env = Map.of("P", PEPPER);
        assertEquals("dev.sigil.auth.kdf: threads is -1, must be 0 (half the processors) or more",
                assertThrows(SigilException.class, () -> activate(Map.of("pepper_env", "P", "threads", -1), env, 2))
                        .getMessage());
        assertEquals("dev.sigil.auth.kdf: queue is -1, must be 0 or more",
                assertThrows(SigilException.class, () -> activate(Map.of("pepper_env", "P", "queue", -1), env, 2))
                        .getMessage());
        assertEquals("dev.sigil.auth.kdf: max.wait.ms is 0, must be at least 1",
                assertThrows(SigilException.class, () -> activate(Map.of("pepper_env", "P", "max_wait_ms", 0), env, 2))
                        .getMessage());
    }

    @Test
    void deactivationZeroesThePepper() throws Exception {
        KeyDerivation kdf = activate(Map.of("pepper_env", "P"), Map.of("P", PEPPER), 2);

        kdf.deactivate();

        assertThrows(IllegalStateException.class, () -> kdf.pepper().mac(new byte[1]));
        assertTrue(kdf.pepper().toString().startsWith("Pepper["));
    }
}
