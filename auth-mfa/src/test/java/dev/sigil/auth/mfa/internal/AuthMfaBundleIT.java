package dev.sigil.auth.mfa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sigil.api.auth.Authenticator;
import dev.sigil.api.auth.FactorRecord;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

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
 * when it is below the floor. Runs in the integration-test phase against
 * {@code target/auth-mfa-*.jar}.
 */
class AuthMfaBundleIT {
    private static final long TIMEOUT_MS = 10_000;
    private static final char[] PIN = "482915".toCharArray();

    @TempDir
    Path storage;

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
                // The floor test makes a component fail on purpose; keep SCR's stack trace out of
                // the build output (Felix SCR level 0 = audit only).
                "ds.loglevel", "0",
                // These come from the test's class path, so that the test shares their types with
                // the bundles (the Configuration Admin bundle then imports its API from here too).
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "dev.sigil.api;version=1.0.0,dev.sigil.api.auth;version=1.0.0,org.slf4j;version=2.0.17,"
                        + "org.osgi.service.cm;version=1.6.0"));
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

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(TIMEOUT_MS);
        }
    }

    @Test
    void bothFactorsAreRegisteredWithoutConfigurationAndHashWithTheDefaultCount() throws Exception {
        Authenticator pin = await("PIN");
        Authenticator password = await("PASSWORD");

        FactorRecord record = pin.enroll(PIN);
        assertTrue(record.stored().startsWith("pbkdf2-sha256$600000$"), record.stored());
        assertTrue(pin.verify(record, PIN, Instant.now()).accepted());
        assertEquals("PASSWORD", password.type().name());
    }

    @Test
    void aConfigurationGivenAsTextChangesTheIterationCount() throws Exception {
        await("PIN");

        configure(PinAuthenticator.PID, "150000");

        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String stored = "";
        while (!stored.startsWith("pbkdf2-sha256$150000$")) {
            if (System.currentTimeMillis() > deadline) {
                fail("the PIN factor did not take the configured count; last record: " + stored);
            }
            Authenticator pin = service("PIN");
            stored = pin == null ? "" : pin.enroll(PIN).stored();
        }
        assertTrue(await("PASSWORD").enroll("long enough".toCharArray()).stored().startsWith("pbkdf2-sha256$600000$"));
    }

    @Test
    void aConfigurationBelowTheFloorLeavesThatFactorUnavailable() throws Exception {
        await("PIN");

        configure(PinAuthenticator.PID, 1000);

        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (service("PIN") != null) {
            if (System.currentTimeMillis() > deadline) {
                fail("the PIN factor is still available with 1000 iterations configured");
            }
            Thread.sleep(20);
        }
        assertNull(service("PIN"));
        assertNotNull(await("PASSWORD"));
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

    /** Sets {@code iterations} in a configuration through Configuration Admin. */
    private void configure(String pid, Object iterations) throws Exception {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        tracker.open();
        try {
            ConfigurationAdmin admin = tracker.waitForService(TIMEOUT_MS);
            assertNotNull(admin, "Configuration Admin did not start");
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put("iterations", iterations);
            admin.getConfiguration(pid, "?").update(properties);
        } finally {
            tracker.close();
        }
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
