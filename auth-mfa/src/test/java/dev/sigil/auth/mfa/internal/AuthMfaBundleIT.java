package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;
import dev.sigil.api.auth.Verification;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The built bundle in a real Felix framework with Felix SCR and Configuration Admin: the
 * components are registered under {@code sigil.factor}, take their configuration, and stay away
 * when it is below the floor; the password and PIN factors come only with a pepper
 * ({@code dev.sigil.auth.kdf}), the TOTP factor only with a configuration naming its KEK. Runs in the
 * integration-test phase against {@code target/auth-mfa-*.jar}.
 */
class AuthMfaBundleIT {
    private static final long TIMEOUT_MS = 10_000;
    private static final char[] PIN = "482915".toCharArray();
    /** RFC 4226's test secret "12345678901234567890" in Base32; its code at 59 s is 287082. */
    private static final String RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    @TempDir
    Path storage;

    /** KEK files, apart from the framework's storage. */
    @TempDir
    Path secrets;

    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void launch() throws Exception {
        String bundle = System.getProperty("sigil.bundle");
        assertNotNull(bundle, "system property sigil.bundle (set by the failsafe configuration) is missing");
        assertTrue(Files.isRegularFile(Path.of(bundle)), bundle + " is missing: run 'mvn -pl auth-mfa install'");

        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                // The floor and KEK tests make a component fail on purpose; keep SCR's stack trace
                // out of the build output (Felix SCR level 0 = audit only).
                "ds.loglevel", "0",
                // These come from the test's class path, so that the test shares their types with
                // the bundles (the Configuration Admin bundle then imports its API from here too).
                // The api packages go with the versions the api bundle itself exports, so that a new
                // minor version of the api does not leave this bundle unresolved here.
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                apiExports() + ",org.slf4j;version=2.0.17,org.osgi.service.cm;version=1.6.0"));
        framework.start();
        context = framework.getBundleContext();

        List<Bundle> bundles = new ArrayList<>();
        for (String name : List.of("org.osgi.util.function", "org.osgi.util.promise",
                "org.osgi.service.component", "org.apache.felix.configadmin", "org.apache.felix.scr")) {
            bundles.add(context.installBundle(jarOnClassPath(name).toUri().toString()));
        }
        bundles.add(context.installBundle(Path.of(bundle).toUri().toString()));
        for (Bundle b : bundles) {
            b.start();
        }
    }

    /** Gives the key-derivation component a pepper file, as the distribution's first start does. */
    private void configurePepper() throws Exception {
        Path pepper = secrets.resolve("pepper.key");
        Files.writeString(pepper, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        configure(KeyDerivation.PID, Map.of("pepper.file", pepper.toString()));
    }

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(TIMEOUT_MS);
        }
    }

    @Test
    void bothFactorsAreRegisteredWithAPepperAndNoOtherConfigurationAndHashWithTheirDefaultCounts() throws Exception {
        configurePepper();
        Authenticator pin = await("PIN");
        Authenticator password = await("PASSWORD");

        FactorRecord record = pin.enroll(PIN);
        assertTrue(record.stored().matches("pbkdf2-sha256-pepper-v1\\$[0-9a-f]{8}\\$1000\\$.*"), record.stored());
        assertTrue(pin.verify(record, PIN, Instant.now()).accepted());
        assertEquals("PASSWORD", password.type().name());
        assertTrue(password.enroll("long enough".toCharArray()).stored().contains("$600000$"));
    }

    @Test
    void withoutAPepperNeitherThePasswordNorThePinFactorIsRegistered() throws Exception {
        configure(TotpAuthenticator.PID, Map.of("kek.file", writeKek()));
        await("TOTP"); // SCR has handled the bundle's components by now

        assertNull(service("PIN"));
        assertNull(service("PASSWORD"));
        Path shortPepper = secrets.resolve("short.key");
        Files.writeString(shortPepper, Base64.getEncoder().encodeToString(new byte[16]));
        configure(KeyDerivation.PID, Map.of("pepper.file", shortPepper.toString()));
        Thread.sleep(500);
        assertNull(service("PIN"), "PIN with a 16-byte pepper");
        assertNull(service("PASSWORD"), "password with a 16-byte pepper");

        configurePepper();
        assertNotNull(await("PIN"));
        assertNotNull(await("PASSWORD"));
    }

    private String writeKek() throws IOException {
        Path kek = secrets.resolve("totp.kek");
        Files.writeString(kek, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        return kek.toString();
    }

    @Test
    void aConfigurationGivenAsTextChangesTheIterationCount() throws Exception {
        configurePepper();
        await("PIN");

        configure(PinAuthenticator.PID, Map.of("iterations", "150000"));

        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String stored = "";
        while (!stored.contains("$150000$")) {
            if (System.currentTimeMillis() > deadline) {
                fail("the PIN factor did not take the configured count; last record: " + stored);
            }
            Authenticator pin = service("PIN");
            stored = pin == null ? "" : pin.enroll(PIN).stored();
        }
        assertTrue(await("PASSWORD").enroll("long enough".toCharArray()).stored().contains("$600000$"));
    }

    @Test
    void aConfigurationBelowTheFloorLeavesThatFactorUnavailable() throws Exception {
        configurePepper();
        await("PIN");

        configure(PinAuthenticator.PID, Map.of("iterations", 999));

        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (service("PIN") != null) {
            if (System.currentTimeMillis() > deadline) {
                fail("the PIN factor is still available with 999 iterations configured");
            }
            Thread.sleep(20);
        }
        assertNull(service("PIN"));
        assertNotNull(await("PASSWORD"));
    }

    @Test
    void totpIsNotRegisteredWithoutConfiguration() throws Exception {
        configurePepper();
        await("PIN");
        await("PASSWORD");

        assertNull(service("TOTP"));
    }

    @Test
    void totpRegistersWithAKekFileAndVerifiesTheRfcCode() throws Exception {
        Path kek = secrets.resolve("totp.kek");
        Files.writeString(kek, Base64.getEncoder().encodeToString(new byte[32]) + "\n");

        configure(TotpAuthenticator.PID, Map.of("kek.file", kek.toString()));

        Authenticator totp = await("TOTP");
        FactorRecord record = totp.enroll(RFC_SEED.toCharArray());
        Verification v = totp.verify(record, "287082".toCharArray(), Instant.ofEpochSecond(59));

        assertEquals("TOTP", totp.type().name());
        assertTrue(record.stored().startsWith("totp-aesgcm-v1$"), record.stored());
        assertTrue(record.stored().endsWith("$SHA1$6$30"), record.stored());
        assertTrue(v.accepted());
        assertEquals(1, v.record().counter());
        assertFalse(totp.verify(v.record(), "287082".toCharArray(), Instant.ofEpochSecond(59)).accepted());
    }

    @Test
    void totpStaysAwayWithAConfigurationThatNamesNoKekOrABadOne() throws Exception {
        configurePepper();
        await("PIN");
        Path shortKek = secrets.resolve("short.kek");
        Files.writeString(shortKek, Base64.getEncoder().encodeToString(new byte[16]));

        configure(TotpAuthenticator.PID, Map.of("window", 1));
        awaitEarlierConfigurationEvents(150_001);
        assertNull(service("TOTP"), "TOTP without kek.env or kek.file");

        configure(TotpAuthenticator.PID, Map.of("kek.file", shortKek.toString()));
        awaitEarlierConfigurationEvents(150_002);
        assertNull(service("TOTP"), "TOTP with a 16-byte KEK");
    }

    /**
     * Returns once the configuration events sent so far have been handled. Configuration Admin
     * delivers them in order on one thread, and SCR activates an immediate component while handling
     * its event; so when a later PIN configuration has taken effect, an earlier one has too.
     *
     * @param iterations a count not configured before in this test
     */
    private void awaitEarlierConfigurationEvents(int iterations) throws Exception {
        configure(PinAuthenticator.PID, Map.of("iterations", iterations));
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String stored = "";
        while (!stored.contains("$" + iterations + "$")) {
            if (System.currentTimeMillis() > deadline) {
                fail("the PIN factor did not take " + iterations + " iterations; last record: " + stored);
            }
            Authenticator pin = service("PIN");
            stored = pin == null ? "" : pin.enroll(PIN).stored();
        }
    }

    /** The factor's service, waiting for it to appear. */
    private Authenticator await(String factor) throws Exception {
        ServiceTracker<Authenticator, Authenticator> tracker = tracker(factor);
        try {
            Authenticator service = tracker.waitForService(TIMEOUT_MS);
            assertNotNull(service, "no Authenticator with sigil.factor=" + factor);
            return service;
        } finally {
            tracker.close();
        }
    }

    /** The factor's service now, or null if it is not registered or cannot be activated. */
    private Authenticator service(String factor) throws Exception {
        ServiceTracker<Authenticator, Authenticator> tracker = tracker(factor);
        try {
            return tracker.getService();
        } finally {
            tracker.close();
        }
    }

    private ServiceTracker<Authenticator, Authenticator> tracker(String factor) throws Exception {
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + Authenticator.class.getName() + ")("
                + Authenticator.PROPERTY_FACTOR + "=" + factor + "))";
        ServiceTracker<Authenticator, Authenticator> tracker =
                new ServiceTracker<>(context, context.createFilter(filter), null);
        tracker.open();
        return tracker;
    }

    /** Replaces the properties of a configuration through Configuration Admin. */
    private void configure(String pid, Map<String, Object> values) throws Exception {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        tracker.open();
        try {
            ConfigurationAdmin admin = tracker.waitForService(TIMEOUT_MS);
            assertNotNull(admin, "Configuration Admin did not start");
            Dictionary<String, Object> properties = new Hashtable<>();
            values.forEach(properties::put);
            admin.getConfiguration(pid, "?").update(properties);
        } finally {
            tracker.close();
        }
    }

    /** The Export-Package header of the api bundle on the test class path (jar or classes folder). */
    private static String apiExports() throws IOException {
        Enumeration<URL> manifests = AuthMfaBundleIT.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                Attributes main = new Manifest(in).getMainAttributes();
                if ("dev.sigil.api".equals(main.getValue("Bundle-SymbolicName"))) {
                    return main.getValue("Export-Package");
                }
            }
        }
        throw new AssertionError("the manifest of the api bundle is not on the test class path");
    }

    private static Path jarOnClassPath(String artifactId) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            if (file.startsWith(artifactId + "-") && file.endsWith(".jar")) {
                return Path.of(entry);
            }
        }
        throw new AssertionError(artifactId + " is not on the test class path (a test dependency of auth-mfa)");
    }
}
