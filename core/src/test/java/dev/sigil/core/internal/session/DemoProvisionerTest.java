package dev.sigil.core.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigil.api.HashAlgorithm;
import dev.sigil.api.SignatureAlgorithm;
import dev.sigil.api.auth.FactorType;
import dev.sigil.api.session.Authorization;
import dev.sigil.core.internal.store.StoreKind;
import dev.sigil.core.internal.store.TestStoresAccess;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoProvisionerTest {
    @TempDir
    Path dir;

    @Test
    void theDemoAccountIsMadeOnceAndItsSecretsWorkThroughTheSoleControlRules() throws Exception {
        Fixture.TestClock clock = new Fixture.TestClock();
        Fixture.MemoryBackend backend = new Fixture.MemoryBackend();
        Fixture.PlainFactor password = new Fixture.PlainFactor(FactorType.PASSWORD);
        Fixture.PlainFactor pin = new Fixture.PlainFactor(FactorType.PIN);
        Fixture.StepTotp totp = new Fixture.StepTotp();
        Path out = dir.resolve("demo-account.properties");
        try (var store = TestStoresAccess.open(StoreKind.H2, dir)) {
            assertTrue(DemoProvisioner.provision(store, password, pin, totp, backend, "demo", List.of("demo", "demo-ec"),
                    out, "Sigil", clock));
            assertFalse(DemoProvisioner.provision(store, password, pin, totp, backend, "demo", List.of("demo"),
                    out, "Sigil", clock), "the second start changes nothing");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(out)) {
                p.load(r);
            }
            assertEquals(32, p.getProperty("totp.seed").length());
            assertTrue(p.getProperty("totp.uri").startsWith("otpauth://totp/Sigil:demo?secret="
                    + p.getProperty("totp.seed") + "&issuer=Sigil"), p.getProperty("totp.uri"));
            assertTrue(p.getProperty("credential.1.pin").matches("[0-9]{6}"));

            Sessions sessions = new Sessions(store, password, Policy.DEFAULT, clock);
            dev.sigil.api.session.Session demo = sessions.authenticate(sessions.login("demo",
                    p.getProperty("password").toCharArray(), SoleControlTest.CTX).token());
            SoleControlImpl control = new SoleControlImpl(store, pin, totp,
                    dev.sigil.core.internal.SigningServiceAccess.withBackend(backend), Policy.DEFAULT, clock);
            byte[] h = MessageDigest.getInstance("SHA-256").digest(new byte[] {1});
            Authorization a = control.authorize(demo, "demo", 1, List.of(h), HashAlgorithm.SHA256,
                    p.getProperty("credential.1.pin").toCharArray(), Fixture.StepTotp.codeAt(clock.instant()),
                    SoleControlTest.CTX);
            assertEquals(1, control.signHashes(demo, "demo", a.sad(), List.of(h), SignatureAlgorithm.RSA_PKCS1_SHA256,
                    SoleControlTest.CTX).size());
        }
    }
}
